/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by bpf/kho.bpf.c (kernel side) and lib/trace.c (loader): the list of traced
 * functions, the ring buffer event and the keys/values of the aggregate maps.
 * Plain __u32/__u64 only, so both sides agree on every layout.
 *
 * The kernel functions and their arguments are those of Linux 7.3
 * (kernel/liveupdate/kexec_handover.c, kernel/liveupdate/luo_*.c, mm/memfd_luo.c);
 * kho_finalize/kho_abort exist in 6.16-6.19 only.
 */
#ifndef KHO_TRACE_H
#define KHO_TRACE_H

#define KT_NAME_LEN   64 /* LIVEUPDATE_SESSION_NAME_LENGTH */
#define KT_COMPAT_LEN 48 /* LIVEUPDATE_HNDL_COMPAT_LENGTH, also the FLB compatible */
#define KT_COMM_LEN   16
#define KT_LAT_SLOTS  32 /* log2(ns) buckets: slot i counts latencies in [2^i, 2^(i+1)) */
#define KT_MAX_DEPTH  8	 /* nested traced calls per task (power of two) */
#define KT_NO_FRAME   0xff

/* What a function returns, for the error count: int < 0; pointer NULL or ERR_PTR. */
enum kt_ret { KT_RET_VOID, KT_RET_INT, KT_RET_PTR };

/* Which part of the stack a function belongs to (display grouping). */
enum kt_class { KT_CLS_KHO, KT_CLS_LUO, KT_CLS_FLB, KT_CLS_HANDLER };

/* Operation kinds, for the per-handler and per-session aggregates. */
enum kt_op {
	KT_OP_OTHER,
	KT_OP_PRESERVE,
	KT_OP_UNPRESERVE,
	KT_OP_FREEZE,
	KT_OP_UNFREEZE,
	KT_OP_RETRIEVE,
	KT_OP_FINISH,
	KT_OP_NR,
};

/* Function flags. */
#define KT_F_STATIC   0x1 /* static in the kernel source: may be inlined away */
#define KT_F_LEAF     0x2 /* adds or removes radix-tree keys itself: its bytes count as KHO bytes */
#define KT_F_OPTIONAL 0x4 /* absent from current kernels; no message when missing */
#define KT_F_HOT      0x8 /* called once per folio or page range: attached only on request */

/*
 * X(ID, symbol, return kind, class, op, flags): the single list of traced functions.
 * The BPF side generates one fentry/fexit and one kprobe/kretprobe pair per line;
 * the loader names probes and decides per line.
 */
