/* SPDX-License-Identifier: GPL-2.0-only */
/* The sources' shared state (src*.c only; renderers see struct lt_frame). */
#ifndef LUO_TOP_SRC_STATE_H
#define LUO_TOP_SRC_STATE_H

#include "luo-top.h"

struct lt_src {
	const struct lt_opts *o;
	struct kt_trace *trace;
	const char *trace_off; /* status when tracing was not even tried */
	/* the probes loading in the background (src_load.c): NULL when done or never started */
	struct lt_loader *loader;
	double loaded_at; /* seconds from the start until that load ended; 0: not yet */
	char status[600]; /* a frame's tracing status composed here (loading, attach time) */
	/* the newest events, a ring */
	struct kt_event *ev, *ev_linear;
	size_t ev_head, ev_count;
	uint64_t ev_total, ev_seen;
	void (*user_fn)(void *, const struct kt_event *);
	void *user_ctx;
	/* LUO state: gathered again every few frames, or after a traced LUO call */
	struct kt_physmem *pm;
	bool pm_tried;
	struct kt_luo_state luo;
	uint64_t luo_seq;   /* the frame whose read of the kernel's lists held (0: none yet) */
	double luo_at;	    /* when the read of luo that held began */
	uint64_t luo_calls; /* LUO calls traced up to the last frame */
	/* traced per-session totals of the current frame */
	struct kt_trace_session *sv;
	size_t nsv;
};

/* How to trace, from the options; events go to the in-memory ring. */
void lt_bpf_opts(struct lt_src *s, struct kt_trace_opts *to);
int lt_bpf_open(struct lt_src *s);
void lt_bpf_close(struct lt_src *s, int *links);
void lt_bpf_collect(struct lt_src *s, struct lt_frame *f);
/*
 * The traced per-session totals, in a read no session was created or released during.
 * Read again after the LUO state, they know every session it lists and say which of
 * them have been released since, so the rows are of one moment.
 */
void lt_bpf_sessions(struct lt_src *s, const struct lt_frame *f);
/* Session lifecycle calls (create, retrieve, release, ...) among fn's totals. */
uint64_t lt_luo_calls(const struct kt_fn_stat *fn);

/*
 * src_load.c: the probes loaded by a thread of their own while frames are drawn.
 * lt_load_adopt takes the finished load into s->trace (nothing while it still runs);
 * lt_load_frame sets the frame's loading state, attach time and status; lt_load_stop
 * at the end takes a finished load, or leaves a running one to end with the process.
 */
int lt_load_start(struct lt_src *s);
void lt_load_adopt(struct lt_src *s);
void lt_load_frame(struct lt_src *s, struct lt_frame *f);
void lt_load_stop(struct lt_src *s);

#endif
