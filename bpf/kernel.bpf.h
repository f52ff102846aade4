/* SPDX-License-Identifier: GPL-2.0-only */
/* What the programs know of the kernel: LUO structures with CO-RE flavours, each function's static facts,
 * readers (included by kho.bpf.c: one BPF object). */
#ifndef KT_KERNEL_BPF_H
#define KT_KERNEL_BPF_H

/*
 * Our view of the private LUO and KHO structures (kernel/liveupdate/luo_internal.h,
 * luo_file.c, include/linux/liveupdate.h, include/linux/kho/abi/kexec_handover.h):
 * only the fields read here; offsets come from the target BTF at load time.
 */
struct liveupdate_file_handler___kt {
	const char compatible[KT_COMPAT_LEN];
	struct list_head flb_list; /* of luo_flb_link: the FLBs registered with the handler */
} __attribute__((preserve_access_index));

/* luo_flb.c: each side of an FLB's state; count is the files depending on it. */
struct luo_flb_private_state___kt {
	refcount_t count;
	int retrieve_status;
} __attribute__((preserve_access_index));

struct luo_flb_private___kt {
	struct luo_flb_private_state___kt outgoing;
	struct luo_flb_private_state___kt incoming;
} __attribute__((preserve_access_index));

struct liveupdate_flb___kt {
	const char compatible[KT_COMPAT_LEN];
	struct luo_flb_private___kt private;
} __attribute__((preserve_access_index));

struct luo_flb_link___kt {
	struct liveupdate_flb___kt *flb;
	struct list_head list;
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

/* An FLB's compatible as an event name (zero-padded: the name field is longer). */
static __always_inline void read_flb_name(char *dst, __u64 flb)
{
	__builtin_memset(dst, 0, KT_NAME_LEN);
	bpf_core_read(dst, KT_COMPAT_LEN, &((struct liveupdate_flb___kt *)flb)->compatible);
	dst[KT_COMPAT_LEN - 1] = 0;
}

/* The files depending on an FLB, outgoing or incoming (refcount_t: one atomic int). */
static __always_inline __u32 flb_count(__u64 flb, bool incoming)
{
	struct liveupdate_flb___kt *p = (struct liveupdate_flb___kt *)flb;

	return incoming ? BPF_CORE_READ(p, private.incoming.count.refs.counter)
			: BPF_CORE_READ(p, private.outgoing.count.refs.counter);
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

#endif
