/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BPF tracing of KHO and LUO calls (bpf/kho.bpf.c): load, attach, read the totals,
 * stream the events. Shared by every tool that traces.
 *
 * kt_trace_open() decides per function how it can be traced here: present in the
 * kernel's BTF and kallsyms, fentry allowed (a trial load), kprobes available. What
 * cannot attach is switched off before the load and reported with its reason, so one
 * missing or inlined function never stops the others. Tracing that cannot start at
 * all is not an error: the handle reports "off" and why, and the tool shows its other
 * data.
 */
#ifndef KT_TRACE_H
#define KT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "kho_trace.h"

enum kt_probe_kind { KT_PROBE_OFF, KT_PROBE_FENTRY, KT_PROBE_KPROBE };

struct kt_probe {
	const char *func;
	enum kt_probe_kind kind; /* how it is (or would have been) attached */
	bool attached;
	char reason[160]; /* why it is off, or why a kprobe; empty for fentry */
};

struct kt_fn_info {
	const char *name;
	int ret;   /* enum kt_ret */
	int cls;   /* enum kt_class */
	int op;	   /* enum kt_op */
	int flags; /* KT_F_* */
};

extern const struct kt_fn_info kt_fn_info[KT_FN_MAX];
extern const char *const kt_op_name[KT_OP_NR];
extern const char *const kt_sstate_name[];
const char *kt_probe_kind_name(enum kt_probe_kind k);

struct kt_event;
typedef void (*kt_event_fn)(void *ctx, const struct kt_event *e);

struct kt_trace_opts {
	uint32_t pid;	   /* trace only this process (tgid); 0: all */
	bool no_events;	   /* totals only: nothing is sent through the ring buffer */
	bool force_kprobe; /* kprobes even where fentry works */
	bool pages;	   /* also the per-page probes (KT_F_HOT): every folio, at a cost */
	size_t ring_bytes; /* ring buffer size (power of two pages); 0: 4 MiB */
	bool verbose;	   /* libbpf's messages on stderr */
	kt_event_fn on_event;
	void *ctx;
};

struct kt_trace;

/*
 * Decide, load and attach. Returns 0 and a handle even when nothing could be attached
 * (kt_trace_active() is then false and kt_trace_status() says why); a negative errno
 * only when memory runs out.
 */
int kt_trace_open(const struct kt_trace_opts *o, struct kt_trace **t);
/* Detach everything and free; returns the number of links detached. */
int kt_trace_close(struct kt_trace *t);

bool kt_trace_active(const struct kt_trace *t);
/* One line: "on: 36 of 38 probes attached (fentry 36)" or "off: <why>". */
const char *kt_trace_status(const struct kt_trace *t);
/* What this kernel allows: "usable", "refused (EPERM)", ... */
const char *kt_trace_fentry_state(const struct kt_trace *t);
const char *kt_trace_kprobe_state(const struct kt_trace *t);
size_t kt_trace_probes(const struct kt_trace *t, const struct kt_probe **p);
/* Seconds kt_trace_open spent deciding, loading (verifier) and attaching. */
void kt_trace_timing(const struct kt_trace *t, double *decide, double *load, double *attach);

/* Wait up to timeout_ms for events and deliver them; returns the count or -errno. */
int kt_trace_poll(struct kt_trace *t, int timeout_ms);
/* The ring buffer's epoll fd (for poll() with other fds), -1 when inactive. */
int kt_trace_fd(const struct kt_trace *t);
/* Deliver what is queued without waiting. */
int kt_trace_consume(struct kt_trace *t);
/* Events the ring buffer had no room for, since open. */
uint64_t kt_trace_dropped(struct kt_trace *t);

/* Exact totals, summed over CPUs: out[KT_FN_MAX]. */
int kt_trace_fn_totals(struct kt_trace *t, struct kt_fn_stat *out);

struct kt_trace_handler {
	char compat[KT_COMPAT_LEN];
	struct kt_handler_stat st;
};
struct kt_trace_session {
	char name[KT_NAME_LEN];
	struct kt_session_stat st;
};
/* Every handler/session seen so far (malloc'ed array, caller frees). */
int kt_trace_handlers(struct kt_trace *t, struct kt_trace_handler **v, size_t *n);
int kt_trace_sessions(struct kt_trace *t, struct kt_trace_session **v, size_t *n);

/* A BPF program loaded in the kernel (bpftool prog list), and whether it is one of ours. */
struct kt_bpf_prog {
	unsigned int id;
	char type[24];
	char name[17];
	bool ours;
};
/* Every program in the kernel (malloc'ed array). Returns 0 or -errno (EPERM: not root). */
int kt_trace_list_progs(struct kt_bpf_prog **v, size_t *n);

/* Upper bound (ns) of the log2 bucket holding quantile q (0..1) of a histogram. */
uint64_t kt_hist_quantile(const __u64 *hist, double q);

#endif
