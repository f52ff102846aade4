// SPDX-License-Identifier: GPL-2.0-only
/* verify: the upgrade manifest against the incoming state (see verify.h). */
#include "check/verify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/json_write.h"
#include "base/size.h"
#include "base/util.h"
#include "decode/memblock.h"
#include "model/facts.h"

const char *const kt_mf_kind_name[KT_MF_NR_KINDS] = {"state",	"session", "file", "reserve_mem",
						     "subtree", "flb",	   "fd"};

struct vctx {
	const struct kt_verify_ops *ops;
	void *ctx;
	struct kt_verify_counts *n;
	const struct kt_sd_stores *sd; /* systemd's fd stores now, NULL when unknown */
	/* incoming regions, for the memblock pass */
	struct kt_mf_region *in;
	size_t nr_in, cap_in;
};

static void problem(struct vctx *v, enum kt_mf_kind kind, const char *name, const char *change,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct vctx *v, enum kt_mf_kind kind, const char *name, const char *change,
		    const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = kt_vasprintf(fmt, ap);
	va_end(ap);
	v->n->problems++;
	if (v->ops && v->ops->problem)
		v->ops->problem(v->ctx, kind, name, change, m);
	free(m);
}

static void in_region(void *ctx, const char *name, uint64_t start, uint64_t size)
{
	struct vctx *v = ctx;

	KT_GROW(v->in, v->cap_in, v->nr_in + 1);
	v->in[v->nr_in++] = (struct kt_mf_region){kt_strdup(name), start, size};
}

static void verify_blobs(const struct kt_manifest *m, const struct kt_snapshot *s, struct vctx *v)
{
	size_t i;

	for (i = 0; i < m->nr_blobs; i++) {
		const struct kt_mf_blob *b = &m->blobs[i];
		const struct kt_blob *in = kt_snapshot_sub(s, KT_IN, b->name);
		char sha[KT_SHA256_HEX];

		v->n->blobs++;
		if (!in) {
			problem(v, KT_MF_BLOB, b->name, "missing", "missing subtree %s (%" PRIu64 " bytes)",
				b->name, b->size);
			continue;
		}
		if (!b->content)
			continue;
		kt_sha256_hex(in->data, in->len, sha);
		if (in->len != b->size)
			problem(v, KT_MF_BLOB, b->name, "changed",
				"changed subtree %s: size %" PRIu64 " -> %zu", b->name, b->size, in->len);
		else if (strcmp(sha, b->sha256))
			problem(v, KT_MF_BLOB, b->name, "changed",
				"changed subtree %s: content (sha256 %.12s -> %.12s)", b->name, b->sha256,
				sha);
	}
}

static void verify_regions(const struct kt_manifest *m, const struct kt_snapshot *s, struct vctx *v)
{
	const struct kt_blob *mb = kt_snapshot_sub(s, KT_IN, MEMBLOCK_SUBTREE_NAME);
	bool bad = mb && kt_memblock_regions(mb, in_region, v);
	size_t i, k;

	for (i = 0; i < m->nr_regions; i++) {
		const struct kt_mf_region *r = &m->regions[i];

		v->n->regions++;
		for (k = 0; k < v->nr_in && strcmp(v->in[k].name, r->name); k++)
			;
		if (k == v->nr_in) {
			problem(v, KT_MF_REGION, r->name, "missing", "missing reserve-mem %s (%s)", r->name,
				!mb   ? "no in/sub_fdts/memblock"
				: bad ? "in/sub_fdts/memblock is malformed"
				      : "not in in/sub_fdts/memblock");
			continue;
		}
		if (v->in[k].start != r->start || v->in[k].size != r->size)
			problem(v, KT_MF_REGION, r->name, "changed",
				"changed reserve-mem %s: 0x%" PRIx64 "+%" PRIu64 " -> 0x%" PRIx64 "+%" PRIu64,
				r->name, r->start, r->size, v->in[k].start, v->in[k].size);
	}
}

