/* SPDX-License-Identifier: GPL-2.0-only */
/* At the exit of a call: the exact totals per function, handler and session, and the event (included by
 * kho.bpf.c: one BPF object). */
#ifndef KT_STATS_BPF_H
#define KT_STATS_BPF_H

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
	case KT_FN_LIVEUPDATE_FLB_GET_INCOMING: {
		/* A local first: inside BPF_CORE_READ, f->a0 would be relocated as a kernel field. */
		struct liveupdate_flb___kt *flb = (struct liveupdate_flb___kt *)f->a0;

		f->nr = flb_count((__u64)flb, true);
		f->flags |= KT_EV_FLB;
		if (!f->cursor && BPF_CORE_READ(flb, private.incoming.retrieve_status) > 0)
			f->flags |= KT_EV_FLB_RESTORED;
		break;
	}
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

/* An event of the call in frame f (NULL: its entry was not seen). */
static __always_inline void fill(struct kt_event *e, int fn, struct kt_stack *st, struct kt_frame *f,
				 __u64 now, __u64 lat, __u64 ret, bool err)
{
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
}

static __always_inline struct kt_event *reserve(int fn)
{
	struct kt_event *e;

	if (!(ev_mask & (1ULL << fn)))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		__sync_fetch_and_add(&dropped, 1);
	return e;
}

static __always_inline void emit(int fn, struct kt_stack *st, struct kt_frame *f, __u64 now, __u64 lat,
				 __u64 ret, bool err)
{
	struct kt_event *e = reserve(fn);

	if (!e)
		return;
	fill(e, fn, st, f, now, lat, ret, err);
	bpf_ringbuf_submit(e, wake_flags(fn));
}

/* FLBs walked per handler call: beyond what the kernel registers per handler. */
#define KT_FLBS_PER_HANDLER 16

/*
 * After a file of a handler was preserved, unpreserved or finished, every FLB registered
 * with the handler moved one step (luo_flb.c holds its lock around each): one event each,
 * named by the FLB, with its count of dependent files after the call.
 */
static __always_inline void emit_flb_steps(int fn, struct kt_stack *st, struct kt_frame *f, __u64 now,
					   __u64 lat)
{
	struct liveupdate_file_handler___kt *fh = (struct liveupdate_file_handler___kt *)f->a0;
	__u64 head = (__u64)fh + bpf_core_field_offset(struct liveupdate_file_handler___kt, flb_list);
	__u64 node = (__u64)BPF_CORE_READ(fh, flb_list.next);
	bool incoming = fn == KT_FN_LUO_FLB_FILE_FINISH;
	int i;

	for (i = 0; i < KT_FLBS_PER_HANDLER; i++) {
		struct luo_flb_link___kt *link;
		struct kt_event *e;
		__u64 flb;
		__u32 n;

		if (!node || node == head)
			return;
		link = (struct luo_flb_link___kt *)(node -
						    bpf_core_field_offset(struct luo_flb_link___kt, list));
		flb = (__u64)BPF_CORE_READ(link, flb);
		node = (__u64)BPF_CORE_READ(link, list.next);
		e = reserve(fn);
		if (!e)
			return;
		fill(e, fn, st, f, now, lat, 0, false);
		read_flb_name(e->name, flb);
		e->name_kind = KT_NAME_FLB;
		e->nr = n = flb_count(flb, incoming);
		e->flags |= KT_EV_FLB;
		if (fn == KT_FN_LUO_FLB_FILE_PRESERVE && n == 1)
			e->flags |= KT_EV_FLB_CREATED;
		else if (fn != KT_FN_LUO_FLB_FILE_PRESERVE && !n)
			e->flags |= KT_EV_FLB_DESTROYED;
		bpf_ringbuf_submit(e, 0);
	}
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
	if (!err && (fn == KT_FN_LUO_FLB_FILE_PRESERVE || fn == KT_FN_LUO_FLB_FILE_UNPRESERVE ||
		     fn == KT_FN_LUO_FLB_FILE_FINISH))
		emit_flb_steps(fn, st, f, now, lat);
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

#endif
