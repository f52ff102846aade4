// SPDX-License-Identifier: GPL-2.0-only
/* The sources of a frame, opened once and read once per refresh. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_write.h"
#include "luo-top.h"
#include "model/state.h"
#include "src_state.h"
#include "base/util.h"

int lt_src_open(const struct lt_opts *o, struct lt_src **srcp)
{
	struct lt_src *s = calloc(1, sizeof(*s));
	int err = 0;

	*srcp = NULL;
	if (!s) {
		kt_errmsg("out of memory");
		return LT_EXIT_ERROR;
	}
	lt_clock_start();
	s->o = o;
	/* Frames need KHO; the tracing modes work on whatever functions exist. */
	if (!o->trace && !o->probes) {
		struct lt_frame f = {0};

		if (lt_kho_load(o->root, &f)) {
			kt_errmsg("%s", f.kho_error);
			if (o->json)
				kt_json_error(stdout, f.kho_error);
			lt_kho_free(&f);
			free(s);
			return LT_EXIT_ERROR;
		}
		lt_kho_free(&f);
	}
	/* --trace and --probes need the probes: they wait. Frames come at once and fill in. */
	if (o->no_bpf) {
		s->trace_off = "off: disabled (--no-bpf)";
	} else if (o->trace || o->probes) {
		err = lt_bpf_open(s);
	} else {
		err = lt_load_start(s);
	}
	if (err) {
		kt_errmsg("cannot load the probes: %s", strerror(-err));
		free(s);
		return LT_EXIT_ERROR;
	}
	*srcp = s;
	return LT_EXIT_OK;
}

void lt_src_close(struct lt_src *s, int *links)
{
	if (links)
		*links = 0;
	if (!s)
		return;
	lt_load_stop(s);
	if (s->trace)
		lt_bpf_close(s, links);
	kt_luo_state_free(&s->luo);
	if (s->pm)
		kt_physmem_close(s->pm);
	free(s);
}

struct kt_trace *lt_src_trace(struct lt_src *s)
{
	return s->trace;
}

void lt_src_on_event(struct lt_src *s, void (*fn)(void *, const struct kt_event *), void *ctx)
{
	s->user_fn = fn;
	s->user_ctx = ctx;
}

/* -1 without tracing, also while the probes load: ask again after each frame. */
int lt_src_event_fd(struct lt_src *s)
{
	return kt_trace_fd(s->trace);
}

void lt_src_consume(struct lt_src *s)
{
	if (s->trace)
		kt_trace_consume(s->trace);
}

void lt_src_wait(struct lt_src *s, int ms)
{
	if (ms < 0)
		ms = 0;
	if (kt_trace_active(s->trace))
		kt_trace_poll(s->trace, ms);
	else
		poll(NULL, 0, ms); /* a signal ends it early */
}

/*
 * Gather the LUO state again. When the kernel's lists changed on every read, the last
 * read that held stays on screen (the frame says it is older), never a torn one.
 */
static void lt_luo_refresh(struct lt_src *s, struct lt_frame *f)
{
	struct kt_luo_state next;
	double at = lt_now();

	kt_luo_gather(f->snap, s->pm, &next);
	f->luo_changing = next.kernel_changing;
	if (next.kernel_changing) {
		snprintf(f->luo_changing_note, sizeof(f->luo_changing_note), "%s", next.kernel_note);
		if (s->luo_seq) {
			kt_luo_state_free(&next);
			return;
		}
	}
	kt_luo_state_free(&s->luo);
	s->luo = next;
	s->luo_at = at;
	if (!next.kernel_changing)
		s->luo_seq = f->seq;
}

/*
 * Since when a session only tracing saw may be shown live: since the LUO read that
 * held began; never while the kernel's lists have changed on every read so far; always
 * when they cannot be read at all.
 */
static uint64_t traced_since(const struct lt_src *s)
{
	if (s->luo_seq)
		return lt_t0_ns + (uint64_t)(s->luo_at * 1e9);
	return s->luo.kernel_changing ? UINT64_MAX : 0;
}

int lt_src_collect(struct lt_src *s, struct lt_frame *f)
{
	uint64_t luo;
	double start;
	bool full;

	f->seq++;
	f->uptime = lt_now();
	start = f->uptime;
	/* A saved snapshot does not change: read it once. */
	if (!s->o->root || !f->snap)
		lt_kho_load(s->o->root, f);
	lt_load_adopt(s);
	if (s->trace)
		lt_bpf_collect(s, f);
	else
		f->trace_status = s->trace_off;
	lt_load_frame(s, f);
	/* A session created, retrieved or closed is a LUO call: then every link is read again. */
	luo = lt_luo_calls(f->fn);
	full = f->seq % (f->tracing ? 10 : 5) == 1 || luo != s->luo_calls;
	s->luo_calls = luo;
	if (full && f->snap) {
		char err[256];

		if (!s->pm_tried) {
			s->pm_tried = true;
			if (kt_physmem_open_for(f->snap, &s->pm, err, sizeof(err)))
				s->pm = NULL; /* procfs still names the sessions and owners */
		}
		lt_luo_refresh(s, f);
		lt_bpf_sessions(s, f);
	}
	f->luo = &s->luo;
	f->luo_seq = s->luo_seq;
	f->sessions.n = 0;
	f->handlers.n = 0;
	lt_sessions_from_luo(&s->luo, &f->sessions);
	lt_handlers_from_luo(&s->luo, &f->handlers);
	lt_handlers_merge_bpf(&f->handlers, f->traced, f->nr_traced);
	if (s->nsv)
		lt_sessions_merge_bpf(&f->sessions, s->sv, s->nsv, traced_since(s),
				      lt_t0_ns + (uint64_t)(f->uptime * 1e9));
	f->collect_ms = (lt_now() - start) * 1000;
	return 0;
}

void lt_frame_free(struct lt_frame *f)
{
	lt_kho_free(f);
	lt_sessions_free(&f->sessions);
	lt_handlers_free(&f->handlers);
	free(f->traced);
	memset(f, 0, sizeof(*f));
}
