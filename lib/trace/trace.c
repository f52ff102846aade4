// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loader of bpf/kho.bpf.c: open the skeleton, decide per function (BTF, kallsyms, a
 * trial fentry load, the kprobe PMU), switch off what cannot attach, load, attach one
 * program at a time, and read the totals and the event stream.
 */
#include "trace/trace.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kho.skel.h"
#include "base/util.h"

#define KPROBE_PMU   "/sys/bus/event_source/devices/kprobe/type"
#define KALLSYMS     "/proc/kallsyms"
#define DEFAULT_RING (4u << 20)

#define KT_INFO(id, sym, r, c, o, f) [KT_FN_##id] = {#sym, r, c, o, f},
const struct kt_fn_info kt_fn_info[KT_FN_MAX] = {KT_FUNCS(KT_INFO)};
#undef KT_INFO

const char *const kt_op_name[KT_OP_NR] = {
    [KT_OP_OTHER] = "other",   [KT_OP_PRESERVE] = "preserve", [KT_OP_UNPRESERVE] = "unpreserve",
    [KT_OP_FREEZE] = "freeze", [KT_OP_UNFREEZE] = "unfreeze", [KT_OP_RETRIEVE] = "retrieve",
    [KT_OP_FINISH] = "finish",
};

const char *const kt_sstate_name[] = {
    [KT_SS_UNKNOWN] = "-",	     [KT_SS_CREATED] = "created",   [KT_SS_SERIALIZED] = "serialized",
    [KT_SS_RETRIEVED] = "retrieved", [KT_SS_FINISHED] = "finished", [KT_SS_RELEASED] = "released",
};

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

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *kt_probe_kind_name(enum kt_probe_kind k)
{
	return k == KT_PROBE_FENTRY ? "fentry" : k == KT_PROBE_KPROBE ? "kprobe" : "off";
}

/* ---- libbpf's messages: kept for the reasons, shown only with verbose ---------------- */

static bool lb_verbose;
static char lb_last[256];

static int lb_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (level == LIBBPF_DEBUG && !lb_verbose)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (lb_verbose)
		fputs(buf, stderr);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	if (n && level != LIBBPF_DEBUG)
		snprintf(lb_last, sizeof(lb_last), "%s", buf);
	return 0;
}

/* ---- what this kernel has ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Which of our functions have a symbol: in_ks[fn]. Names only: no privilege needed. */
static void scan_kallsyms(bool *in_ks)
{
	const char *names[KT_FN_MAX];
	char line[512];
	FILE *f;
	int i;

	for (i = 0; i < KT_FN_MAX; i++)
		names[i] = kt_fn_info[i].name;
	qsort(names, KT_FN_MAX, sizeof(names[0]), cmp_str);
	f = fopen(KALLSYMS, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *sym, *end, type;
		const char *key, **hit;

		/* "ffffffff81331380 T kho_preserve_folio\t[module]" */
		sym = strchr(line, ' ');
		if (!sym || !sym[1] || sym[2] != ' ')
			continue;
		type = sym[1];
		if (type != 'T' && type != 't')
			continue;
		sym += 3;
		end = sym + strcspn(sym, " \t\n");
		*end = 0;
		key = sym;
		hit = bsearch(&key, names, KT_FN_MAX, sizeof(names[0]), cmp_str);
		if (!hit)
			continue;
		for (i = 0; i < KT_FN_MAX; i++)
			if (!strcmp(kt_fn_info[i].name, *hit))
				in_ks[i] = true;
	}
	fclose(f);
}

