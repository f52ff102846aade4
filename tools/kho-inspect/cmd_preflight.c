// SPDX-License-Identifier: GPL-2.0-only
/* preflight: go/no-go before a live-update reboot, on the running system. */
#include <stdio.h>

#include "check/preflight.h"
#include "decode/vmlinux.h"
#include "kho-inspect.h"

static const char *const verdict_name[] = {"go", "no-go", "cannot tell"};

int cmd_preflight(const struct opts *o, int argc, char **argv)
{
	struct kt_preflight_env env = {.accept_loss = o->accept_loss, .nr_accept_loss = o->nr_accept_loss};
	struct kt_vmlinux target;
	struct kt_preflight p;
	struct kt_json j;
	size_t i;
	int v;

	if (argc) {
		report_error(o, "unexpected argument '%s'", argv[0]);
		return KT_EXIT_ERROR;
	}
	if (o->root) {
		report_error(o, "preflight checks the running system: --root does not apply");
		return KT_EXIT_ERROR;
	}
	if (o->target) {
		if (load_target(o, o->target, &target))
			return KT_EXIT_ERROR;
		env.target = &target;
	}
	kt_preflight_run(&env, &p);
	if (o->target)
		kt_vmlinux_free(&target);
	v = kt_preflight_verdict(&p);
	if (o->json) {
		kt_json_init(&j, stdout, o->pretty);
		kt_json_obj_begin(&j, NULL);
		kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
		kt_json_arr_begin(&j, "checks");
		for (i = 0; i < p.n; i++) {
			kt_json_obj_begin(&j, NULL);
			kt_json_str(&j, "name", p.checks[i].name);
			kt_json_str(&j, "status", kt_check_status_name[p.checks[i].status]);
			kt_json_str(&j, "message", p.checks[i].msg);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_str(&j, "verdict", verdict_name[v]);
		kt_json_u64(&j, "failed", p.count[KT_CHECK_FAIL]);
		kt_json_u64(&j, "warnings", p.count[KT_CHECK_WARN]);
		kt_json_u64(&j, "unknown", p.count[KT_CHECK_UNKNOWN]);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	} else {
		struct kt_rows r;

		kt_preflight_rows(&p, &r);
		if (print_rows(o, &r))
			v = KT_EXIT_ERROR;
		kt_rows_free(&r);
		if (!o->table.raw && !o->table.pairs)
			printf("%s: %zu failed, %zu warning(s), %zu unknown\n", verdict_name[v],
			       p.count[KT_CHECK_FAIL], p.count[KT_CHECK_WARN], p.count[KT_CHECK_UNKNOWN]);
	}
	kt_preflight_free(&p);
	return v;
}
