// SPDX-License-Identifier: GPL-2.0-only
/* save --manifest FILE before the reboot, verify FILE after it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/manifest.h"
#include "check/verify.h"
#include "kho-inspect.h"
#include "base/util.h"

int save_manifest(const struct opts *o, const struct kt_snapshot *s)
{
	struct kt_state c;
	struct kt_manifest m;
	char err[1024];
	size_t i, files = 0, fds = 0;
	int ret;

	kt_state_init(&c, s);
	ret = kt_manifest_build(&c, &m, err, sizeof(err));
	if (!ret)
		ret = kt_manifest_save(&m, o->manifest, err, sizeof(err));
	kt_state_free(&c);
	if (ret) {
		report_error(o, "manifest: %s", err);
		kt_manifest_free(&m);
		return KT_EXIT_ERROR;
	}
	for (i = 0; i < m.nr_sessions; i++)
		files += m.sessions[i].nr_files;
	for (i = 0; i < m.nr_units; i++)
		fds += m.units[i].nr_fds;
	if (o->json && !o->output) {
		struct kt_json j;

		json_begin(&j, o, s);
		kt_json_str(&j, "manifest", o->manifest);
		kt_json_u64(&j, "sessions", m.nr_sessions);
		kt_json_u64(&j, "files", files);
		kt_json_u64(&j, "reserve_mem", m.nr_regions);
		kt_json_u64(&j, "subtrees", m.nr_blobs);
		kt_json_u64(&j, "flbs", m.nr_flbs);
		kt_json_u64(&j, "units", m.nr_units);
		kt_json_u64(&j, "unit_fds", fds);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	} else if (!o->json) {
		printf("manifest %s: %zu session(s), %zu file(s), %zu reserve-mem region(s), %zu subtree(s), "
		       "%zu FLB(s)",
		       o->manifest, m.nr_sessions, files, m.nr_regions, m.nr_blobs, m.nr_flbs);
		if (m.nr_units)
			printf(", %zu fd(s) of %zu systemd unit(s)", fds, m.nr_units);
		printf("\n");
	}
	kt_manifest_free(&m);
	return KT_EXIT_OK;
}

/* Problems are kept until the end: a "cannot tell" must come before any output. */
struct problem {
	enum kt_mf_kind kind;
	char *name, *change, *msg;
};

struct report {
	struct problem *p;
	size_t n, cap;
};

static void on_problem(void *ctx, enum kt_mf_kind kind, const char *name, const char *change, const char *msg)
{
	struct report *r = ctx;

	KT_GROW(r->p, r->cap, r->n + 1);
	r->p[r->n++] = (struct problem){kind, kt_strdup(name), kt_strdup(change), kt_strdup(msg)};
}

static void print_json(const struct opts *o, const struct kt_snapshot *s, const char *path,
		       const struct kt_verify_counts *n, const struct report *r)
{
	struct kt_json j;
	size_t i;

	json_begin(&j, o, s);
	kt_json_str(&j, "manifest", path);
	kt_json_obj_begin(&j, "checked");
	kt_json_u64(&j, "sessions", n->sessions);
	kt_json_u64(&j, "files", n->files);
	kt_json_u64(&j, "reserve_mem", n->regions);
	kt_json_u64(&j, "subtrees", n->blobs);
	kt_json_u64(&j, "flbs", n->flbs);
	kt_json_u64(&j, "unit_fds", n->fds);
	kt_json_u64(&j, "sessions_by_systemd", n->sessions_by_systemd);
	kt_json_u64(&j, "sizes_unknown", n->sizes_unknown);
	kt_json_obj_end(&j);
	kt_json_arr_begin(&j, "problems");
	for (i = 0; i < r->n; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "kind", kt_mf_kind_name[r->p[i].kind]);
		kt_json_str(&j, "name", r->p[i].name);
		kt_json_str(&j, "change", r->p[i].change);
		kt_json_str(&j, "message", r->p[i].msg);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_u64(&j, "failed", n->problems);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

static void print_text(const struct kt_verify_counts *n, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		printf("%s\n", r->p[i].msg);
	if (n->problems)
		printf("verify: %zu problem(s)\n", n->problems);
	if (n->problems)
		return;
	printf("verified: %zu session(s), %zu file(s), %zu reserve-mem region(s), %zu subtree(s), %zu FLB(s)",
	       n->sessions, n->files, n->regions, n->blobs, n->flbs);
	if (n->fds)
		printf(", %zu systemd fd(s)", n->fds);
	if (n->sessions_by_systemd)
		printf(" (%zu session(s) back in their unit's fd store: files not checked)",
		       n->sessions_by_systemd);
	printf("%s\n", n->sizes_unknown ? " (some file sizes unknown here: compared by token)" : "");
}

int cmd_verify(const struct opts *o, int argc, char **argv)
{
	static const struct kt_verify_ops ops = {on_problem};
	struct kt_verify_counts n;
	struct report r = {0};
	struct kt_manifest m;
	struct kt_snapshot s;
	struct kt_state c;
	char err[1024];
	uint8_t *buf;
	size_t len, i;
	int ret;

	if (argc != 1) {
		report_error(o, "verify needs one manifest FILE (written by save --manifest)");
		return KT_EXIT_ERROR;
	}
	ret = kt_read_file(argv[0], KT_MANIFEST_MAX, &buf, &len);
	if (ret) {
		report_error(o, "%s: %s", argv[0],
			     ret == -EFBIG ? "larger than a manifest can be" : strerror(-ret));
		return KT_EXIT_ERROR;
	}
	ret = kt_manifest_parse(buf, len, &m, err, sizeof(err));
	free(buf);
	if (ret) {
		report_error(o, "%s: %s", argv[0], err);
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, o->root, &s)) {
		kt_manifest_free(&m);
		return KT_EXIT_ERROR;
	}
	kt_state_init(&c, &s);
	ret = kt_manifest_verify(&m, &c, &ops, &r, &n, err, sizeof(err));
	if (ret)
		report_error(o, "verify: %s", err);
	else if (o->json)
		print_json(o, &s, argv[0], &n, &r);
	else
		print_text(&n, &r);
	for (i = 0; i < r.n; i++) {
		free(r.p[i].name);
		free(r.p[i].change);
		free(r.p[i].msg);
	}
	free(r.p);
	kt_state_free(&c);
	kt_snapshot_free(&s);
	kt_manifest_free(&m);
	return ret ? KT_EXIT_ERROR : n.problems ? KT_EXIT_CHECK : KT_EXIT_OK;
}
