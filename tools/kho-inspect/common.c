// SPDX-License-Identifier: GPL-2.0-only
/* Helpers every kho-inspect command uses (bpftool's common.c is the model). */
#include <stdarg.h>
#include <stdio.h>

#include "base/util.h"
#include "kho-inspect.h"

void report_error(const struct opts *o, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kt_errmsg("%s", msg);
	if (o->json)
		kt_json_error(stdout, msg);
}

int load_snapshot(const struct opts *o, const char *spec, struct kt_snapshot *s)
{
	char err[1024];
	int ret = kt_snapshot_load(spec, s, err, sizeof(err));

	if (ret) {
		report_error(o, "%s", err);
		kt_snapshot_free(s);
	}
	return ret;
}

void json_begin(struct kt_json *j, const struct opts *o, const struct kt_snapshot *s)
{
	kt_json_init(j, stdout, o->pretty);
	kt_json_obj_begin(j, NULL);
	kt_json_u64(j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_obj_begin(j, "source");
	kt_json_str(j, "kind", kt_src_kind_name[s->kind]);
	kt_json_str(j, "path", s->origin);
	kt_json_str(j, "kernel_release", s->release);
	kt_json_str(j, "taken", s->taken);
	kt_json_obj_end(j);
}

int print_rows(const struct opts *o, const struct kt_rows *r)
{
	char err[256];
	bool error = false;
	size_t i;

	for (i = 0; i < r->nr_notes; i++) {
		kt_errmsg("%s%s", r->note_is_error[i] ? "" : "warning: ", r->notes[i]);
		error |= r->note_is_error[i];
	}
	if (kt_table_print(r, &o->table, stdout, err, sizeof(err))) {
		kt_errmsg("%s", err);
		return KT_EXIT_ERROR;
	}
	return error ? KT_EXIT_ERROR : KT_EXIT_OK;
}
