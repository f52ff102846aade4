// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "view/diff.h"
#include "kho-inspect.h"

/* The JSON document being written (the text output is a table of rows). */
struct out {
	struct kt_json *j;
	bool in_blob;
};

static const char *const change_name[] = {"added", "removed", "changed"};

static void on_blob(void *ctx, const char *pa, const char *pb, enum kt_change ch)
{
	struct out *w = ctx;
	const char *path = pb ? pb : pa;

	if (w->in_blob) {
		kt_json_arr_end(w->j);
		kt_json_obj_end(w->j);
	}
	kt_json_obj_begin(w->j, NULL);
	kt_json_str(w->j, "path", path);
	kt_json_str(w->j, "a", pa);
	kt_json_str(w->j, "b", pb);
	kt_json_str(w->j, "change", change_name[ch]);
	kt_json_arr_begin(w->j, "fields");
	w->in_blob = true;
}

static void on_field(void *ctx, const char *field, const char *a, const char *b)
{
	struct out *w = ctx;

	kt_json_obj_begin(w->j, NULL);
	kt_json_str(w->j, "field", field);
	kt_json_str(w->j, "a", a);
	kt_json_str(w->j, "b", b);
	kt_json_obj_end(w->j);
}

/* One direction of a against one of b: into the JSON document, or as rows for the table. */
static unsigned int diff_dirs(const struct opts *o, const struct kt_snapshot *a, enum kt_dirn da,
			      const struct kt_snapshot *b, enum kt_dirn db, struct out *w, struct kt_rows *r)
{
	static const struct kt_diff_ops ops = {on_blob, on_field};

	return o->json ? kt_diff_dir(a, da, b, db, &ops, w) : kt_diff_rows(a, da, b, db, r);
}

int cmd_diff(const struct opts *o, int argc, char **argv)
{
	struct kt_snapshot a, b;
	struct kt_rows r = {0};
	struct kt_json j;
	struct out w = {.j = &j};
	unsigned int n = 0;
	int d, ret = 0;

	if (argc != 2 && !(o->out_vs_in && argc == 1)) {
		report_error(o, "diff needs two snapshots: A B (each 'live', DIR or FILE.tar)%s",
			     o->out_vs_in ? ", or with --out-vs-in one saved snapshot A (B is live)" : "");
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, argv[0], &a))
		return KT_EXIT_ERROR;
	if (load_snapshot(o, argc == 2 ? argv[1] : "live", &b)) {
		kt_snapshot_free(&a);
		return KT_EXIT_ERROR;
	}
	if (o->json) {
		kt_json_init(&j, stdout, o->pretty);
		kt_json_obj_begin(&j, NULL);
		kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
		kt_json_str(&j, "a", a.origin);
		kt_json_str(&j, "b", b.origin);
		kt_json_str(&j, "mode", o->out_vs_in ? "out-vs-in" : "same-direction");
		kt_json_arr_begin(&j, "blobs");
	}
	if (o->out_vs_in)
		n = diff_dirs(o, &a, KT_OUT, &b, KT_IN, &w, &r);
	else
		for (d = 0; d < KT_NR_DIRS; d++)
			if (o->dirs & (1u << d))
				n += diff_dirs(o, &a, d, &b, d, &w, &r);
	if (o->json) {
		if (w.in_blob) {
			kt_json_arr_end(&j);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_u64(&j, "differences", n);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	} else if (!n) {
		printf("no differences\n");
	} else if ((ret = print_rows(o, &r))) {
		n = 0;
	}
	kt_rows_free(&r);
	kt_snapshot_free(&a);
	kt_snapshot_free(&b);
	return ret ? ret : n ? KT_EXIT_CHECK : KT_EXIT_OK;
}
