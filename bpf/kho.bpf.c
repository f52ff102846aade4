// SPDX-License-Identifier: GPL-2.0-only
/*
 * KHO and LUO call tracing: one entry and one exit program per function of KT_FUNCS
 * (kho_trace.h), each as an fentry/fexit pair and as a kprobe/kretprobe pair. Every
 * program is off by default ("?" sections); the loader (lib/trace.c) enables, per
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

/*
 * Our view of the private LUO and KHO structures (kernel/liveupdate/luo_internal.h,
 * luo_file.c, include/linux/liveupdate.h, include/linux/kho/abi/kexec_handover.h):
 * only the fields read here; offsets come from the target BTF at load time.
 */
struct liveupdate_file_handler___kt {
	const char compatible[KT_COMPAT_LEN];
} __attribute__((preserve_access_index));

struct liveupdate_flb___kt {
	const char compatible[KT_COMPAT_LEN];
} __attribute__((preserve_access_index));

struct luo_file_set___kt {
	struct list_head files_list;
	__u64 count;
} __attribute__((preserve_access_index));

struct luo_session___kt {
	char name[KT_NAME_LEN];
	struct luo_file_set___kt file_set;
} __attribute__((preserve_access_index));

struct luo_file___kt {
	struct liveupdate_file_handler___kt *fh;
	struct file *file;
	__u64 serialized_data;
	struct list_head list;
	__u64 token;
} __attribute__((preserve_access_index));

struct liveupdate_file_op_args___kt {
	struct liveupdate_file_handler___kt *handler;
	struct file *file;
	__u64 serialized_data;
} __attribute__((preserve_access_index));

struct kho_vmalloc___kt {
	unsigned int total_pages;
	unsigned short order;
} __attribute__((preserve_access_index));

/* ---- static facts about each function, folded at compile time ---------------------- */

#define KT_CASE_RET(id, sym, ret, cls, op, fl)                                                               \
	case KT_FN_##id:                                                                                     \
		return ret;
#define KT_CASE_CLS(id, sym, ret, cls, op, fl)                                                               \
	case KT_FN_##id:                                                                                     \
		return cls;
#define KT_CASE_OP(id, sym, ret, cls, op, fl)                                                                \
	case KT_FN_##id:                                                                                     \
		return op;
#define KT_CASE_FL(id, sym, ret, cls, op, fl)                                                                \
	case KT_FN_##id:                                                                                     \
		return fl;

static __always_inline int fn_ret(int fn)
{
	switch (fn) {
		KT_FUNCS(KT_CASE_RET)
	}
	return KT_RET_VOID;
}

static __always_inline int fn_cls(int fn)
{
	switch (fn) {
		KT_FUNCS(KT_CASE_CLS)
	}
	return KT_CLS_KHO;
}

static __always_inline int fn_op(int fn)
{
	switch (fn) {
		KT_FUNCS(KT_CASE_OP)
	}
	return KT_OP_OTHER;
}

static __always_inline int fn_flags(int fn)
{
	switch (fn) {
		KT_FUNCS(KT_CASE_FL)
	}
	return 0;
}

/* ---- readers of kernel structures ------------------------------------------------------ */

/* folio_order(): the order sits in the low byte of _flags_1 when PG_head is set. */
static __always_inline __u32 read_folio_order(__u64 folio)
{
	struct folio *fo = (struct folio *)folio;
	unsigned long flags = 0, flags1 = 0;

	if (!folio)
		return 0;
	bpf_core_read(&flags, sizeof(flags), &fo->flags);
	if (!(flags & (1UL << bpf_core_enum_value(enum pageflags, PG_head))))
		return 0;
	if (!bpf_core_field_exists(fo->_flags_1))
		return 0;
	bpf_core_read(&flags1, sizeof(flags1), &fo->_flags_1);
	return flags1 & 0xff;
}

static __always_inline __u64 file_size(__u64 file)
{
	if (!file)
		return 0;
	return BPF_CORE_READ((struct file *)file, f_inode, i_size);
}

