/* SPDX-License-Identifier: GPL-2.0-only */
/* Attribution: the per-task stack of calls, and what each call is about (session, handler, token) (included
 * by kho.bpf.c: one BPF object). */
#ifndef KT_ATTRIB_BPF_H
#define KT_ATTRIB_BPF_H

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
		/* Whether this call is the one that restores it: retrieve_status still 0. */
		f->cursor = BPF_CORE_READ((struct liveupdate_flb___kt *)a0, private.incoming.retrieve_status);
		/* fall through */
	case KT_FN_LIVEUPDATE_FLB_GET_OUTGOING:
		read_flb_name(f->name, a0);
		own_name(f, d, KT_NAME_FLB);
		break;
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

#endif