#define KT_FUNCS(X)                                                                                          \
	X(KHO_PRESERVE_FOLIO, kho_preserve_folio, KT_RET_INT, KT_CLS_KHO, KT_OP_PRESERVE,                    \
	  KT_F_LEAF | KT_F_HOT)                                                                              \
	X(KHO_UNPRESERVE_FOLIO, kho_unpreserve_folio, KT_RET_VOID, KT_CLS_KHO, KT_OP_UNPRESERVE,             \
	  KT_F_LEAF | KT_F_HOT)                                                                              \
	X(KHO_PRESERVE_PAGES, kho_preserve_pages, KT_RET_INT, KT_CLS_KHO, KT_OP_PRESERVE,                    \
	  KT_F_LEAF | KT_F_HOT)                                                                              \
	X(KHO_UNPRESERVE_PAGES, kho_unpreserve_pages, KT_RET_VOID, KT_CLS_KHO, KT_OP_UNPRESERVE,             \
	  KT_F_LEAF | KT_F_HOT)                                                                              \
	X(KHO_PRESERVE_VMALLOC, kho_preserve_vmalloc, KT_RET_INT, KT_CLS_KHO, KT_OP_PRESERVE, 0)             \
	X(KHO_UNPRESERVE_VMALLOC, kho_unpreserve_vmalloc, KT_RET_VOID, KT_CLS_KHO, KT_OP_UNPRESERVE,         \
	  KT_F_LEAF)                                                                                         \
	X(KHO_ALLOC_PRESERVE, kho_alloc_preserve, KT_RET_PTR, KT_CLS_KHO, KT_OP_PRESERVE, 0)                 \
	X(KHO_UNPRESERVE_FREE, kho_unpreserve_free, KT_RET_VOID, KT_CLS_KHO, KT_OP_UNPRESERVE, 0)            \
	X(KHO_RESTORE_FOLIO, kho_restore_folio, KT_RET_PTR, KT_CLS_KHO, KT_OP_RETRIEVE,                      \
	  KT_F_LEAF | KT_F_HOT)                                                                              \
	X(KHO_RESTORE_PAGES, kho_restore_pages, KT_RET_PTR, KT_CLS_KHO, KT_OP_RETRIEVE,                      \
	  KT_F_LEAF | KT_F_HOT)                                                                              \
	X(KHO_RESTORE_VMALLOC, kho_restore_vmalloc, KT_RET_PTR, KT_CLS_KHO, KT_OP_RETRIEVE, 0)               \
	X(KHO_RESTORE_FREE, kho_restore_free, KT_RET_VOID, KT_CLS_KHO, KT_OP_RETRIEVE, 0)                    \
	X(KHO_ADD_SUBTREE, kho_add_subtree, KT_RET_INT, KT_CLS_KHO, KT_OP_OTHER, 0)                          \
	X(KHO_REMOVE_SUBTREE, kho_remove_subtree, KT_RET_VOID, KT_CLS_KHO, KT_OP_OTHER, 0)                   \
	X(KHO_FINALIZE, kho_finalize, KT_RET_INT, KT_CLS_KHO, KT_OP_FREEZE, KT_F_STATIC | KT_F_OPTIONAL)     \
	X(KHO_ABORT, kho_abort, KT_RET_INT, KT_CLS_KHO, KT_OP_UNFREEZE, KT_F_STATIC | KT_F_OPTIONAL)         \
	X(LUO_SESSION_CREATE, luo_session_create, KT_RET_INT, KT_CLS_LUO, KT_OP_OTHER, 0)                    \
	X(LUO_SESSION_RETRIEVE, luo_session_retrieve, KT_RET_INT, KT_CLS_LUO, KT_OP_RETRIEVE, 0)             \
	X(LUO_SESSION_RELEASE, luo_session_release, KT_RET_INT, KT_CLS_LUO, KT_OP_OTHER, KT_F_STATIC)        \
	X(LUO_SESSION_FINISH, luo_session_finish, KT_RET_INT, KT_CLS_LUO, KT_OP_FINISH, KT_F_STATIC)         \
	X(LUO_SESSION_SERIALIZE, luo_session_serialize, KT_RET_INT, KT_CLS_LUO, KT_OP_FREEZE, 0)             \
	X(LUO_PRESERVE_FILE, luo_preserve_file, KT_RET_INT, KT_CLS_LUO, KT_OP_PRESERVE, 0)                   \
	X(LUO_RETRIEVE_FILE, luo_retrieve_file, KT_RET_INT, KT_CLS_LUO, KT_OP_RETRIEVE, 0)                   \
	X(LUO_FILE_FINISH, luo_file_finish, KT_RET_INT, KT_CLS_LUO, KT_OP_FINISH, 0)                         \
	X(LUO_FILE_FREEZE, luo_file_freeze, KT_RET_INT, KT_CLS_LUO, KT_OP_FREEZE, 0)                         \
	X(LUO_FILE_UNFREEZE, luo_file_unfreeze, KT_RET_VOID, KT_CLS_LUO, KT_OP_UNFREEZE, 0)                  \
	X(LUO_FILE_UNPRESERVE_FILES, luo_file_unpreserve_files, KT_RET_VOID, KT_CLS_LUO, KT_OP_UNPRESERVE,   \
	  0)                                                                                                 \
	X(LUO_FLB_FILE_PRESERVE, luo_flb_file_preserve, KT_RET_INT, KT_CLS_FLB, KT_OP_PRESERVE, 0)           \
	X(LUO_FLB_FILE_UNPRESERVE, luo_flb_file_unpreserve, KT_RET_VOID, KT_CLS_FLB, KT_OP_UNPRESERVE, 0)    \
	X(LUO_FLB_FILE_FINISH, luo_flb_file_finish, KT_RET_VOID, KT_CLS_FLB, KT_OP_FINISH, 0)                \
	X(LIVEUPDATE_FLB_GET_INCOMING, liveupdate_flb_get_incoming, KT_RET_INT, KT_CLS_FLB, KT_OP_RETRIEVE,  \
	  0)                                                                                                 \
	X(LIVEUPDATE_FLB_GET_OUTGOING, liveupdate_flb_get_outgoing, KT_RET_INT, KT_CLS_FLB, KT_OP_OTHER, 0)  \
	X(LIVEUPDATE_REBOOT, liveupdate_reboot, KT_RET_INT, KT_CLS_LUO, KT_OP_FREEZE, 0)                     \
	X(MEMFD_LUO_PRESERVE, memfd_luo_preserve, KT_RET_INT, KT_CLS_HANDLER, KT_OP_PRESERVE, KT_F_STATIC)   \
	X(MEMFD_LUO_UNPRESERVE, memfd_luo_unpreserve, KT_RET_VOID, KT_CLS_HANDLER, KT_OP_UNPRESERVE,         \
	  KT_F_STATIC)                                                                                       \
	X(MEMFD_LUO_FREEZE, memfd_luo_freeze, KT_RET_INT, KT_CLS_HANDLER, KT_OP_FREEZE, KT_F_STATIC)         \
	X(MEMFD_LUO_RETRIEVE, memfd_luo_retrieve, KT_RET_INT, KT_CLS_HANDLER, KT_OP_RETRIEVE, KT_F_STATIC)   \
	X(MEMFD_LUO_FINISH, memfd_luo_finish, KT_RET_VOID, KT_CLS_HANDLER, KT_OP_FINISH, KT_F_STATIC)

#define KT_FN_ENUM(id, sym, ret, cls, op, fl) KT_FN_##id,
enum kt_fn { KT_FUNCS(KT_FN_ENUM) KT_FN_MAX };
#undef KT_FN_ENUM

