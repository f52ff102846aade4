// SPDX-License-Identifier: GPL-2.0-only
/* assert EXPR...: predicates over one snapshot, for upgrade scripts (grammar in check.c and the man page). */
#include <stdio.h>

#include "check/assert.h"
#include "kho-inspect.h"

int cmd_assert(const struct opts *o, int argc, char **argv)
{
	struct kt_assert_result *res = NULL;
	struct kt_snapshot s;
	struct kt_state c;
	struct kt_assert a;
	struct kt_json j;
	char err[1024];
	size_t i, failed = 0;
	int ret;

	if (kt_assert_parse(argc, argv, &a, err, sizeof(err))) {
		report_error(o, "assert: %s", err);
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, o->root, &s)) {
		kt_assert_free(&a);
		return KT_EXIT_ERROR;
	}
	kt_state_init(&c, &s);
	ret = kt_assert_eval(&a, &c, &res, err, sizeof(err));
	if (ret) {
		report_error(o, "assert: %s", err);
		goto out;
	}
	for (i = 0; i < a.n; i++)
		failed += !res[i].ok;
	if (o->json) {
		json_begin(&j, o, &s);
		kt_json_arr_begin(&j, "results");
		for (i = 0; i < a.n; i++) {
			kt_json_obj_begin(&j, NULL);
			kt_json_str(&j, "expr", res[i].expr);
			kt_json_bool(&j, "ok", res[i].ok);
			kt_json_str(&j, "seen", res[i].seen);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_u64(&j, "failed", failed);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	} else if (failed || o->verbose) {
		struct kt_rows r;

		kt_assert_rows(res, a.n, o->verbose, &r);
		ret = print_rows(o, &r);
		kt_rows_free(&r);
	}
out:
	kt_assert_results_free(res, a.n);
	kt_assert_free(&a);
	kt_state_free(&c);
	kt_snapshot_free(&s);
	return ret ? KT_EXIT_ERROR : failed ? KT_EXIT_CHECK : KT_EXIT_OK;
}
