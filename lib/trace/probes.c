// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which KHO/LUO functions this kernel lets us trace, and how: present in its BTF and
 * kallsyms, fentry allowed (a trial load), kprobes available. Each function gets a
 * kind (fentry, kprobe, off) and, when not fentry, the reason.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "source/ksym.h"
#include "trace/internal.h"

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

const char *kt_probe_kind_name(enum kt_probe_kind k)
{
	return k == KT_PROBE_FENTRY ? "fentry" : k == KT_PROBE_KPROBE ? "kprobe" : "off";
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct in_ks {
	const char *names[KT_FN_MAX]; /* sorted */
	bool *found;
};

static bool on_sym(void *ctx, uint64_t addr, char type, const char *name)
{
	struct in_ks *k = ctx;
	const char **hit;
	int i;

	(void)addr;
	if (type != 'T' && type != 't')
		return false;
	hit = bsearch(&name, k->names, KT_FN_MAX, sizeof(k->names[0]), cmp_name);
	for (i = 0; hit && i < KT_FN_MAX; i++)
		if (!strcmp(kt_fn_info[i].name, *hit))
			k->found[i] = true;
	return false;
}

/* Which of our functions have a symbol: in_ks[fn]. Names only: no privilege needed. */
static void scan_kallsyms(bool *in_ks)
{
	struct in_ks k = {.found = in_ks};
	int i;

	for (i = 0; i < KT_FN_MAX; i++)
		k.names[i] = kt_fn_info[i].name;
	qsort(k.names, KT_FN_MAX, sizeof(k.names[0]), cmp_name);
	kt_ksym_scan(on_sym, &k);
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

void kt_trace_set_reason(struct kt_probe *p, const char *fmt, ...)
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
		kt_trace_set_reason(&t->probes[i], "%s", why);
	}
}

void kt_trace_decide(struct kt_trace *t)
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
			kt_trace_set_reason(p, "missing in this kernel%s",
					    kt_fn_info[i].flags & KT_F_STATIC ? " (static: absent or inlined)"
									      : "");
		} else if (in_btf[i] && !in_ks[i]) {
			kt_trace_set_reason(p, "inlined: in BTF but no symbol to attach to");
		} else if ((kt_fn_info[i].flags & KT_F_HOT) && !t->o.pages) {
			kt_trace_set_reason(p, "per-page probe: off unless --pages");
		} else if (fentry_ok && in_btf[i] && !t->o.force_kprobe) {
			p->kind = KT_PROBE_FENTRY;
		} else if (kprobe_ok) {
			p->kind = KT_PROBE_KPROBE;
			if (t->o.force_kprobe)
				kt_trace_set_reason(p, "kprobe requested (--kprobe)");
			else if (!in_btf[i])
				kt_trace_set_reason(p, "not in BTF: kprobe instead of fentry");
			else
				kt_trace_set_reason(p, "fentry %s: kprobe instead", fentry_why);
		} else if (!in_btf[i]) {
			kt_trace_set_reason(p, "not in BTF, and kprobes %s", t->kprobe);
		} else {
			kt_trace_set_reason(p, "fentry %s, and kprobes %s", fentry_why, t->kprobe);
		}
	}
}
