// SPDX-License-Identifier: GPL-2.0-only
/* Gathering the LUO state from its sources (see luo_state.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/luo_chain.h"
#include "decode/luo_flb.h"
#include "decode/luo_hdr.h"
#include "decode/luo_kernel.h"
#include "model/luo_state.h"

/* ---- records from the decoders ------------------------------------------------------- */

struct build {
	struct kt_luo_state *st;
	struct kt_physmem *pm;
};

/* Sessions are handed back by index: the array may move as it grows. */
static void *on_session(void *ctx, const char *name, enum kt_sess_state state, uint64_t claimed)
{
	struct build *b = ctx;
	struct kt_luo_session *s = kt_luo_add_session(b->st, name, state);

	s->files_known = true;
	s->files_claimed = claimed;
	return (void *)(uintptr_t)(b->st->nr_sessions - 1);
}

static void on_file(void *ctx, void *session, const struct kt_luo_file_rec *r)
{
	struct build *b = ctx;
	struct kt_luo_file *f = kt_luo_add_file(&b->st->sessions[(uintptr_t)session]);

	snprintf(f->handler, sizeof(f->handler), "%s", r->handler);
	f->token = r->token;
	f->data = r->data;
	f->retrieve_status = r->retrieve_status;
	f->has_size = r->has_size;
	f->size = r->size;
	if (r->error)
		f->error = kt_strdup(r->error);
	kt_luo_file_detail(b->pm, f);
}

static void on_session_error(void *ctx, void *session, const char *msg)
{
	struct build *b = ctx;
	struct kt_luo_session *s = &b->st->sessions[(uintptr_t)session];

	free(s->error);
	s->error = kt_strdup(msg);
}

static const struct kt_luo_rec_ops build_ops = {on_session, on_file, on_session_error};

static void on_flb(void *ctx, const char *name, uint64_t data, uint64_t count)
{
	struct kt_luo_flb *f = kt_luo_add_flb(ctx, name);

	f->data = data;
	f->count = count;
	f->incoming = true;
}

/* ---- sources ---------------------------------------------------------------------- */

int kt_luo_add_serialized(struct kt_luo_state *st, struct kt_physmem *pm, uint64_t sessions_pa,
			  uint64_t flbs_pa)
{
	struct build b = {st, pm};
	size_t before = st->nr_sessions;
	char err[256];
	int ret;

	if (!sessions_pa) {
		kt_luo_note(&st->serialized_note, kt_strdup("no serialized sessions (sessions_pa is 0)"));
		return -ENODATA;
	}
	ret = kt_luo_chain_walk(pm, sessions_pa, &build_ops, &b, err, sizeof(err));
	if (ret) {
		/* Deserialization frees the chain: what is there now is not sessions. */
		while (st->nr_sessions > before)
			kt_luo_session_free(&st->sessions[--st->nr_sessions]);
		kt_luo_note(
		    &st->serialized_note,
		    kt_asprintf("serialized sessions unreadable (freed once deserialized?): %s", err));
		return ret;
	}
	if (flbs_pa && kt_luo_flb_walk(pm, flbs_pa, on_flb, st, err, sizeof(err)))
		kt_luo_note(&st->serialized_note, kt_strdup(err));
	st->serialized_ok = true;
	return 0;
}

static int from_kernel(struct kt_physmem *pm, struct kt_luo_state *st)
{
	struct build b = {st, pm};
	struct kt_luo_kernel_incoming in;
	char err[256];
	int ret = kt_luo_kernel_walk(pm, &build_ops, &b, &in, err, sizeof(err));

	if (ret) {
		st->kernel_note = kt_strdup(err);
		return ret;
	}
	if (in.known && in.active && in.head_pa)
		kt_luo_add_serialized(st, pm, in.head_pa, 0);
	else if (in.known)
		st->incoming_settled = true; /* nothing was handed over, or every session finished */
	return 0;
}

/* Names are unique in each direction; an fd exists for sessions created here and retrieved ones. */
static struct kt_luo_session *find_open(struct kt_luo_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		if ((st->sessions[i].state == KT_SESS_OUTGOING ||
		     st->sessions[i].state == KT_SESS_RETRIEVED) &&
		    !strcmp(st->sessions[i].name, name))
			return &st->sessions[i];
	return NULL;
}

struct owners {
	const char *proc;
	struct kt_luo_state *st;
};

static void on_fd(void *ctx, int pid, int fd, const char *link)
{
	const size_t n = strlen(KT_PROC_SESSION_LINK);
	struct owners *o = ctx;
	struct kt_luo_session *s;

	if (strncmp(link, KT_PROC_SESSION_LINK, n) || !link[n])
		return;
	s = find_open(o->st, link + n);
	if (!s)
		s = kt_luo_add_session(o->st, link + n, KT_SESS_OUTGOING);
	/* The first holder is the owner; dup, fork and fd passing add fds. */
	if (!s->fds++) {
		s->pid = pid;
		s->fd = fd;
		kt_procfs_comm(o->proc, pid, s->comm);
	}
}

int kt_luo_add_owners(struct kt_luo_state *st, const char *proc)
{
	struct owners o = {proc, st};
	unsigned int unreadable;
	int ret = kt_procfs_fds(proc, on_fd, &o, &unreadable);

	if (ret)
		kt_luo_note(&st->procfs_note, kt_asprintf("%s: %s", proc, strerror(-ret)));
	else if (unreadable)
		kt_luo_note(&st->procfs_note,
			    kt_asprintf("fds of %u processes unreadable (not root): owners may be missing",
					unreadable));
	return ret;
}

int kt_luo_gather(const struct kt_snapshot *s, struct kt_physmem *pm, struct kt_luo_state *st)
{
	const struct kt_file *saved = kt_snapshot_file(s, KT_LUO_STATE_FILE);
	const char *proc;
	struct kt_luo_hdr in;
	char err[256];
	int ret;

	memset(st, 0, sizeof(*st));
	if (s->kind != KT_SRC_LIVE) {
		if (!saved) {
			st->kernel_note = kt_asprintf(
			    "%s carries none (a plain copy of debugfs, or saved by another tool)", s->origin);
			st->unavailable = true;
			return -ENOENT;
		}
		ret = kt_luo_state_import(saved->data, saved->len, st, err, sizeof(err));
		if (ret) {
			kt_luo_state_free(st);
			st->kernel_note = kt_asprintf("%s/%s: %s", s->origin, KT_LUO_STATE_FILE, err);
			st->unavailable = true;
		}
		st->saved = !ret;
		return ret;
	}
	if (pm && !from_kernel(pm, st))
		st->kernel_ok = true;
	else if (!pm && !st->kernel_note)
		st->kernel_note = kt_strdup("no physical memory access");
	/*
	 * Without the kernel's own view, fall back to the debugfs copy of luo_ser,
	 * only when it validates: LUO frees it early in boot, and its chains are
	 * freed in turn when the first open of /dev/liveupdate deserializes them.
	 */
	kt_luo_hdr_parse(kt_snapshot_sub(s, KT_IN, LUO_SUBTREE_NAME), KT_IN, &in);
	if (pm && !st->kernel_ok && in.fmt == KT_LUO_V5)
		kt_luo_add_serialized(st, pm, in.sessions_pa, in.flbs_pa);
	proc = getenv("KHO_TOOLS_PROC"); /* tests: a fabricated /proc */
	kt_luo_add_owners(st, proc && *proc ? proc : "/proc");
	return 0;
}
