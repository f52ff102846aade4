// SPDX-License-Identifier: GPL-2.0-only
/*
 * The traced data of a frame (lib/trace.h): exact totals per function, handler and
 * session, and the newest events kept in memory for the Events view.
 */
#include <stdlib.h>
#include <string.h>

#include "luo-top.h"
#include "src_state.h"

#define EVENTS_KEPT 2048

static void keep_event(void *ctx, const struct kt_event *e)
{
	struct lt_src *s = ctx;

	if (!s->ev) {
		s->ev = calloc(EVENTS_KEPT, sizeof(*s->ev));
		if (!s->ev)
			return;
	}
	s->ev[s->ev_head] = *e;
	s->ev_head = (s->ev_head + 1) % EVENTS_KEPT;
	if (s->ev_count < EVENTS_KEPT)
		s->ev_count++;
	s->ev_total++;
	if (s->user_fn)
		s->user_fn(s->user_ctx, e);
}

void lt_bpf_opts(struct lt_src *s, struct kt_trace_opts *to)
{
	*to = (struct kt_trace_opts){
	    .pid = s->o->pid,
	    .force_kprobe = s->o->force_kprobe,
	    .pages = s->o->pages,
	    .verbose = s->o->verbose,
	    .on_event = keep_event,
	    .ctx = s,
	};
}

int lt_bpf_open(struct lt_src *s)
{
	struct kt_trace_opts to;

	lt_bpf_opts(s, &to);
	return kt_trace_open(&to, &s->trace);
}

void lt_bpf_close(struct lt_src *s, int *links)
{
	int n = kt_trace_close(s->trace);

	s->trace = NULL;
	if (links)
		*links = n;
	free(s->ev);
	s->ev = NULL;
	free(s->ev_linear);
	s->ev_linear = NULL;
	free(s->sv);
	s->sv = NULL;
	s->nsv = 0;
}

/* The kept events, oldest first, and how many arrived since the last frame. */
static void events_into(struct lt_src *s, struct lt_frame *f)
{
	size_t i, start;

	f->events = NULL;
	f->nr_events = 0;
	f->total_events = s->ev_total;
	f->new_events = s->ev_total - s->ev_seen;
	if (!s->ev_count)
		return;
	if (!s->ev_linear) {
		s->ev_linear = calloc(EVENTS_KEPT, sizeof(*s->ev_linear));
		if (!s->ev_linear)
			return;
		s->ev_seen = 0;
		f->new_events = s->ev_total;
	}
	/* Unchanged since the last frame: the linear copy is still right. */
	if (f->new_events) {
		start = (s->ev_head + EVENTS_KEPT - s->ev_count) % EVENTS_KEPT;
		for (i = 0; i < s->ev_count; i++)
			s->ev_linear[i] = s->ev[(start + i) % EVENTS_KEPT];
	}
	s->ev_seen = s->ev_total;
	f->events = s->ev_linear;
	f->nr_events = s->ev_count;
	if (f->new_events > f->nr_events)
		f->new_events = f->nr_events;
}

uint64_t lt_luo_calls(const struct kt_fn_stat *fn)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < KT_FN_MAX; i++)
		if (kt_fn_info[i].cls == KT_CLS_LUO)
			n += fn[i].count;
	return n;
}

static uint64_t luo_calls_now(struct lt_src *s)
{
	struct kt_fn_stat fn[KT_FN_MAX];

	memset(fn, 0, sizeof(fn));
	kt_trace_fn_totals(s->trace, fn);
	return lt_luo_calls(fn);
}

/*
 * The per-session totals are a map read entry by entry: a session created or released
 * meanwhile tears it (a released one read before, its successor after). A read between
 * two equal counts of LUO calls held; after SESSION_READS that did not, the last one
 * that held stays.
 */
#define SESSION_READS 5

void lt_bpf_sessions(struct lt_src *s, const struct lt_frame *f)
{
	struct kt_trace_session *v;
	size_t n;
	int i;

	if (!f->tracing)
		return;
	for (i = 0; i < SESSION_READS; i++) {
		uint64_t before = luo_calls_now(s);

		if (kt_trace_sessions(s->trace, &v, &n))
			return;
		if (luo_calls_now(s) == before) {
			free(s->sv);
			s->sv = v;
			s->nsv = n;
			return;
		}
		free(v);
	}
}

void lt_bpf_collect(struct lt_src *s, struct lt_frame *f)
{
	free(f->traced);
	f->traced = NULL;
	f->nr_traced = 0;
	memset(f->fn, 0, sizeof(f->fn));
	f->tracing = kt_trace_active(s->trace);
	f->trace_status = s->trace ? kt_trace_status(s->trace) : s->trace_off;
	f->dropped = 0;
	f->probes = NULL;
	f->pages = false;
	if (s->trace) {
		size_t i, n = kt_trace_probes(s->trace, &f->probes);

		for (i = 0; i < n; i++)
			if ((kt_fn_info[i].flags & KT_F_HOT) && f->probes[i].attached)
				f->pages = true;
	}
	if (!f->tracing) {
		events_into(s, f);
		return;
	}
	kt_trace_consume(s->trace);
	kt_trace_fn_totals(s->trace, f->fn);
	kt_trace_handlers(s->trace, &f->traced, &f->nr_traced);
	lt_bpf_sessions(s, f);
	f->dropped = kt_trace_dropped(s->trace);
	events_into(s, f);
}