/* The manifest holds names as its JSON reads back (kt_json_text): compare them that way. */
static const struct kt_luo_session *incoming_session(const struct kt_luo_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++) {
		char *text;
		bool same;

		if (st->sessions[i].state == KT_SESS_OUTGOING)
			continue;
		text = kt_json_text(st->sessions[i].name);
		same = !strcmp(text, name);
		free(text);
		if (same)
			return &st->sessions[i];
	}
	return NULL;
}

/* The unit's store holds fd name (of kind, or a session of that kernel name when session is set). */
static const struct kt_sd_stored_fd *in_store(const struct kt_sd_stores *sd, const char *unit,
					      const char *name)
{
	const struct kt_sd_store *s = sd && unit ? kt_sd_store_of(sd, unit) : NULL;
	size_t i;

	for (i = 0; s && i < s->nr_fds; i++)
		if (!strcmp(s->fds[i].name, name))
			return &s->fds[i];
	return NULL;
}

static bool back_in_store(const struct kt_sd_stores *sd, const char *unit, const char *fdname,
			  const char *session)
{
	const struct kt_sd_stored_fd *f = unit ? in_store(sd, unit, fdname) : NULL;
	const char *link = "anon_inode:[luo_session] ";

	return f && !strncmp(f->path, link, strlen(link)) && !strcmp(f->path + strlen(link), session);
}

/* Every fd the manifest lists for a unit is in the unit's store again, of the same kind. */
static void verify_units(const struct kt_manifest *m, struct vctx *v)
{
	size_t i, k;

	for (i = 0; i < m->nr_units; i++)
		for (k = 0; k < m->units[i].nr_fds; k++) {
			const struct kt_mf_sd_fd *mf = &m->units[i].fds[k];
			const struct kt_sd_stored_fd *f = in_store(v->sd, m->units[i].unit, mf->name);
			char *name = kt_asprintf("%s/%s", m->units[i].unit, mf->name);

			v->n->fds++;
			if (!f)
				problem(v, KT_MF_FD, name, "missing", "missing fd %s in the store of %s (%s)",
					mf->name, m->units[i].unit, mf->kind);
			else if (strcmp(kt_sd_fate_name[kt_sd_fate(f)], mf->kind))
				problem(v, KT_MF_FD, name, "changed",
					"changed fd %s in the store of %s: %s -> %s (%s)", mf->name,
					m->units[i].unit, mf->kind, kt_sd_fate_name[kt_sd_fate(f)], f->path);
			free(name);
		}
}

static void verify_sessions(const struct kt_manifest *m, const struct kt_luo_state *st, struct vctx *v)
{
	char h[32];
	size_t i, k, f;

	for (i = 0; i < m->nr_sessions; i++) {
		const struct kt_mf_session *ms = &m->sessions[i];
		const struct kt_luo_session *x = incoming_session(st, ms->name);

		v->n->sessions++;
		v->n->files += ms->nr_files;
		/*
		 * Retrieved by its service and finished (gone, or still open but emptied: RETRIEVE_FD
		 * takes each file out, FINISH drops the list), yet back in its unit's store: its
		 * files cannot be checked any more.
		 */
		if ((!x || (x->state == KT_SESS_RETRIEVED && x->files_known && !x->nr_files)) &&
		    back_in_store(v->sd, ms->unit, ms->fdname, ms->name)) {
			v->n->sessions_by_systemd++;
			continue;
		}
		if (!x) {
			problem(v, KT_MF_SESSION, ms->name, "missing", "missing session %s (%zu file%s)",
				ms->name, ms->nr_files, ms->nr_files == 1 ? "" : "s");
			continue;
		}
		for (k = 0; k < ms->nr_files; k++) {
			const struct kt_mf_file *mf = &ms->files[k];
			const struct kt_luo_file *xf = NULL;
			char *name = kt_asprintf("%s/%" PRIu64, ms->name, mf->token);

			for (f = 0; f < x->nr_files && !xf; f++)
				if (x->files[f].token == mf->token)
					xf = &x->files[f];
			if (!xf)
				problem(v, KT_MF_FILE, name, "missing",
					"missing file %s token=%" PRIu64 " (%s%s%s)", ms->name, mf->token,
					mf->handler, mf->has_size ? ", " : "",
					mf->has_size ? kt_fmt_size(mf->size, h) : "");
			else if (strcmp(xf->handler, mf->handler))
				problem(v, KT_MF_FILE, name, "changed",
					"changed file %s token=%" PRIu64 ": handler %s -> %s", ms->name,
					mf->token, mf->handler, xf->handler);
			else if (mf->has_size && xf->has_size && xf->size != mf->size)
				problem(v, KT_MF_FILE, name, "changed",
					"changed file %s token=%" PRIu64 ": size %" PRIu64 " -> %" PRIu64,
					ms->name, mf->token, mf->size, xf->size);
			else if (mf->has_size && !xf->has_size)
				v->n->sizes_unknown++;
			free(name);
		}
	}
}