/* A two-instruction fentry program: EPERM/EINVAL means no trampolines for us here. */
static int trial_fentry(int btf_id)
{
	struct bpf_insn insns[2] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "kt_trial", "GPL", insns, 2, &opts);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void set_reason(struct kt_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(struct kt_probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

static void all_off(struct kt_trace *t, const char *why)
{
	int i;

	for (i = 0; i < KT_FN_MAX; i++) {
		t->probes[i].kind = KT_PROBE_OFF;
		set_reason(&t->probes[i], "%s", why);
	}
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
	lb_last[0] = 0;
	err = kho__load(t->skel);
	if (!err)
		return 0;
	snprintf(first_err, sizeof(first_err), "%s", lb_last[0] ? lb_last : strerror(-err));
	kho__destroy(t->skel);
	t->skel = NULL;
	for (i = 0; i < KT_FN_MAX; i++) {
		struct kho *s;

		if (t->probes[i].kind == KT_PROBE_OFF)
			continue;
		s = open_skel(t, i);
		if (!s)
			return -ENOMEM;
		lb_last[0] = 0;
		err = kho__load(s);
		if (err) {
			set_reason(&t->probes[i], "%s load failed: %.120s",
				   kt_probe_kind_name(t->probes[i].kind),
				   lb_last[0] ? lb_last : strerror(-err));
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
			 lb_last[0] ? lb_last : strerror(-err));
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

			lb_last[0] = 0;
			l = pr[j] ? bpf_program__attach(pr[j]) : NULL;
			if (!l) {
				int err = pr[j] ? -errno : -ENOENT;

				set_reason(p, "%s attach failed: %.120s", kt_probe_kind_name(p->kind),
					   lb_last[0] ? lb_last : strerror(-err));
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

/* ---- decide --------------------------------------------------------------------------------- */

static void decide(struct kt_trace *t)
{
	static const char *const fallback[] = {"do_nanosleep", "vfs_read", "ksys_read", "do_sys_openat2"};
	bool in_ks[KT_FN_MAX] = {false}, in_btf[KT_FN_MAX] = {false};
	bool fentry_ok = false, kprobe_ok;
	const char *fentry_why = "";
	struct btf *btf;
	int i, trial_id = -1, err;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		snprintf(t->fentry, sizeof(t->fentry), "unusable (no kernel BTF)");
		snprintf(t->kprobe, sizeof(t->kprobe), "unusable (no kernel BTF)");
		all_off(t, "no kernel BTF (/sys/kernel/btf/vmlinux): CO-RE cannot relocate");
		snprintf(t->status, sizeof(t->status), "off: no kernel BTF (/sys/kernel/btf/vmlinux)");
		return;
	}
	scan_kallsyms(in_ks);
	for (i = 0; i < KT_FN_MAX; i++) {
		in_btf[i] = btf__find_by_name_kind(btf, kt_fn_info[i].name, BTF_KIND_FUNC) > 0;
		if (trial_id < 0 && in_btf[i] && in_ks[i])
			trial_id = btf__find_by_name_kind(btf, kt_fn_info[i].name, BTF_KIND_FUNC);
	}
	/* None of ours here: try one every kernel has, to say what this kernel allows. */
	for (i = 0; trial_id < 0 && i < (int)KT_ARRAY_SIZE(fallback); i++) {
		int id = btf__find_by_name_kind(btf, fallback[i], BTF_KIND_FUNC);

		if (id > 0)
			trial_id = id;
	}
	btf__free(btf);

	kprobe_ok = access(KPROBE_PMU, F_OK) == 0;
	t->kprobe_ok = kprobe_ok;
	snprintf(t->kprobe, sizeof(t->kprobe), "%s", kprobe_ok ? "available" : "unavailable (no kprobe PMU)");
	if (trial_id < 0) {
		snprintf(t->fentry, sizeof(t->fentry), "not tried (no target function)");
		fentry_why = "not tried";
	} else if ((err = trial_fentry(trial_id)) == 0) {
		fentry_ok = true;
		snprintf(t->fentry, sizeof(t->fentry), "usable");
	} else if (err == -EPERM && geteuid() != 0) {
		snprintf(t->fentry, sizeof(t->fentry), "not permitted (needs root)");
		snprintf(t->kprobe, sizeof(t->kprobe), "not permitted (needs root)");
		all_off(t, "not permitted: BPF tracing needs root (CAP_BPF and CAP_PERFMON)");
		snprintf(t->status, sizeof(t->status), "off: not permitted (BPF tracing needs root)");
		return;
	} else {
		snprintf(t->fentry, sizeof(t->fentry), "refused (%s)",
			 err == -EPERM	  ? "EPERM"
			 : err == -EINVAL ? "EINVAL"
					  : strerror(-err));
		fentry_why = t->fentry;
	}

	for (i = 0; i < KT_FN_MAX; i++) {
		struct kt_probe *p = &t->probes[i];

		p->kind = KT_PROBE_OFF;
		if (!in_btf[i] && !in_ks[i]) {
			set_reason(p, "missing in this kernel%s",
				   kt_fn_info[i].flags & KT_F_STATIC ? " (static: absent or inlined)" : "");
		} else if (in_btf[i] && !in_ks[i]) {
			set_reason(p, "inlined: in BTF but no symbol to attach to");
		} else if ((kt_fn_info[i].flags & KT_F_HOT) && !t->o.pages) {
			set_reason(p, "per-page probe: off unless --pages");
		} else if (fentry_ok && in_btf[i] && !t->o.force_kprobe) {
			p->kind = KT_PROBE_FENTRY;
		} else if (kprobe_ok) {
			p->kind = KT_PROBE_KPROBE;
			if (t->o.force_kprobe)
				set_reason(p, "kprobe requested (--kprobe)");
			else if (!in_btf[i])
				set_reason(p, "not in BTF: kprobe instead of fentry");
			else
				set_reason(p, "fentry %s: kprobe instead", fentry_why);
		} else if (!in_btf[i]) {
			set_reason(p, "not in BTF, and kprobes %s", t->kprobe);
		} else {
			set_reason(p, "fentry %s, and kprobes %s", fentry_why, t->kprobe);
		}
	}
}

int kt_trace_open(const struct kt_trace_opts *o, struct kt_trace **tp)
{
	struct kt_trace *t = calloc(1, sizeof(*t));
	double t0;
	int i;

	*tp = NULL;
	if (!t)
		return -ENOMEM;
	t->o = *o;
	for (i = 0; i < KT_FN_MAX; i++)
		t->probes[i].func = kt_fn_info[i].name;
	lb_verbose = o->verbose;
	libbpf_set_print(lb_print);
	*tp = t;

	t0 = mono();
	decide(t);
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
			t->percpu = calloc((size_t)t->ncpu * KT_FN_MAX, sizeof(*t->percpu));
		if (!t->percpu)
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

int kt_trace_poll(struct kt_trace *t, int timeout_ms)
{
	int n;

	if (!t->rb) {
		if (timeout_ms > 0)
			usleep(timeout_ms * 1000);
		return 0;
	}
	n = ring_buffer__poll(t->rb, timeout_ms);
	return n == -EINTR ? 0 : n;
}

int kt_trace_consume(struct kt_trace *t)
{
	return t->rb ? ring_buffer__consume(t->rb) : 0;
}

int kt_trace_fd(const struct kt_trace *t)
{
	return t && t->rb ? ring_buffer__epoll_fd(t->rb) : -1;
}

uint64_t kt_trace_dropped(struct kt_trace *t)
{
	if (t->skel && t->skel->bss)
		t->dropped += __atomic_exchange_n(&t->skel->bss->dropped, 0, __ATOMIC_RELAXED);
	return t->dropped;
}

static void add_cpus(struct kt_fn_stat *out, const struct kt_fn_stat *v, int ncpu)
{
	int c, k;

	for (c = 0; c < ncpu; c++) {
		const struct kt_fn_stat *s = &v[c];

		out->count += s->count;
		out->errors += s->errors;
		out->bytes += s->bytes;
		out->kho_bytes += s->kho_bytes;
		out->lat_n += s->lat_n;
		out->lat_sum += s->lat_sum;
		if (s->lat_max > out->lat_max)
			out->lat_max = s->lat_max;
		for (k = 0; k < KT_LAT_SLOTS; k++)
			out->hist[k] += s->hist[k];
	}
}

int kt_trace_fn_totals(struct kt_trace *t, struct kt_fn_stat *out)
{
	__u32 keys[KT_FN_MAX], count = KT_FN_MAX, out_batch = 0, fn;
	int fd, err;

	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	memset(out, 0, sizeof(*out) * KT_FN_MAX);
	if (!t->skel || !t->ncpu)
		return 0;
	fd = bpf_map__fd(t->skel->maps.fn_stats);
	/* One call for every function and CPU; one per function where batches are missing. */
	err = bpf_map_lookup_batch(fd, NULL, &out_batch, keys, t->percpu, &count, &bo);
	if ((!err || errno == ENOENT) && count == KT_FN_MAX) {
		for (fn = 0; fn < count; fn++)
			if (keys[fn] < KT_FN_MAX)
				add_cpus(&out[keys[fn]], &t->percpu[(size_t)fn * t->ncpu], t->ncpu);
		return 0;
	}
	memset(out, 0, sizeof(*out) * KT_FN_MAX);
	for (fn = 0; fn < KT_FN_MAX; fn++) {
		if (bpf_map_lookup_elem(fd, &fn, t->percpu))
			return -errno;
		add_cpus(&out[fn], t->percpu, t->ncpu);
	}
	return 0;
}

static int grow(unsigned char **v, size_t *cap, size_t need, size_t row)
{
	unsigned char *nv;
	size_t c = *cap ? *cap : 64;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	nv = realloc(*v, c * row);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

/*
 * Every entry of a hash map as packed key+value rows: in batches (a few syscalls for
 * thousands of sessions), or one key at a time where the kernel has no batch lookup.
 */
static int dump_hash(int fd, size_t ksize, size_t vsize, void **rows, size_t *n)
{
	size_t cap = 0, cnt = 0, row = ksize + vsize, i;
	unsigned char key[KT_NAME_LEN], next[KT_NAME_LEN];
	unsigned char *v = NULL, *keys = NULL, *vals = NULL;
	__u64 in_batch = 0, out_batch = 0;
	bool first = true;
	void *prev = NULL;
	int err = 0;

	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	keys = malloc(256 * ksize);
	vals = malloc(256 * vsize);
	if (!keys || !vals)
		goto fallback;
	for (;;) {
		__u32 got = 256;

		err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, vals, &got, &bo);
		err = err ? -errno : 0;
		if (err && err != -ENOENT)
			break;
		if (grow(&v, &cap, cnt + got, row)) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < got; i++) {
			memcpy(v + (cnt + i) * row, keys + i * ksize, ksize);
			memcpy(v + (cnt + i) * row + ksize, vals + i * vsize, vsize);
		}
		cnt += got;
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in_batch = out_batch;
		first = false;
	}
	free(keys);
	free(vals);
	if (!err) {
		*rows = v;
		*n = cnt;
		return 0;
	}
	if (err == -ENOMEM) {
		free(v);
		return err;
	}
fallback:
	free(keys);
	free(vals);
	cnt = 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksize);
		prev = key;
		if (grow(&v, &cap, cnt + 1, row)) {
			free(v);
			return -ENOMEM;
		}
		memcpy(v + cnt * row, key, ksize);
		/* An entry deleted (LRU) between the two calls is skipped. */
		if (bpf_map_lookup_elem(fd, key, v + cnt * row + ksize))
			continue;
		cnt++;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int kt_trace_handlers(struct kt_trace *t, struct kt_trace_handler **v, size_t *n)
{
	_Static_assert(sizeof(struct kt_trace_handler) == KT_COMPAT_LEN + sizeof(struct kt_handler_stat),
		       "packed rows");
	*v = NULL;
	*n = 0;
	if (!t->skel)
		return 0;
	return dump_hash(bpf_map__fd(t->skel->maps.handler_stats), KT_COMPAT_LEN,
			 sizeof(struct kt_handler_stat), (void **)v, n);
}

int kt_trace_sessions(struct kt_trace *t, struct kt_trace_session **v, size_t *n)
{
	_Static_assert(sizeof(struct kt_trace_session) == KT_NAME_LEN + sizeof(struct kt_session_stat),
		       "packed rows");
	*v = NULL;
	*n = 0;
	if (!t->skel)
		return 0;
	return dump_hash(bpf_map__fd(t->skel->maps.session_stats), KT_NAME_LEN,
			 sizeof(struct kt_session_stat), (void **)v, n);
}

uint64_t kt_hist_quantile(const __u64 *hist, double q)
{
	uint64_t total = 0, acc = 0;
	int i;

	for (i = 0; i < KT_LAT_SLOTS; i++)
		total += hist[i];
	if (!total)
		return 0;
	for (i = 0; i < KT_LAT_SLOTS; i++) {
		acc += hist[i];
		if ((double)acc >= q * (double)total)
			return (2ULL << i) - 1;
	}
	return (2ULL << (KT_LAT_SLOTS - 1)) - 1;
}

/* Program names as the kernel keeps them: at most BPF_OBJ_NAME_LEN - 1 characters. */
static bool is_ours(const char *name)
{
	static const char *const prefix[] = {"fe", "fx", "kp", "kr"};
	char full[96];
	size_t i;
	int fn;

	if (!strcmp(name, "kt_trial"))
		return true;
	for (fn = 0; fn < KT_FN_MAX; fn++)
		for (i = 0; i < KT_ARRAY_SIZE(prefix); i++) {
			snprintf(full, sizeof(full), "%s_%s", prefix[i], kt_fn_info[fn].name);
			full[BPF_OBJ_NAME_LEN - 1] = 0;
			if (!strcmp(name, full))
				return true;
		}
	return false;
}

int kt_trace_list_progs(struct kt_bpf_prog **vp, size_t *np)
{
	struct kt_bpf_prog *v = NULL;
	size_t n = 0, cap = 0;
	__u32 id = 0;

	*vp = NULL;
	*np = 0;
	libbpf_set_print(lb_print);
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		const char *type;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded meanwhile */
			free(v);
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int err = -errno;

			close(fd);
			free(v);
			return err;
		}
		close(fd);
		if (n == cap) {
			struct kt_bpf_prog *nv;

			cap = cap ? cap * 2 : 32;
			nv = realloc(v, cap * sizeof(*nv));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n].id = info.id;
		type = libbpf_bpf_prog_type_str(info.type);
		snprintf(v[n].type, sizeof(v[n].type), "%s", type ? type : "unknown");
		snprintf(v[n].name, sizeof(v[n].name), "%.16s", info.name);
		v[n].ours = is_ours(v[n].name);
		n++;
	}
	if (errno != ENOENT) {
		free(v);
		return -errno;
	}
	*vp = v;
	*np = n;
	return 0;
}
