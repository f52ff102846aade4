/* SPDX-License-Identifier: GPL-2.0-only */
/* The settings, the per-task frames and every map the programs fill (included by kho.bpf.c: one BPF object).
 */
#ifndef KT_MAPS_BPF_H
#define KT_MAPS_BPF_H

#define KT_PAGE_SHIFT 12
#define KT_MAX_ERRNO  4095

/* Set by the loader before load. */
const volatile __u32 targ_tgid = 0;   /* 0: every process */
const volatile __u64 ev_mask = ~0ULL; /* functions whose calls are sent as events */
/* Per-page calls come by the hundred thousand: they wake the reader only past this much
 * pending data (it polls on its own anyway), not once per call. */
const volatile __u64 wake_bytes = 1 << 20;

/* Events the ring buffer had no room for; the loader reads and resets it. */
__u64 dropped = 0;

struct kt_frame {
	__u64 ts;
	__u64 a0, a1, a2;
	__u64 token;
	__u64 bytes;
	__u64 addr;
	__u64 sub_bytes;
	__u64 cursor; /* luo_file_freeze/unfreeze: list node of the next luo_file */
	__u32 sub_calls;
	__u32 nr;
	__u32 order;
	__u16 fn;
	__u8 name_at; /* frame index holding this call's name, KT_NO_FRAME if none */
	__u8 handler_at;
	__u8 token_at;
	__u8 name_kind;
	__u8 flags; /* KT_EV_ADDR, and: */
	__u8 saw_handler_op;
	char name[KT_NAME_LEN];
	char handler[KT_COMPAT_LEN];
};

struct kt_stack {
	__u32 depth;
	__u32 pad;
	struct kt_frame f[KT_MAX_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KT_FN_MAX);
	__type(key, __u32);
	__type(value, struct kt_fn_stat);
} fn_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct kt_handler_key);
	__type(value, struct kt_handler_stat);
} handler_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kt_session_key);
	__type(value, struct kt_session_stat);
} session_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kt_stack);
} stacks SEC(".maps");

/* Zeroed values to create hash entries from (too large for the BPF stack). */
struct kt_handler_stat zero_handler = {};
struct kt_session_stat zero_session = {};

#endif
