// SPDX-License-Identifier: GPL-2.0-only
/*
 * KHO and LUO call tracing: one entry and one exit program per function of KT_FUNCS
 * (kho_trace.h), each as an fentry/fexit pair and as a kprobe/kretprobe pair. Every
 * program is off by default ("?" sections); the loader (lib/trace/) enables, per
 * function, the pair this kernel can attach.
 *
 * Entry pushes a frame on a per-task stack (task storage): the time, the arguments
 * (kretprobes have none), and what the call is about (session name, file handler,
 * token, bytes). Nested calls inherit that identity, so a kho_preserve_folio() made by
 * memfd_luo_preserve() for luo_preserve_file() is attributed to that session, token and
 * handler. Exit pops the frame, updates the exact totals (per function, per handler, per
 * session) and sends one event through the ring buffer; a full ring only loses events,
 * never totals.
 *
 * The LUO structures are private to kernel/liveupdate and absent from the build host's
 * BTF: they are declared here with ___kt flavours and preserve_access_index, and CO-RE
 * relocates every access against the running kernel's BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kho_trace.h"

char LICENSE[] SEC("license") = "GPL";

#include "maps.bpf.h"
#include "kernel.bpf.h"
#include "attrib.bpf.h"
#include "stats.bpf.h"

/* ---- the programs: per function, fentry/fexit and kprobe/kretprobe ------------------- */

#define KT_PROGS(id, sym, ret, cls, op, fl)                                                                  \
	SEC("?fentry/" #sym)                                                                                 \
	int fe_##sym(__u64 *ctx)                                                                             \
	{                                                                                                    \
		__u64 a0 = 0, a1 = 0, a2 = 0;                                                                \
		bpf_get_func_arg(ctx, 0, &a0);                                                               \
		bpf_get_func_arg(ctx, 1, &a1);                                                               \
		bpf_get_func_arg(ctx, 2, &a2);                                                               \
		return on_entry(KT_FN_##id, a0, a1, a2);                                                     \
	}                                                                                                    \
	SEC("?fexit/" #sym)                                                                                  \
	int fx_##sym(__u64 *ctx)                                                                             \
	{                                                                                                    \
		__u64 r = 0;                                                                                 \
		bpf_get_func_ret(ctx, &r);                                                                   \
		return on_exit(KT_FN_##id, r);                                                               \
	}                                                                                                    \
	SEC("?kprobe/" #sym)                                                                                 \
	int kp_##sym(struct pt_regs *ctx)                                                                    \
	{                                                                                                    \
		return on_entry(KT_FN_##id, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx));     \
	}                                                                                                    \
	SEC("?kretprobe/" #sym)                                                                              \
	int kr_##sym(struct pt_regs *ctx)                                                                    \
	{                                                                                                    \
		return on_exit(KT_FN_##id, PT_REGS_RC(ctx));                                                 \
	}

KT_FUNCS(KT_PROGS)