/* container_of(file_set, struct luo_session, file_set) */
static __always_inline __u64 session_of_file_set(__u64 fs)
{
	return fs - bpf_core_field_offset(struct luo_session___kt, file_set);
}

static __always_inline void read_session_name(char *dst, __u64 session)
{
	struct luo_session___kt *s = (struct luo_session___kt *)session;

	/* kzalloc'ed and strscpy'd: zero-padded, so the fixed-size read is a clean key. */
	bpf_core_read(dst, KT_NAME_LEN, &s->name);
	dst[KT_NAME_LEN - 1] = 0;
}

static __always_inline __u32 file_set_count(__u64 fs)
{
	return BPF_CORE_READ((struct luo_file_set___kt *)fs, count);
}

static __always_inline void read_compat(char *dst, __u64 fh)
{
	struct liveupdate_file_handler___kt *h = (struct liveupdate_file_handler___kt *)fh;

	bpf_core_read(dst, KT_COMPAT_LEN, &h->compatible);
	dst[KT_COMPAT_LEN - 1] = 0;
}

/* A string of unknown extent: read up to its NUL, zero the rest (it may be a map key). */
static __always_inline void read_str(char *dst, __u32 len, __u64 src)
{
	__builtin_memset(dst, 0, KT_NAME_LEN);
	bpf_probe_read_kernel_str(dst, len, (const void *)src);
}

/* The luo_file whose list node is at node. */
static __always_inline __u64 luo_file_of_node(__u64 node)
{
	return node - bpf_core_field_offset(struct luo_file___kt, list);
}

/* The last luo_file of a file set: luo_file_unpreserve_files() and luo_file_finish() work
 * from the tail, so a handler's unpreserve/finish call is about that file. */
static __always_inline __u64 last_luo_file(__u64 fs)
{
	struct luo_file_set___kt *s = (struct luo_file_set___kt *)fs;
	__u64 prev = (__u64)BPF_CORE_READ(s, files_list.prev);

	if (!prev || prev == (__u64)&s->files_list)
		return 0;
	return luo_file_of_node(prev);
}

/* ---- the per-task stack ------------------------------------------------------------------- */

static __always_inline bool wanted(void)
{
	return !targ_tgid || (bpf_get_current_pid_tgid() >> 32) == targ_tgid;
}