/* What kt_event.name holds. */
enum kt_name_kind { KT_NAME_NONE, KT_NAME_SESSION, KT_NAME_SUBTREE, KT_NAME_FLB };

/* kt_event.flags */
#define KT_EV_TOKEN   0x01 /* token is valid */
#define KT_EV_ERROR   0x02 /* the call failed (see ret) */
#define KT_EV_NOENTRY 0x04 /* the entry was not seen (attached mid-call): no latency */
#define KT_EV_ADDR    0x08 /* addr is valid (a physical address) */
/*
 * An FLB's step: one event per FLB registered with the handler of a luo_flb_file_preserve,
 * _unpreserve or _finish call (name: the FLB, nr: the files depending on it after the call),
 * and liveupdate_flb_get_incoming's own event (nr: the incoming count). With it, at most one of:
 */
#define KT_EV_FLB	    0x10
#define KT_EV_FLB_CREATED   0x20 /* the first file: its preserve op made the object */
#define KT_EV_FLB_DESTROYED 0x40 /* the last file unpreserved (unpreserve op) or finished (finish op) */
#define KT_EV_FLB_RESTORED  0x80 /* the first access after the kexec: its retrieve op ran */

/* One call, sent through the ring buffer at the function's exit. */
struct kt_event {
	__u64 ts_ns;	 /* CLOCK_MONOTONIC (bpf_ktime_get_ns) at the exit */
	__u64 lat_ns;	 /* exit - entry, 0 with KT_EV_NOENTRY */
	__s64 ret;	 /* int returns sign-extended; pointers raw; 0 for void */
	__u64 token;	 /* the agent's file token (KT_EV_TOKEN) */
	__u64 bytes;	 /* the call's own size: folio/pages/vmalloc bytes, memfd size, blob size */
	__u64 kho_bytes; /* bytes of every radix-tree key added/removed/restored under this call */
	__u64 addr;	 /* physical address of a restore (KT_EV_ADDR) */
	__u32 kho_calls; /* leaf KHO calls under this call (itself included if it is one) */
	__u32 nr;	 /* files in the session's file set, where the call is per set */
	__u32 pid;	 /* tgid */
	__u32 tid;
	__u16 fn;	/* enum kt_fn */
	__u8 name_kind; /* enum kt_name_kind */
	__u8 flags;	/* KT_EV_* */
	__u32 order;	/* folio order, where known */
	char comm[KT_COMM_LEN];
	char name[KT_NAME_LEN];	     /* session, sub-tree or FLB name */
	char handler[KT_COMPAT_LEN]; /* file handler compatible ("memfd-v2") */
};

/*
 * kho_bytes (event and totals) counts the KT_F_LEAF calls under a call: with the per-page
 * (KT_F_HOT) probes off, only kho_unpreserve_vmalloc contributes.
 */

/* Per function, in a per-CPU array indexed by enum kt_fn: exact totals. */
struct kt_fn_stat {
	__u64 count;
	__u64 errors;
	__u64 bytes;
	__u64 kho_bytes;
	__u64 lat_n;   /* calls with a measured latency */
	__u64 lat_sum; /* ns */
	__u64 lat_max; /* ns */
	__u64 hist[KT_LAT_SLOTS];
};

/* Per file handler (hash keyed by its compatible), one row per enum kt_op. */
struct kt_handler_key {
	char compat[KT_COMPAT_LEN];
};

struct kt_op_stat {
	__u64 count;
	__u64 errors;
	__u64 bytes;	 /* file bytes (memfd size) */
	__u64 kho_bytes; /* KHO bytes under the calls */
	__u64 lat_sum;
	__u64 lat_n;
};

struct kt_handler_stat {
	struct kt_op_stat op[KT_OP_NR];
	__u64 hist[KT_LAT_SLOTS]; /* latency of every op of the handler */
};

/* Per session (hash keyed by its name). */
struct kt_session_key {
	char name[KT_NAME_LEN];
};

/* kt_session_stat.state: the last lifecycle step seen. */
enum kt_sstate {
	KT_SS_UNKNOWN,
	KT_SS_CREATED,
	KT_SS_SERIALIZED,
	KT_SS_RETRIEVED,
	KT_SS_FINISHED,
	KT_SS_RELEASED,
};

struct kt_session_stat {
	__u64 op[KT_OP_NR];	   /* successful file-level calls per op (files preserved, ...) */
	__u64 files;		   /* the session's file_set->count as last seen */
	__u64 kho_bytes_preserved; /* leaf KHO bytes preserved under the session's calls */
	__u64 kho_bytes_restored;
	__u64 file_bytes;	    /* sum of the preserved files' sizes */
	__u64 file_bytes_retrieved; /* sum of the retrieved files' sizes */
	__u64 calls;
	__u64 errors;
	__u64 last_ns;
	__u32 state; /* enum kt_sstate */
	__u32 pid;   /* last caller */
	char comm[KT_COMM_LEN];
};

#endif
