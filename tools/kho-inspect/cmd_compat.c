// SPDX-License-Identifier: GPL-2.0-only
/* compat IMAGE: will the kernel in IMAGE accept what this one hands over? */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check/compat.h"
#include "kho-inspect.h"

static const char *const verdict_name[] = {"compatible", "incompatible", "cannot tell"};

int load_target(const struct opts *o, const char *path, struct kt_vmlinux *t)
{
	char err[1024];
	int ret = kt_vmlinux_load(path, t, err, sizeof(err));

	if (ret)
		report_error(o, "%s", err);
	return ret;
}

static void print_json(const struct opts *o, const struct kt_snapshot *s, const char *path,
		       const struct kt_vmlinux *t, const struct kt_compat *c, int v)
{
	struct kt_json j;
	size_t i;

	json_begin(&j, o, s);
	kt_json_obj_begin(&j, "target");
	kt_json_str(&j, "path", path);
	kt_json_str(&j, "kind", kt_kimage_kind_name[t->img.kind]);
	kt_json_str(&j, "compression", t->img.compression[0] ? t->img.compression : NULL);
	kt_json_str(&j, "release", t->release);
	if (t->config.state == KT_IKCONFIG_ABSENT) {
		kt_json_null(&j, "config");
	} else {
		kt_json_obj_begin(&j, "config");
		if (t->config.state == KT_IKCONFIG_READ)
			kt_json_u64(&j, "options", t->config.n);
		else
			kt_json_str(&j, "error", t->config.why);
		kt_json_obj_end(&j);
	}
	kt_json_obj_end(&j);
	kt_json_arr_begin(&j, "objects");
	for (i = 0; i < c->ho.n; i++) {
		const struct kt_compat_item *it = &c->items[i];
		const struct kt_ho_obj *x = it->obj;

		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "holder", kt_ho_holder_name[x->holder]);
		kt_json_str(&j, "compatible", x->compat);
		kt_json_str(&j, "object", x->object);
		if (x->session)
			kt_json_str(&j, "session", x->session);
		if (x->has_token)
			kt_json_u64_exact(&j, "token", x->token);
		kt_json_bool(&j, "required", x->required);
		if (x->compat && (x->holder != KT_HO_CONFIG || it->value))
			kt_json_bool(&j, "known", it->known);
		else
			kt_json_null(&j, "known");
		if (it->value)
			kt_json_str(&j, "target_value", it->value);
		if (it->other[0])
			kt_json_str(&j, "target_has", it->other);
		kt_json_str(&j, "status", kt_check_status_name[it->status]);
		kt_json_str(&j, "message", it->msg);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_str(&j, "verdict", verdict_name[v]);
	kt_json_u64(&j, "failed", c->count[KT_CHECK_FAIL]);
	kt_json_u64(&j, "warnings", c->count[KT_CHECK_WARN]);
	kt_json_u64(&j, "unknown", c->count[KT_CHECK_UNKNOWN]);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

/* What the target's embedded config gives the check. */
static void print_config(const struct kt_ikconfig *cfg)
{
	if (cfg->state == KT_IKCONFIG_READ)
		printf("config: embedded, %zu options: the ones the handover needs are checked\n", cfg->n);
	else if (cfg->state == KT_IKCONFIG_BROKEN)
		printf("config: embedded but unreadable (%s)\n", cfg->why);
	else
		printf("config: none embedded (no CONFIG_IKCONFIG): kernel options not checked\n");
}

/* The target, its config, the objects as a table, the verdict (not with -r or -P: lines for scripts). */
static int print_text(const struct opts *o, const char *path, const struct kt_vmlinux *t,
		      const struct kt_compat *c, int v)
{
	bool lines = o->table.raw || o->table.pairs;
	struct kt_rows r;
	int ret;

	if (!lines) {
		printf("target: %s (%s%s%s), Linux %s\n", path, kt_kimage_kind_name[t->img.kind],
		       t->img.compression[0] ? ", " : "", t->img.compression, t->release);
		print_config(&t->config);
	}
	kt_compat_rows(c, &r);
	ret = print_rows(o, &r);
	kt_rows_free(&r);
	if (!lines)
		printf("%s: %zu failed, %zu warning(s), %zu unknown\n", verdict_name[v],
		       c->count[KT_CHECK_FAIL], c->count[KT_CHECK_WARN], c->count[KT_CHECK_UNKNOWN]);
	return ret;
}

int cmd_compat(const struct opts *o, int argc, char **argv)
{
	struct kt_snapshot s;
	struct kt_vmlinux t;
	struct kt_state st;
	struct kt_compat c;
	int v;

	if (argc != 1) {
		if (argc)
			report_error(o, "unexpected argument '%s'", argv[1]);
		else
			report_error(o, "compat: no kernel image given (kho-inspect compat IMAGE)");
		return KT_EXIT_ERROR;
	}
	if (load_target(o, argv[0], &t))
		return KT_EXIT_ERROR;
	if (load_snapshot(o, o->root, &s)) {
		kt_vmlinux_free(&t);
		return KT_EXIT_ERROR;
	}
	kt_state_init(&st, &s);
	kt_compat_run(&st, &t, &c);
	v = kt_check_verdict(c.count);
	if (o->json)
		print_json(o, &s, argv[0], &t, &c, v);
	else if (print_text(o, argv[0], &t, &c, v))
		v = KT_EXIT_ERROR;
	kt_compat_free(&c);
	kt_state_free(&st);
	kt_snapshot_free(&s);
	kt_vmlinux_free(&t);
	return v;
}
