// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading the probes in the background for the frame modes: under emulation deciding,
 * verifying and attaching take seconds, and the screen comes up without them. The
 * loader thread only runs kt_trace_open() into a block of its own; the main thread
 * looks at nothing in that block but its state until the state says the load is done,
 * then joins the thread and takes the handle. Events are read by the main thread only,
 * as before: the thread never polls the ring buffer, so keep_event() never runs in it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "luo-top.h"
#include "src_state.h"

enum { LOAD_RUNNING, LOAD_DONE, LOAD_ABANDONED };

struct lt_loader {
	atomic_int state; /* LOAD_*: the thread moves it to DONE, the main thread to ABANDONED */
	pthread_t thread;
	struct kt_trace_opts to;
	struct kt_trace *t; /* the thread's result: read only once the state is DONE */
	double at;	    /* lt_now() when kt_trace_open returned */
};

static void *load(void *arg)
{
	struct lt_loader *l = arg;
	int running = LOAD_RUNNING;

	/* kt_trace_open fails only when memory runs out: the frames then say tracing is off. */
	if (kt_trace_open(&l->to, &l->t))
		l->t = NULL;
	l->at = lt_now();
	if (atomic_compare_exchange_strong_explicit(&l->state, &running, LOAD_DONE, memory_order_acq_rel,
						    memory_order_acquire))
		return NULL;
	/* luo-top is ending and left us on our own: nobody will join or take the result. */
	kt_trace_close(l->t);
	free(l);
	return NULL;
}

int lt_load_start(struct lt_src *s)
{
	struct lt_loader *l = calloc(1, sizeof(*l));
	sigset_t all, old;
	int err;

	if (!l)
		return -ENOMEM;
	atomic_init(&l->state, LOAD_RUNNING);
	lt_bpf_opts(s, &l->to);
	/*
	 * The thread starts with every signal blocked: SIGINT, SIGTERM and SIGWINCH must reach
	 * the main thread, whose poll() they end early.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&l->thread, NULL, load, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free(l);
		return -err;
	}
	s->loader = l;
	return 0;
}

void lt_load_adopt(struct lt_src *s)
{
	struct lt_loader *l = s->loader;

	if (!l || atomic_load_explicit(&l->state, memory_order_acquire) != LOAD_DONE)
		return;
	pthread_join(l->thread, NULL);
	s->trace = l->t;
	s->loaded_at = l->at;
	if (!l->t)
		s->trace_off = "off: out of memory";
	free(l);
	s->loader = NULL;
}

void lt_load_frame(struct lt_src *s, struct lt_frame *f)
{
	f->loading = s->loader != NULL;
	f->attached_after = f->tracing ? s->loaded_at : 0;
	if (f->loading) {
		snprintf(s->status, sizeof(s->status), "loading probes (%.1f s)", f->uptime);
		f->trace_status = s->status;
	} else if (f->attached_after) {
		snprintf(s->status, sizeof(s->status), "%s in %.1f s", f->trace_status, f->attached_after);
		f->trace_status = s->status;
	}
}

void lt_load_stop(struct lt_src *s)
{
	struct lt_loader *l = s->loader;
	int running = LOAD_RUNNING;
	pthread_t thread;

	if (!l)
		return;
	thread = l->thread; /* once abandoned, l may be freed by the thread at any moment */
	/*
	 * Still loading: no join, which could take as long as the load (seconds under
	 * emulation). The thread owns its block from now on: should it finish before the
	 * process ends, it detaches and frees what it loaded; otherwise exit ends it, and the
	 * kernel drops its programs with its fds. Its memory is then still in use, reachable
	 * from its stack, so the leak checker of a SAN build does not count it.
	 */
	if (atomic_compare_exchange_strong_explicit(&l->state, &running, LOAD_ABANDONED, memory_order_acq_rel,
						    memory_order_acquire)) {
		pthread_detach(thread);
		s->loader = NULL;
		return;
	}
	lt_load_adopt(s);
}
