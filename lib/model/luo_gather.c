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
#include "decode/luo_kernel_flb.h"
#include "model/luo_state.h"
#include "model/luo_systemd.h"

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
	/* The decoders hand on as many files as they claim, bar a broken list. */
	if (claimed <= KT_LUO_MAX_LIST)
		KT_GROW(s->files, s->cap_files, claimed);
	return (void *)(uintptr_t)(b->st->nr_sessions - 1);
}

static void on_file(void *ctx, void *session, const struct kt_luo_file_rec *r)
{
	struct build *b = ctx;
	struct kt_luo_file *f = kt_luo_add_file(&b->st->sessions[(uintptr_t)session]);

	f->handler = kt_luo_handler_name(b->st, r->handler);
	f->token = r->token;
	f->data = r->data;
	f->retrieve_status = r->retrieve_status;
	f->has_size = r->has_size;
	f->size = r->size;
	if (r->error)
		f->error = kt_strdup(r->error);
	if (!r->detailed) {
		kt_luo_file_detail(b->pm, f);
	} else if (r->has_memfd) {
		f->memfd = r->memfd;
		f->has_memfd = true;
		f->has_size = true;
		f->size = r->memfd.size;
	} else if (!f->error) {
		f->error = kt_strdup(r->memfd_error);
	}
}

static void on_session_error(void *ctx, void *session, const char *msg)
{
	struct build *b = ctx;
	struct kt_luo_session *s = &b->st->sessions[(uintptr_t)session];

	free(s->error);
	s->error = kt_strdup(msg);
}

static const struct kt_luo_rec_ops build_ops = {on_session, on_file, on_session_error};

/* An entry of a serialized FLB page with no kernel view beside it (the previous kernel's, read after boot).
 */
static void on_serialized_flb(void *ctx, const char *name, uint64_t data, uint64_t count)
{
	struct kt_luo_flb *f = kt_luo_add_flb(ctx, name, true);

	f->state = KT_FLB_SERIALIZED;
	f->data = data;
	f->count = count;
	f->handed_over = true;
	f->handed_over_count = count;
}

/* The kernel's FLBs: registered ones (this kernel's direction), and how it sees what was handed over. */
struct flbs {
	struct kt_luo_state *st;
	struct kt_luo_flb_rec
	    *in; /* the incoming half of each registered FLB, by index of st's outgoing ones */
	char (*names)[LUO_FLB_COMPAT_LEN + 1];
	size_t n, cap_in, cap_names;
	size_t first; /* st->flbs[first + i] is the outgoing FLB of in[i] */
};

static char *dup_list(const char *list, size_t len)
{
	return list && len ? kt_memdup(list, len + 1) : NULL;
}

static void on_registered(void *ctx, const struct kt_luo_flb_rec *r)
{
	struct flbs *x = ctx;
	struct kt_luo_flb *f = kt_luo_add_flb(x->st, r->name, false);

	f->state = r->out_count > 0 ? KT_FLB_PRESERVED : KT_FLB_REGISTERED;
	f->count = r->out_count > 0 ? (uint64_t)r->out_count : 0;
	f->data = r->out_data;
	f->object = r->out_object;
	f->handlers = dup_list(r->handlers, r->handlers_len);
	f->handlers_len = f->handlers ? r->handlers_len : 0;
	KT_GROW(x->in, x->cap_in, x->n + 1);
	KT_GROW(x->names, x->cap_names, x->n + 1);
	x->in[x->n] = *r;
	snprintf(x->names[x->n++], sizeof(x->names[0]), "%s", r->name);
}

static void on_handed_over(void *ctx, const char *name, uint64_t data, uint64_t count)
{
	struct flbs *x = ctx;
	struct kt_luo_flb *f = kt_luo_add_flb(x->st, name, true);
	const struct kt_luo_flb_rec *r = NULL;
	const struct kt_luo_flb *mine;
	size_t i;

	for (i = 0; i < x->n && !r; i++)
		if (!strcmp(x->names[i], name))
			r = &x->in[i];
	mine = r ? &x->st->flbs[x->first + (r - x->in)] : NULL;
	f->data = data;
	f->count = count;
	f->handed_over = true;
	f->handed_over_count = count;
	if (!r) {
		f->state = KT_FLB_UNCLAIMED;
		return;
	}
	f->handlers = dup_list(mine->handlers, mine->handlers_len);
	f->handlers_len = f->handlers ? mine->handlers_len : 0;
	f->retrieve_status = r->retrieve_status;
	f->object = r->in_object;
	f->state = r->finished		    ? KT_FLB_FINISHED
		   : r->retrieve_status > 0 ? KT_FLB_RETRIEVED
		   : r->retrieve_status < 0 ? KT_FLB_FAILED
					    : KT_FLB_INCOMING;
	/* Once retrieved, the kernel counts the files still depending on it. */
	if (r->retrieve_status > 0 || r->finished)
		f->count = r->in_count > 0 ? (uint64_t)r->in_count : 0;
}

static void from_kernel_flbs(struct kt_physmem *pm, struct kt_luo_state *st)
{
	struct flbs x = {.st = st, .first = st->nr_flbs};
	struct kt_luo_flb_pages pages;
	char err[256];

	if (kt_luo_kernel_flbs(pm, on_registered, &x, &pages, err, sizeof(err))) {
		kt_luo_note(&st->flb_note, kt_strdup(err));
	} else {
		st->flbs_ok = true;
		if (pages.in_pa && kt_luo_flb_walk(pm, pages.in_pa, on_handed_over, &x, err, sizeof(err)))
			kt_luo_note(&st->flb_note, kt_asprintf("the previous kernel's FLB page: %s", err));
	}
	free(x.in);
	free(x.names);
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
	if (flbs_pa && kt_luo_flb_walk(pm, flbs_pa, on_serialized_flb, st, err, sizeof(err)))
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
		st->kernel_changing = ret == -EAGAIN;
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
	/*
	 * One the kernel's lists did not hold was created after they were read (or they
	 * were changing): listing it would mix two moments. procfs names sessions alone
	 * only when the kernel's lists cannot be read at all.
	 */
	if (!s && (o->st->kernel_ok || o->st->kernel_changing))
		return;
	if (!s)
		s = kt_luo_add_session(o->st, link + n, KT_SESS_OUTGOING);
	/* The first holder is the owner; dup, fork and fd passing add fds. */
	if (!s->fds++) {
		s->pid = pid;
		s->fd = fd;
		kt_procfs_comm(o->proc, pid, s->comm);
		/* PID 1 keeps sessions in units' fd stores: those are named from the stores. */
		if (pid != 1 && !s->unit)
			s->unit = kt_procfs_unit(o->proc, pid);
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

/* Sessions PID 1 holds are in units' fd stores: ask systemd which. */
static void from_pid1(struct kt_luo_state *st)
{
	struct kt_sd_stores stores;
	char err[256];
	size_t i;

	for (i = 0; i < st->nr_sessions && st->sessions[i].pid != 1; i++)
		;
	if (i == st->nr_sessions)
		return;
	if (kt_sd_stores_read(&stores, err, sizeof(err))) {
		kt_luo_note(&st->sd.stores_note, kt_strdup(err));
		return;
	}
	kt_luo_add_sd_stores(st, &stores);
	kt_sd_stores_free(&stores);
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
	if (pm && !from_kernel(pm, st)) {
		st->kernel_ok = true;
		from_kernel_flbs(pm, st);
	} else if (!pm && !st->kernel_note)
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
	kt_luo_add_sd_map(st, pm);
	from_pid1(st);
	return 0;
}