static __always_inline struct kt_stack *stack_get(bool create)
{
	return bpf_task_storage_get(&stacks, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

#define FRAME(st, i) (&(st)->f[(i) & (KT_MAX_DEPTH - 1)])

static __always_inline void own_name(struct kt_frame *f, __u32 idx, __u8 kind)
{
	f->name_at = idx;
	f->name_kind = kind;
}

static __always_inline void own_handler(struct kt_frame *f, __u32 idx)
{
	f->handler_at = idx;
}

static __always_inline void own_token(struct kt_frame *f, __u32 idx, __u64 token)
{
	f->token = token;
	f->token_at = idx;
}

/* Token of the luo_file a handler freeze/unfreeze call is about: the set is walked in list
 * order, so the parent's cursor points at it; skip files whose handler has no callback. */
static __always_inline void token_from_cursor(struct kt_frame *f, __u32 idx, struct kt_frame *parent,
					      __u64 ser_data)
{
	__u64 node = parent->cursor;
	__u64 head = parent->a0 + bpf_core_field_offset(struct luo_file_set___kt, files_list);
	int i;

	for (i = 0; i < 4; i++) {
		__u64 lf;

		if (!node || node == head)
			return;
		lf = luo_file_of_node(node);
		node = (__u64)BPF_CORE_READ((struct luo_file___kt *)lf, list.next);
		if (BPF_CORE_READ((struct luo_file___kt *)lf, serialized_data) == ser_data) {
			own_token(f, idx, BPF_CORE_READ((struct luo_file___kt *)lf, token));
			parent->cursor = node;
			return;
		}
	}
}

/* What the call is about, from its arguments (entry: they may be freed by the exit). */
static __always_inline void identify(int fn, struct kt_stack *st, struct kt_frame *f, __u32 d)
{
	struct kt_frame *parent = d ? FRAME(st, d - 1) : 0;
	__u64 a0 = f->a0, a1 = f->a1, a2 = f->a2;

	switch (fn) {
	case KT_FN_KHO_PRESERVE_FOLIO:
	case KT_FN_KHO_UNPRESERVE_FOLIO:
		f->order = read_folio_order(a0);
		f->bytes = 1ULL << (KT_PAGE_SHIFT + f->order);
		break;
	case KT_FN_KHO_PRESERVE_PAGES:
	case KT_FN_KHO_UNPRESERVE_PAGES:
		f->bytes = a1 << KT_PAGE_SHIFT;
		break;
	case KT_FN_KHO_RESTORE_PAGES:
		f->bytes = a1 << KT_PAGE_SHIFT;
		f->addr = a0;
		f->flags |= KT_EV_ADDR;
		break;
	case KT_FN_KHO_RESTORE_FOLIO:
		f->addr = a0;
		f->flags |= KT_EV_ADDR;
		break;
	case KT_FN_KHO_UNPRESERVE_VMALLOC:
	case KT_FN_KHO_RESTORE_VMALLOC: {
		struct kho_vmalloc___kt *v = (struct kho_vmalloc___kt *)a0;

		f->bytes = (__u64)BPF_CORE_READ(v, total_pages) << KT_PAGE_SHIFT;
		f->order = BPF_CORE_READ(v, order);
		break;
	}
	case KT_FN_KHO_ALLOC_PRESERVE:
		f->bytes = a0;
		break;
	case KT_FN_KHO_ADD_SUBTREE:
		read_str(f->name, KT_NAME_LEN, a0);
		own_name(f, d, KT_NAME_SUBTREE);
		f->bytes = a2;
		break;
	case KT_FN_LUO_SESSION_CREATE:
	case KT_FN_LUO_SESSION_RETRIEVE:
		/* The ioctl's copy of the user's name: anything may follow its NUL. */
		read_str(f->name, KT_NAME_LEN, a0);
		own_name(f, d, KT_NAME_SESSION);
		break;
	case KT_FN_LUO_SESSION_RELEASE: {
		__u64 session = (__u64)BPF_CORE_READ((struct file *)a1, private_data);

		read_session_name(f->name, session);
		own_name(f, d, KT_NAME_SESSION);
		f->nr = BPF_CORE_READ((struct luo_session___kt *)session, file_set.count);
		break;
	}
	case KT_FN_LUO_SESSION_FINISH:
		read_session_name(f->name, a0);
		own_name(f, d, KT_NAME_SESSION);
		f->nr = BPF_CORE_READ((struct luo_session___kt *)a0, file_set.count);
		break;
	case KT_FN_LUO_PRESERVE_FILE:
	case KT_FN_LUO_RETRIEVE_FILE:
		own_token(f, d, a1);
		/* fall through */
	case KT_FN_LUO_FILE_FINISH:
	case KT_FN_LUO_FILE_FREEZE:
	case KT_FN_LUO_FILE_UNFREEZE:
	case KT_FN_LUO_FILE_UNPRESERVE_FILES:
		read_session_name(f->name, session_of_file_set(a0));
		own_name(f, d, KT_NAME_SESSION);
		f->nr = file_set_count(a0);
		if (fn == KT_FN_LUO_FILE_FREEZE || fn == KT_FN_LUO_FILE_UNFREEZE)
			f->cursor = (__u64)BPF_CORE_READ((struct luo_file_set___kt *)a0, files_list.next);
		break;
	case KT_FN_LUO_FLB_FILE_PRESERVE:
	case KT_FN_LUO_FLB_FILE_UNPRESERVE:
	case KT_FN_LUO_FLB_FILE_FINISH:
		read_compat(f->handler, a0);
		own_handler(f, d);
		break;
	case KT_FN_LIVEUPDATE_FLB_GET_INCOMING:
	case KT_FN_LIVEUPDATE_FLB_GET_OUTGOING: {
		struct liveupdate_flb___kt *flb = (struct liveupdate_flb___kt *)a0;

		__builtin_memset(f->name, 0, KT_NAME_LEN);
		bpf_core_read(f->name, KT_COMPAT_LEN, &flb->compatible);
		f->name[KT_COMPAT_LEN - 1] = 0;
		own_name(f, d, KT_NAME_FLB);
		break;
	}
	case KT_FN_MEMFD_LUO_PRESERVE:
	case KT_FN_MEMFD_LUO_UNPRESERVE:
	case KT_FN_MEMFD_LUO_FREEZE:
	case KT_FN_MEMFD_LUO_RETRIEVE:
	case KT_FN_MEMFD_LUO_FINISH: {
		struct liveupdate_file_op_args___kt *args = (struct liveupdate_file_op_args___kt *)a0;

		read_compat(f->handler, (__u64)BPF_CORE_READ(args, handler));
		own_handler(f, d);
		if (fn != KT_FN_MEMFD_LUO_RETRIEVE) /* its file exists only at the exit */
			f->bytes = file_size((__u64)BPF_CORE_READ(args, file));
		if (!parent)
			break;
		if (fn == KT_FN_MEMFD_LUO_UNPRESERVE || fn == KT_FN_MEMFD_LUO_FINISH) {
			__u64 lf = 0;

			if (parent->fn == KT_FN_LUO_FILE_UNPRESERVE_FILES ||
			    parent->fn == KT_FN_LUO_FILE_FINISH)
				lf = last_luo_file(parent->a0);
			if (lf)
				own_token(f, d, BPF_CORE_READ((struct luo_file___kt *)lf, token));
		} else if (fn == KT_FN_MEMFD_LUO_FREEZE) {
			if (parent->fn == KT_FN_LUO_FILE_FREEZE || parent->fn == KT_FN_LUO_FILE_UNFREEZE)
				token_from_cursor(f, d, parent, BPF_CORE_READ(args, serialized_data));
		}
		break;
	}
	default:
		break;
	}
}

static __always_inline int on_entry(int fn, __u64 a0, __u64 a1, __u64 a2)
{
	struct kt_stack *st;
	struct kt_frame *f, *parent;
	__u32 d;

	if (!wanted())
		return 0;
	st = stack_get(true);
	if (!st)
		return 0;
	d = st->depth;
	if (d >= KT_MAX_DEPTH)
		return 0; /* the exit finds no frame and counts the call without latency */
	f = FRAME(st, d);
	f->ts = bpf_ktime_get_ns();
	f->a0 = a0;
	f->a1 = a1;
	f->a2 = a2;
	f->token = 0;
	f->bytes = 0;
	f->addr = 0;
	f->sub_bytes = 0;
	f->cursor = 0;
	f->sub_calls = 0;
	f->nr = 0;
	f->order = 0;
	f->fn = fn;
	f->flags = 0;
	f->saw_handler_op = 0;
	f->name_kind = KT_NAME_NONE;
	if (d) {
		parent = FRAME(st, d - 1);
		f->name_at = parent->name_at;
		f->handler_at = parent->handler_at;
		f->token_at = parent->token_at;
		f->name_kind = parent->name_kind;
	} else {
		f->name_at = f->handler_at = f->token_at = KT_NO_FRAME;
	}
	identify(fn, st, f, d);
	st->depth = d + 1;
	return 0;
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xffffffffULL) << 5;
	v >>= s;
	r |= s;
	s = (v > 0xffff) << 4;
	v >>= s;
	r |= s;
	s = (v > 0xff) << 3;
	v >>= s;
	r |= s;
	s = (v > 0xf) << 2;
	v >>= s;
	r |= s;
	s = (v > 0x3) << 1;
	v >>= s;
	r |= s;
	r |= (v >> 1);
	return r < KT_LAT_SLOTS ? r : KT_LAT_SLOTS - 1;
}

static __always_inline bool is_error(int fn, __u64 ret)
{
	switch (fn_ret(fn)) {
	case KT_RET_INT:
		return (__s32)ret < 0;
	case KT_RET_PTR:
		return !ret || ret >= (__u64)-KT_MAX_ERRNO;
	default:
		return false;
	}
}

/* Details only known at the exit. */
static __always_inline void at_exit(int fn, struct kt_frame *f, __u32 idx, __u64 ret, bool err)
{
	if (err)
		return;
	switch (fn) {
	case KT_FN_KHO_RESTORE_FOLIO:
		f->order = read_folio_order(ret);
		f->bytes = 1ULL << (KT_PAGE_SHIFT + f->order);
		break;
	case KT_FN_KHO_PRESERVE_VMALLOC: {
		struct kho_vmalloc___kt *v = (struct kho_vmalloc___kt *)f->a1;

		f->bytes = (__u64)BPF_CORE_READ(v, total_pages) << KT_PAGE_SHIFT;
		f->order = BPF_CORE_READ(v, order);
		break;
	}
	case KT_FN_LUO_SESSION_CREATE:
	case KT_FN_LUO_SESSION_RETRIEVE: {
		struct file *file = 0;
		__u64 session;

		bpf_probe_read_kernel(&file, sizeof(file), (void *)f->a1);
		session = (__u64)BPF_CORE_READ(file, private_data);
		if (session)
			f->nr = BPF_CORE_READ((struct luo_session___kt *)session, file_set.count);
		break;
	}
	case KT_FN_LUO_PRESERVE_FILE: {
		__u64 lf = last_luo_file(f->a0);

		f->nr = file_set_count(f->a0);
		if (!lf || BPF_CORE_READ((struct luo_file___kt *)lf, token) != f->a1)
			break;
		if (!f->bytes)
			f->bytes = file_size((__u64)BPF_CORE_READ((struct luo_file___kt *)lf, file));
		/* No handler call of ours ran under it (a handler we have no probe for). */
		if (f->handler_at != idx) {
			read_compat(f->handler, (__u64)BPF_CORE_READ((struct luo_file___kt *)lf, fh));
			f->handler_at = idx;
		}
		break;
	}
	case KT_FN_LUO_RETRIEVE_FILE: {
		struct file *file = 0;

		bpf_probe_read_kernel(&file, sizeof(file), (void *)f->a2);
		if (!f->bytes)
			f->bytes = file_size((__u64)file);
		break;
	}
	case KT_FN_LUO_FILE_FINISH:
	case KT_FN_LUO_FILE_UNPRESERVE_FILES:
		f->nr = 0;
		break;
	case KT_FN_MEMFD_LUO_RETRIEVE: {
		struct liveupdate_file_op_args___kt *args = (struct liveupdate_file_op_args___kt *)f->a0;

		f->bytes = file_size((__u64)BPF_CORE_READ(args, file));
		break;
	}
	default:
		break;
	}
}

static __always_inline void fn_stat_add(int fn, struct kt_frame *f, __u64 lat, bool err)
{
	__u32 key = fn;
	struct kt_fn_stat *s = bpf_map_lookup_elem(&fn_stats, &key);

	if (!s)
		return;
	/* Per-CPU, but a preempted program can meet another run of itself on this CPU:
	 * uncontended atomic adds keep the totals exact. */
	__sync_fetch_and_add(&s->count, 1);
	if (err)
		__sync_fetch_and_add(&s->errors, 1);
	if (!f)
		return;
	__sync_fetch_and_add(&s->bytes, f->bytes);
	__sync_fetch_and_add(&s->kho_bytes, f->sub_bytes);
	__sync_fetch_and_add(&s->lat_n, 1);
	__sync_fetch_and_add(&s->lat_sum, lat);
	if (lat > s->lat_max)
		s->lat_max = lat; /* a maximum may lose a race; the counts may not */
	__sync_fetch_and_add(&s->hist[log2_slot(lat)], 1);
}

static __always_inline void handler_stat_add(int op, const char *compat, struct kt_frame *f, __u64 lat,
					     bool err)
{
	struct kt_handler_stat *h;
	struct kt_op_stat *o;

	h = bpf_map_lookup_elem(&handler_stats, compat);
	if (!h) {
		bpf_map_update_elem(&handler_stats, compat, &zero_handler, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&handler_stats, compat);
		if (!h)
			return;
	}
	if (op < 0 || op >= KT_OP_NR)
		return;
	o = &h->op[op];
	__sync_fetch_and_add(&o->count, 1);
	if (err)
		__sync_fetch_and_add(&o->errors, 1);
	__sync_fetch_and_add(&o->bytes, f->bytes);
	__sync_fetch_and_add(&o->kho_bytes, f->sub_bytes);
	__sync_fetch_and_add(&o->lat_sum, lat);
	__sync_fetch_and_add(&o->lat_n, 1);
	__sync_fetch_and_add(&h->hist[log2_slot(lat)], 1);
}

static __always_inline void session_stat_add(int fn, const char *name, struct kt_frame *f, __u64 now,
					     bool err)
{
	struct kt_session_stat *s;
	int op = fn_op(fn);

	s = bpf_map_lookup_elem(&session_stats, name);
	if (!s) {
		bpf_map_update_elem(&session_stats, name, &zero_session, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&session_stats, name);
		if (!s)
			return;
	}
	__sync_fetch_and_add(&s->calls, 1);
	s->last_ns = now;
	s->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	if (err) {
		__sync_fetch_and_add(&s->errors, 1);
		return;
	}
	if (op < KT_OP_NR)
		__sync_fetch_and_add(&s->op[op], 1);
	switch (fn) {
	case KT_FN_LUO_SESSION_CREATE:
		s->state = KT_SS_CREATED;
		break;
	case KT_FN_LUO_FILE_FREEZE:
		s->state = KT_SS_SERIALIZED;
		break;
	case KT_FN_LUO_SESSION_RETRIEVE:
		s->state = KT_SS_RETRIEVED;
		break;
	case KT_FN_LUO_SESSION_FINISH:
	case KT_FN_LUO_FILE_FINISH:
		s->state = KT_SS_FINISHED;
		break;
	case KT_FN_LUO_SESSION_RELEASE:
		if (s->state != KT_SS_FINISHED)
			s->state = KT_SS_RELEASED;
		break;
	case KT_FN_LUO_PRESERVE_FILE:
		__sync_fetch_and_add(&s->file_bytes, f->bytes);
		break;
	case KT_FN_LUO_RETRIEVE_FILE:
		__sync_fetch_and_add(&s->file_bytes_retrieved, f->bytes);
		break;
	default:
		break;
	}
	if (op == KT_OP_PRESERVE)
		__sync_fetch_and_add(&s->kho_bytes_preserved, f->sub_bytes);
	else if (op == KT_OP_RETRIEVE || op == KT_OP_FINISH)
		__sync_fetch_and_add(&s->kho_bytes_restored, f->sub_bytes);
	s->files = f->nr;
}

static __always_inline __u64 wake_flags(int fn)
{
	if (!(fn_flags(fn) & KT_F_HOT))
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wake_bytes ? BPF_RB_FORCE_WAKEUP
									  : BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(int fn, struct kt_stack *st, struct kt_frame *f, __u64 now, __u64 lat,
				 __u64 ret, bool err)
{
	struct kt_event *e;

	if (!(ev_mask & (1ULL << fn)))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return;
	}
	e->ts_ns = now;
	e->lat_ns = lat;
	e->ret = fn_ret(fn) == KT_RET_INT ? (__s64)(__s32)ret : (fn_ret(fn) == KT_RET_PTR ? (__s64)ret : 0);
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->fn = fn;
	e->flags = err ? KT_EV_ERROR : 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->name[0] = 0;
	e->handler[0] = 0;
	e->name_kind = KT_NAME_NONE;
	e->token = 0;
	if (!f) {
		e->flags |= KT_EV_NOENTRY;
		e->bytes = e->kho_bytes = e->addr = 0;
		e->kho_calls = e->nr = e->order = 0;
		bpf_ringbuf_submit(e, wake_flags(fn));
		return;
	}
	e->flags |= f->flags;
	e->bytes = f->bytes;
	e->kho_bytes = f->sub_bytes;
	e->kho_calls = f->sub_calls;
	e->addr = f->addr;
	e->nr = f->nr;
	e->order = f->order;
	if (f->name_at != KT_NO_FRAME) {
		__builtin_memcpy(e->name, FRAME(st, f->name_at)->name, KT_NAME_LEN);
		e->name_kind = f->name_kind;
	}
	if (f->handler_at != KT_NO_FRAME)
		__builtin_memcpy(e->handler, FRAME(st, f->handler_at)->handler, KT_COMPAT_LEN);
	if (f->token_at != KT_NO_FRAME) {
		e->token = FRAME(st, f->token_at)->token;
		e->flags |= KT_EV_TOKEN;
	}
	bpf_ringbuf_submit(e, wake_flags(fn));
}

static __always_inline int on_exit(int fn, __u64 ret)
{
	struct kt_stack *st;
	struct kt_frame *f = 0, *parent;
	__u64 now = bpf_ktime_get_ns(), lat = 0;
	bool err = is_error(fn, ret);
	__u32 d, idx = 0;
	int i, cls = fn_cls(fn), op = fn_op(fn);

	if (!wanted())
		return 0;
	st = stack_get(false);
	if (st) {
		d = st->depth;
		/* The frame of this call is the innermost one of this function; frames above it
		 * belong to calls whose exit was missed (attached between entry and exit). */
		for (i = 0; i < KT_MAX_DEPTH; i++) {
			if ((__u32)i >= d)
				break;
			idx = d - 1 - i;
			if (FRAME(st, idx)->fn == fn) {
				f = FRAME(st, idx);
				break;
			}
		}
	}
	if (f) {
		lat = now - f->ts;
		at_exit(fn, f, idx, ret, err);
		if ((fn_flags(fn) & KT_F_LEAF) && !err) {
			f->sub_bytes += f->bytes;
			f->sub_calls++;
		}
	}
	fn_stat_add(fn, f, lat, err);
	if (f) {
		if (f->handler_at != KT_NO_FRAME &&
		    (cls == KT_CLS_HANDLER ||
		     ((fn == KT_FN_LUO_PRESERVE_FILE || fn == KT_FN_LUO_RETRIEVE_FILE) &&
		      !f->saw_handler_op)))
			handler_stat_add(op, FRAME(st, f->handler_at)->handler, f, lat, err);
		if (cls == KT_CLS_LUO && f->name_at != KT_NO_FRAME && f->name_kind == KT_NAME_SESSION)
			session_stat_add(fn, FRAME(st, f->name_at)->name, f, now, err);
	}
	emit(fn, st, f, now, lat, ret, err);
	if (!f)
		return 0;
	/* Pop, and hand what the parent cannot see itself up to it. */
	st->depth = idx;
	if (!idx)
		return 0;
	parent = FRAME(st, idx - 1);
	parent->sub_bytes += f->sub_bytes;
	parent->sub_calls += f->sub_calls;
	if (cls == KT_CLS_HANDLER) {
		parent->saw_handler_op = 1;
		if (!parent->bytes)
			parent->bytes = f->bytes;
		if (parent->handler_at == KT_NO_FRAME && f->handler_at == idx) {
			__builtin_memcpy(parent->handler, f->handler, KT_COMPAT_LEN);
			parent->handler_at = idx - 1;
		}
	}
	return 0;
}

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
