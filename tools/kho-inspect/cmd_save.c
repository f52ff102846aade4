// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kho-inspect.h"
#include "base/util.h"

int cmd_save(const struct opts *o, int argc, char **argv)
{
	struct kt_snapshot s;
	char err[1024], def[64];
	const char *dest = o->output;
	int ret;

	(void)argv;
	if (argc) {
		report_error(o, "save takes no arguments (use -o DIR|FILE.tar)");
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, o->root, &s))
		return KT_EXIT_ERROR;
	/* --manifest: what must survive the reboot (for verify); the snapshot too only with -o. */
	if (o->manifest) {
		ret = save_manifest(o, &s);
		if (ret || !o->output) {
			kt_snapshot_free(&s);
			return ret;
		}
	}
	if (s.kind == KT_SRC_LIVE) {
		/* Carry what sessions, handlers, global and mem read beyond debugfs. */
		struct kt_state c;

		kt_state_init(&c, &s);
		ret = kt_state_capture(&c, &s);
		if (ret && o->verbose)
			kt_errmsg("no physical memory saved: %s", c.pm_note ? c.pm_note : strerror(-ret));
		kt_state_free(&c);
	}
	if (!dest) {
		time_t t = time(NULL);

		strftime(def, sizeof(def), "kho-snapshot-%Y%m%d-%H%M%S", gmtime(&t));
		dest = def;
	}
	ret = kt_snapshot_save(&s, dest, err, sizeof(err));
	if (ret) {
		report_error(o, "%s", err);
	} else if (o->json) {
		struct kt_json j;

		json_begin(&j, o, &s);
		kt_json_str(&j, "saved", dest);
		kt_json_u64(&j, "files", s.files.n);
		if (o->manifest)
			kt_json_str(&j, "manifest", o->manifest);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	} else {
		printf("saved %zu files to %s\n", s.files.n, dest);
	}
	kt_snapshot_free(&s);
	return ret ? KT_EXIT_ERROR : KT_EXIT_OK;
}
