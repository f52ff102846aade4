/* SPDX-License-Identifier: GPL-2.0-only */
/* The tracer's own state, shared by its files (probes.c decides, load.c loads and attaches, read.c reads). */
#ifndef KT_TRACE_INTERNAL_H
#define KT_TRACE_INTERNAL_H

#include <bpf/libbpf.h>

#include "trace/trace.h"
/* After trace.h: the skeleton uses the structs of kho_trace.h. */
#include "kho.skel.h"

#define KPROBE_PMU   "/sys/bus/event_source/devices/kprobe/type"
#define DEFAULT_RING (4u << 20)

struct kt_trace {
	struct kt_trace_opts o;
	struct kho *skel;
	struct ring_buffer *rb;
	struct kt_probe probes[KT_FN_MAX];
	struct bpf_link *links[KT_FN_MAX][2]; /* [0] exit, [1] entry */
	size_t nr_attached;
	int ncpu;
	struct kt_fn_stat *percpu;
	uint64_t dropped;
	char status[512];
	char fentry[96];
	char kprobe[96];
	bool kprobe_ok;
	double secs[3]; /* deciding, loading, attaching */
};

/* probes.c: decide per function how it can be traced here (t->probes, t->fentry, t->kprobe). */
void kt_trace_decide(struct kt_trace *t);
void kt_trace_set_reason(struct kt_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* load.c: libbpf's messages, kept for the reasons (the last one of this thread in kt_trace_libbpf_last). */
void kt_trace_libbpf_messages(bool verbose);
extern _Thread_local char kt_trace_libbpf_last[256];

#endif
