// SPDX-License-Identifier: GPL-2.0-only
/* metrics: Prometheus text exposition, for node_exporter's textfile collector. */
#include <errno.h>
#include <stdio.h>

#include "check/metrics.h"
#include "kho-inspect.h"

int cmd_metrics(const struct opts *o, int argc, char **argv)
{
	struct kt_snapshot s;
	struct kt_state c;
	char err[1024];
	int ret;

	if (argc) {
		report_error(o, "unexpected argument '%s'", argv[0]);
		return KT_EXIT_ERROR;
	}
	if (o->json) {
		report_error(o, "metrics writes the Prometheus text format: -J does not apply");
		return KT_EXIT_ERROR;
	}
	ret = kt_snapshot_load(o->root, &s, err, sizeof(err));
	/* A live kernel without KHO is a value (kho_enabled 0), not an error. */
	if (ret == -ENOENT && !o->root) {
		kt_snapshot_free(&s);
		kt_metrics_write(stdout, NULL);
		return KT_EXIT_OK;
	}
	if (ret) {
		report_error(o, "%s", err);
		kt_snapshot_free(&s);
		return KT_EXIT_ERROR;
	}
	kt_state_init(&c, &s);
	kt_metrics_write(stdout, &c);
	kt_state_free(&c);
	kt_snapshot_free(&s);
	return fflush(stdout) ? KT_EXIT_ERROR : KT_EXIT_OK;
}
