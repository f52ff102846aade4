// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading bpf/kho.bpf.c: open the skeleton with only the programs decided on, load
 * (finding and switching off any program the verifier refuses), attach one program
 * at a time, so one failure never stops the rest; detach everything on close.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "trace/internal.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- libbpf's messages: kept for the reasons, shown only with verbose ---------------- */

/*
 * A tool may load in one thread while another calls libbpf (luo-top reads the kernel's
 * BTF meanwhile): each thread keeps the last message of its own calls.
 */
static atomic_bool lb_verbose;
_Thread_local char kt_trace_libbpf_last[256];

static int lb_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	bool verbose = atomic_load_explicit(&lb_verbose, memory_order_relaxed);
	char buf[1024];
	size_t n;

	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (verbose)
		fputs(buf, stderr);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	if (n && level != LIBBPF_DEBUG)
		snprintf(kt_trace_libbpf_last, sizeof(kt_trace_libbpf_last), "%s", buf);
	return 0;
}

void kt_trace_libbpf_messages(bool verbose)
{
	atomic_store_explicit(&lb_verbose, verbose, memory_order_relaxed);
	libbpf_set_print(lb_print);
}

/* ---- skeleton ------------------------------------------------------------------------------- */

static struct bpf_program *prog(struct kho *s, const char *prefix, int fn)
{
	char name[96];

	snprintf(name, sizeof(name), "%s_%s", prefix, kt_fn_info[fn].name);
	return bpf_object__find_program_by_name(s->obj, name);
}

/* entry/exit programs of fn for kind k: p[0] exit, p[1] entry */
static void progs_of(struct kho *s, int fn, enum kt_probe_kind k, struct bpf_program *p[2])
{
	p[0] = prog(s, k == KT_PROBE_FENTRY ? "fx" : "kr", fn);
	p[1] = prog(s, k == KT_PROBE_FENTRY ? "fe" : "kp", fn);
}

/* Open a skeleton with only the programs of `only` (or every chosen probe when -1). */
static struct kho *open_skel(struct kt_trace *t, int only)
{
	struct kho *s = kho__open();
	int i, j;

	if (!s)
		return NULL;
	s->rodata->targ_tgid = t->o.pid;
	s->rodata->ev_mask = t->o.no_events ? 0 : ~0ULL;
	s->rodata->wake_bytes = (t->o.ring_bytes ? t->o.ring_bytes : DEFAULT_RING) / 4;
	if (bpf_map__set_max_entries(s->maps.events, t->o.ring_bytes ? t->o.ring_bytes : DEFAULT_RING)) {
		kho__destroy(s);
		return NULL;
	}
	for (i = 0; i < KT_FN_MAX; i++) {
		struct bpf_program *p[2];

		if (t->probes[i].kind == KT_PROBE_OFF || (only >= 0 && i != only))
			continue;
		progs_of(s, i, t->probes[i].kind, p);
		for (j = 0; j < 2; j++)
			if (p[j])
				bpf_program__set_autoload(p[j], true);
	}
	return s;
}

static size_t nr_chosen(const struct kt_trace *t)
{
	size_t n = 0;
	int i;

	for (i = 0; i < KT_FN_MAX; i++)
		n += t->probes[i].kind != KT_PROBE_OFF;
	return n;
}

/*
 * Load what was chosen. One program the verifier refuses would fail the whole object:
 * then load each function alone to find which, switch those off, and load the rest.
 */
static int load(struct kt_trace *t)
{
	char first_err[256];
	int i, err;

	t->skel = open_skel(t, -1);
	if (!t->skel)
		return -errno ? -errno : -ENOMEM;
	kt_trace_libbpf_last[0] = 0;
	err = kho__load(t->skel);
	if (!err)
		return 0;
	snprintf(first_err, sizeof(first_err), "%s",
		 kt_trace_libbpf_last[0] ? kt_trace_libbpf_last : strerror(-err));
	kho__destroy(t->skel);
	t->skel = NULL;
	for (i = 0; i < KT_FN_MAX; i++) {
		struct kho *s;

		if (t->probes[i].kind == KT_PROBE_OFF)
			continue;
		s = open_skel(t, i);
		if (!s)
			return -ENOMEM;
		kt_trace_libbpf_last[0] = 0;
		err = kho__load(s);
		if (err) {
			kt_trace_set_reason(&t->probes[i], "%s load failed: %.120s",
					    kt_probe_kind_name(t->probes[i].kind),
					    kt_trace_libbpf_last[0] ? kt_trace_libbpf_last : strerror(-err));
			t->probes[i].kind = KT_PROBE_OFF;
		}
		kho__destroy(s);
	}
	if (!nr_chosen(t)) {
		snprintf(t->status, sizeof(t->status), "off: the BPF object does not load: %.300s",
			 first_err);
		return -ENOENT;
	}
	t->skel = open_skel(t, -1);
	if (!t->skel)
		return -ENOMEM;
	err = kho__load(t->skel);
	if (err) {
		snprintf(t->status, sizeof(t->status), "off: the BPF object does not load: %.300s",
			 kt_trace_libbpf_last[0] ? kt_trace_libbpf_last : strerror(-err));
		kho__destroy(t->skel);
		t->skel = NULL;
	}
	return err;
}

