// SPDX-License-Identifier: GPL-2.0-only
/*
 * finalize / abort: the out/finalize control of 6.16-6.19 kernels. The only
 * commands that write to the kernel, and only with --yes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check/finalize.h"
#include "kho-inspect.h"

static const char *const state_name[] = {"not finalized", "finalized"};

static void report(const struct opts *o, const struct kt_finalize_plan *p, const char *action, int after,
		   bool dry, const char *text)
{
	struct kt_json j;

	if (!o->json) {
		printf("%s\n", text);
		return;
	}
	kt_json_init(&j, stdout, o->pretty);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_str(&j, "action", action);
	kt_json_str(&j, "path", p->path);
	kt_json_u64(&j, "before", p->current);
	if (after >= 0)
		kt_json_u64(&j, "after", after);
	else
		kt_json_null(&j, "after");
	kt_json_bool(&j, "changed", after >= 0 && after != p->current);
	kt_json_bool(&j, "dry_run", dry);
	kt_json_str(&j, "message", text);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

static int finalize_to(const struct opts *o, int argc, char **argv, int target)
{
	const char *action = target ? "finalize" : "abort";
	struct kt_finalize_plan p;
	struct kt_snapshot s;
	struct kt_state c;
	char text[1024];
	int ret, now = -1;

	if (argc) {
		report_error(o, "unexpected argument '%s'", argv[0]);
		return KT_EXIT_ERROR;
	}
	if (o->root) {
		report_error(o, "%s acts on the running kernel: --root does not apply", action);
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, NULL, &s))
		return KT_EXIT_ERROR;
	kt_state_init(&c, &s);
	ret = kt_finalize_plan(&c, target, &p);
	kt_state_free(&c);
	kt_snapshot_free(&s);
	if (ret) {
		report_error(o, "%s: %s", action, p.reason);
		goto out;
	}
	if (p.current == target) {
		snprintf(text, sizeof(text), "KHO is already %s (%s = %d): nothing to do", state_name[target],
			 p.path, target);
		report(o, &p, action, p.current, o->dry_run, text);
		goto out;
	}
	if (o->dry_run) {
		snprintf(text, sizeof(text), "would write %d to %s (now %d: %s)", target, p.path, p.current,
			 state_name[p.current]);
		report(o, &p, action, -1, true, text);
		goto out;
	}
	if (!o->yes) {
		ret = -EPERM;
		report_error(o,
			     "%s: refusing to write %s without --yes (see what would be done with --dry-run)",
			     action, p.path);
		goto out;
	}
	if (geteuid()) {
		ret = -EPERM;
		report_error(o, "%s: writing %s needs root", action, p.path);
		goto out;
	}
	ret = kt_finalize_apply(&p, &now);
	if (ret) {
		report_error(o, "%s: %s: %s", action, p.path, strerror(-ret));
		ret = KT_EXIT_CHECK;
		goto out;
	}
	if (now != target) {
		snprintf(text, sizeof(text), "wrote %d to %s but it reads back %d", target, p.path, now);
		report(o, &p, action, now, false, text);
		ret = KT_EXIT_CHECK;
		goto out;
	}
	snprintf(text, sizeof(text), "%s: %s %d -> %d (%s)", action, p.path, p.current, now, state_name[now]);
	report(o, &p, action, now, false, text);
out:
	kt_finalize_plan_free(&p);
	return ret == KT_EXIT_CHECK ? KT_EXIT_CHECK : ret ? KT_EXIT_ERROR : KT_EXIT_OK;
}

int cmd_finalize(const struct opts *o, int argc, char **argv)
{
	return finalize_to(o, argc, argv, 1);
}

int cmd_abort(const struct opts *o, int argc, char **argv)
{
	return finalize_to(o, argc, argv, 0);
}