/*
 * Every FLB the manifest lists must be in the previous kernel's FLB page with the same
 * handle and at least as many files: more is no loss (files preserved after the manifest
 * was saved, as systemd-shutdown does with the fd stores), fewer is.
 */
static void verify_flbs(const struct kt_manifest *m, const struct kt_luo_state *st, struct vctx *v)
{
	size_t i;

	for (i = 0; i < m->nr_flbs; i++) {
		const struct kt_mf_flb *mf = &m->flbs[i];
		const struct kt_luo_flb *f = kt_luo_find_flb(st, mf->name, true);

		v->n->flbs++;
		if (!f || !f->handed_over)
			problem(v, KT_MF_FLB, mf->name, "missing",
				"missing flb %s (%" PRIu64 " file%s depend on it)", mf->name, mf->files,
				mf->files == 1 ? "" : "s");
		else if (f->handed_over_count < mf->files)
			problem(v, KT_MF_FLB, mf->name, "changed",
				"changed flb %s: files %" PRIu64 " -> %" PRIu64, mf->name, mf->files,
				f->handed_over_count);
		else if (f->data != mf->data)
			problem(v, KT_MF_FLB, mf->name, "changed",
				"changed flb %s: data 0x%" PRIx64 " -> 0x%" PRIx64, mf->name, mf->data,
				f->data);
	}
}

int kt_manifest_verify(const struct kt_manifest *m, struct kt_state *c, const struct kt_verify_ops *ops,
		       void *ctx, struct kt_verify_counts *n, char *err, size_t errlen)
{
	const struct kt_snapshot *s = c->snap;
	struct vctx v = {.ops = ops, .ctx = ctx, .n = n};
	const struct kt_luo_state *st = NULL;
	const char *sd_why;
	char why[512];
	size_t i;

	memset(n, 0, sizeof(*n));
	if (!s->dir[KT_IN].present) {
		problem(&v, KT_MF_STATE, "in", "missing",
			"no incoming KHO state (no in/): this kernel was not started by a KHO kexec");
		return 0;
	}
	if (m->nr_sessions || m->nr_flbs) {
		st = kt_fact_luo(c, why, sizeof(why));
		if (!st)
			return kt_fail(err, errlen, -ENODATA, "cannot tell whether the sessions arrived: %s",
				       why);
	}
	for (i = 0; !v.sd && i < m->nr_sessions; i++)
		if (m->sessions[i].unit)
			v.sd = kt_state_sd_stores(c, &sd_why);
	if (m->nr_units) {
		v.sd = kt_state_sd_stores(c, &sd_why);
		if (!v.sd)
			return kt_fail(err, errlen, -ENODATA,
				       "cannot tell whether systemd's fd stores came back: %s", sd_why);
	}
	verify_blobs(m, s, &v);
	verify_regions(m, s, &v);
	verify_units(m, &v);
	if (st) {
		verify_sessions(m, st, &v);
		verify_flbs(m, st, &v);
	}
	for (i = 0; i < v.nr_in; i++)
		free(v.in[i].name);
	free(v.in);
	return 0;
}