/* Exit first, then entry: a call is never entered without its exit being watched. */
static void attach(struct kt_trace *t)
{
	int i, j;

	for (i = 0; i < KT_FN_MAX; i++) {
		struct kt_probe *p = &t->probes[i];
		struct bpf_program *pr[2];

		if (p->kind == KT_PROBE_OFF)
			continue;
		progs_of(t->skel, i, p->kind, pr);
		for (j = 0; j < 2; j++) {
			struct bpf_link *l;

			kt_trace_libbpf_last[0] = 0;
			l = pr[j] ? bpf_program__attach(pr[j]) : NULL;
			if (!l) {
				int err = pr[j] ? -errno : -ENOENT;

				kt_trace_set_reason(
				    p, "%s attach failed: %.120s", kt_probe_kind_name(p->kind),
				    kt_trace_libbpf_last[0] ? kt_trace_libbpf_last : strerror(-err));
				if (t->links[i][0]) {
					bpf_link__destroy(t->links[i][0]);
					t->links[i][0] = NULL;
				}
				break;
			}
			t->links[i][j] = l;
		}
		if (t->links[i][1]) {
			p->attached = true;
			t->nr_attached++;
		}
	}
}

static void make_status(struct kt_trace *t)
{
	size_t fentry = 0, kprobe = 0, missing = 0, hot = 0;
	int i;

	for (i = 0; i < KT_FN_MAX; i++) {
		const struct kt_probe *p = &t->probes[i];

		if (p->attached && p->kind == KT_PROBE_FENTRY)
			fentry++;
		else if (p->attached)
			kprobe++;
		else if (!strncmp(p->reason, "missing", 7))
			missing++;
		else if (!strncmp(p->reason, "per-page", 8))
			hot++;
	}
	if (t->nr_attached) {
		snprintf(t->status, sizeof(t->status),
			 "on: %zu of %d probes attached (fentry %zu, kprobe %zu%s)", t->nr_attached,
			 KT_FN_MAX, fentry, kprobe, hot ? "; per-page probes off: --pages" : "");
		return;
	}
	if (t->status[0])
		return;
	if (missing + hot == KT_FN_MAX && missing)
		snprintf(t->status, sizeof(t->status),
			 "off: %zu of %d KHO/LUO functions missing in this kernel; fentry %s; kprobes %s",
			 missing, KT_FN_MAX, t->fentry, t->kprobe_ok ? "available" : "unavailable");
	else
		snprintf(t->status, sizeof(t->status), "off: no probe attached (fentry %s; kprobes %s)",
			 t->fentry, t->kprobe_ok ? "available" : "unavailable");
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct kt_trace *t = ctx;

	if (len < sizeof(struct kt_event) || !t->o.on_event)
		return 0;
	t->o.on_event(t->o.ctx, data);
	return 0;
}

int kt_trace_open(const struct kt_trace_opts *o, struct kt_trace **tp)
{
	struct kt_trace *t = kt_calloc(1, sizeof(*t));
	double t0;
	int i;

	t->o = *o;
	for (i = 0; i < KT_FN_MAX; i++)
		t->probes[i].func = kt_fn_info[i].name;
	kt_trace_libbpf_messages(o->verbose);
	*tp = t;

	t0 = mono();
	kt_trace_decide(t);
	t->secs[0] = mono() - t0;
	if (nr_chosen(t) && !load(t)) {
		t->secs[1] = mono() - t0 - t->secs[0];
		attach(t);
		t->secs[2] = mono() - t0 - t->secs[0] - t->secs[1];
		if (t->nr_attached && !o->no_events) {
			t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
			if (!t->rb)
				snprintf(t->status, sizeof(t->status), "off: ring buffer: %s",
					 strerror(errno));
		}
		t->ncpu = libbpf_num_possible_cpus();
		if (t->ncpu > 0)
			t->percpu = kt_calloc((size_t)t->ncpu * KT_FN_MAX, sizeof(*t->percpu));
		else
			t->ncpu = 0;
	}
	make_status(t);
	return 0;
}

int kt_trace_close(struct kt_trace *t)
{
	int i, n = 0;

	if (!t)
		return 0;
	/* Entries first: after this no new frame is pushed, then the exits go. */
	for (i = 0; i < KT_FN_MAX; i++)
		if (t->links[i][1]) {
			n += !bpf_link__destroy(t->links[i][1]);
			t->links[i][1] = NULL;
		}
	for (i = 0; i < KT_FN_MAX; i++)
		if (t->links[i][0]) {
			n += !bpf_link__destroy(t->links[i][0]);
			t->links[i][0] = NULL;
		}
	ring_buffer__free(t->rb);
	kho__destroy(t->skel);
	free(t->percpu);
	free(t);
	return n;
}

bool kt_trace_active(const struct kt_trace *t)
{
	return t && t->nr_attached;
}

const char *kt_trace_status(const struct kt_trace *t)
{
	return t->status;
}

const char *kt_trace_fentry_state(const struct kt_trace *t)
{
	return t->fentry;
}

const char *kt_trace_kprobe_state(const struct kt_trace *t)
{
	return t->kprobe;
}

size_t kt_trace_probes(const struct kt_trace *t, const struct kt_probe **p)
{
	*p = t->probes;
	return KT_FN_MAX;
}

void kt_trace_timing(const struct kt_trace *t, double *decide, double *load, double *attach)
{
	*decide = t->secs[0];
	*load = t->secs[1];
	*attach = t->secs[2];
}
