// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_kernel_flb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/hash.h"
#include "base/util.h"
#include "decode/btf_layout.h"

/* Registered FLBs and file handlers walked at most: the kernel serializes 63 FLBs. */
#define MAX_FLBS     1024
#define MAX_HANDLERS 1024

struct layout {
	uint32_t g_in, g_out, g_list;	    /* luo_flb_global */
	uint32_t h_ser, h_active;	    /* luo_flb_header */
	uint32_t flb_compat, flb_list;	    /* liveupdate_flb (list: private.list) */
	uint32_t flb_out, flb_in;	    /* private.outgoing, private.incoming */
	uint32_t st_count, st_data, st_obj; /* luo_flb_private_state */
	uint32_t st_finished, st_rstatus;
	uint32_t fh_compat, fh_list, fh_flbs; /* liveupdate_file_handler */
	uint32_t link_flb, link_list;	      /* luo_flb_link */
};

#define F(type, path, field) KT_BTF_FIELD(layout, type, path, field)
static const struct kt_btf_field want[] = {
    F("luo_flb_global", "incoming", g_in),
    F("luo_flb_global", "outgoing", g_out),
    F("luo_flb_global", "list", g_list),
    F("luo_flb_header", "header_ser", h_ser),
    F("luo_flb_header", "active", h_active),
    F("liveupdate_flb", "compatible", flb_compat),
    F("liveupdate_flb", "private.list", flb_list),
    F("liveupdate_flb", "private.outgoing", flb_out),
    F("liveupdate_flb", "private.incoming", flb_in),
    F("luo_flb_private_state", "count", st_count),
    F("luo_flb_private_state", "data", st_data),
    F("luo_flb_private_state", "obj", st_obj),
    F("luo_flb_private_state", "finished", st_finished),
    F("luo_flb_private_state", "retrieve_status", st_rstatus),
    F("liveupdate_file_handler", "compatible", fh_compat),
    F("liveupdate_file_handler", "list", fh_list),
    F("liveupdate_file_handler", "flb_list", fh_flbs),
    F("luo_flb_link", "flb", link_flb),
    F("luo_flb_link", "list", link_list),
};
#undef F

/* Which handlers each FLB is registered with: (flb, handler name) pairs. */
struct regs {
	uint64_t *flb;
	char (*handler)[LUO_HANDLER_COMPAT_LEN + 1];
	size_t n, cap_flb, cap_handler;
};

static int read_u64(struct kt_physmem *pm, uint64_t va, uint64_t *v)
{
	return kt_physmem_read_virt(pm, va, v, sizeof(*v));
}

static int read_registrations(struct kt_physmem *pm, const struct layout *l, uint64_t head, struct regs *r,
			      struct kt_u64set *seen, char *err, size_t errlen)
{
	uint64_t node, steps = 0;

	if (read_u64(pm, head, &node))
		return kt_fail(err, errlen, -EFAULT, "luo_file_handler_list not readable through kcore");
	for (; node && node != head; steps++) {
		uint64_t fh = node - l->fh_list, fhead = fh + l->fh_flbs, link, lsteps = 0;
		char name[LUO_HANDLER_COMPAT_LEN + 1] = "";

		if (steps >= MAX_HANDLERS || !kt_u64set_add(seen, node))
			return kt_fail(err, errlen, -ELOOP, "file handler list loops or is longer than %d",
				       MAX_HANDLERS);
		if (kt_physmem_read_virt(pm, fh + l->fh_compat, name, LUO_HANDLER_COMPAT_LEN) ||
		    read_u64(pm, fhead, &link))
			return kt_fail(err, errlen, -EFAULT, "file handler list unreadable");
		for (; link && link != fhead; lsteps++) {
			uint64_t flb;

			if (lsteps >= MAX_FLBS || !kt_u64set_add(seen, link))
				return kt_fail(err, errlen, -ELOOP, "FLB list of handler %s loops", name);
			if (read_u64(pm, link - l->link_list + l->link_flb, &flb))
				return kt_fail(err, errlen, -EFAULT, "FLB list of handler %s unreadable",
					       name);
			KT_GROW(r->flb, r->cap_flb, r->n + 1);
			KT_GROW(r->handler, r->cap_handler, r->n + 1);
			r->flb[r->n] = flb;
			memcpy(r->handler[r->n++], name, sizeof(name));
			if (read_u64(pm, link, &link))
				return kt_fail(err, errlen, -EFAULT, "FLB list of handler %s unreadable",
					       name);
		}
		if (read_u64(pm, node, &node))
			return kt_fail(err, errlen, -EFAULT, "file handler list unreadable");
	}
	return 0;
}

/* One side (outgoing or incoming) of an FLB's private state. */
static int read_state(struct kt_physmem *pm, const struct layout *l, uint64_t st, int64_t *count,
		      uint64_t *data, bool *object, int *rstatus, bool *finished)
{
	int32_t refs;
	uint64_t obj;
	uint8_t fin = 0;

	/* refcount_t is an atomic_t: one int. */
	if (kt_physmem_read_virt(pm, st + l->st_count, &refs, sizeof(refs)) ||
	    read_u64(pm, st + l->st_data, data) || read_u64(pm, st + l->st_obj, &obj) ||
	    (rstatus && kt_physmem_read_virt(pm, st + l->st_rstatus, rstatus, sizeof(*rstatus))) ||
	    (finished && kt_physmem_read_virt(pm, st + l->st_finished, &fin, 1)))
		return -EFAULT;
	*count = refs;
	*object = obj != 0;
	if (finished)
		*finished = fin;
	return 0;
}

/* The physical page of a luo_flb_header's header_ser, when it is active. */
static uint64_t page_of(struct kt_physmem *pm, const struct layout *l, uint64_t hdr)
{
	uint64_t ser, pa;
	uint8_t active = 0;

	if (read_u64(pm, hdr + l->h_ser, &ser) || kt_physmem_read_virt(pm, hdr + l->h_active, &active, 1) ||
	    !active || !ser || kt_physmem_virt_to_phys(pm, ser, &pa))
		return 0;
	return pa;
}

int kt_luo_kernel_flbs(struct kt_physmem *pm, void (*fn)(void *ctx, const struct kt_luo_flb_rec *r),
		       void *ctx, struct kt_luo_flb_pages *pages, char *err, size_t errlen)
{
	struct regs regs = {0};
	struct kt_u64set seen = {0};
	static struct kt_kernel_find kernel = {want,
					       KT_ARRAY_SIZE(want),
					       {"luo_flb_global", "luo_file_handler_list"},
					       "live FLB lists",
					       "FLBs",
					       1,
					       NULL,
					       {0}};
	static struct layout l;
	uint64_t global, handlers, head, node, steps = 0;
	int ret;

	memset(pages, 0, sizeof(*pages));
	ret = kt_kernel_find(&kernel, &l, err, errlen);
	if (ret)
		return ret;
	global = kernel.addr[0];
	handlers = kernel.addr[1];
	ret = read_registrations(pm, &l, handlers, &regs, &seen, err, errlen);
	head = global + l.g_list;
	if (!ret && read_u64(pm, head, &node))
		ret = kt_fail(err, errlen, -EFAULT, "luo_flb_global not readable through kcore");
	for (; !ret && node && node != head; steps++) {
		uint64_t flb = node - l.flb_list;
		char name[LUO_FLB_COMPAT_LEN + 1] = "", *list = NULL;
		struct kt_luo_flb_rec r = {.name = name};
		size_t i, len = 0;

		if (steps >= MAX_FLBS || !kt_u64set_add(&seen, node)) {
			ret = kt_fail(err, errlen, -ELOOP, "FLB list loops or is longer than %d", MAX_FLBS);
			break;
		}
		if (kt_physmem_read_virt(pm, flb + l.flb_compat, name, LUO_FLB_COMPAT_LEN) ||
		    read_state(pm, &l, flb + l.flb_out, &r.out_count, &r.out_data, &r.out_object, NULL,
			       NULL) ||
		    read_state(pm, &l, flb + l.flb_in, &r.in_count, &r.in_data, &r.in_object,
			       &r.retrieve_status, &r.finished)) {
			ret = kt_fail(err, errlen, -EFAULT, "FLB at 0x%llx unreadable",
				      (unsigned long long)flb);
			break;
		}
		for (i = 0; i < regs.n; i++)
			if (regs.flb[i] == flb) {
				size_t n = strlen(regs.handler[i]) + 1;

				list = kt_realloc(list, len + n);
				memcpy(list + len, regs.handler[i], n);
				len += n;
			}
		r.handlers = list;
		r.handlers_len = len ? len - 1 : 0;
		fn(ctx, &r);
		free(list);
		if (read_u64(pm, node, &node))
			ret = kt_fail(err, errlen, -EFAULT, "FLB list unreadable");
	}
	if (!ret) {
		pages->out_pa = page_of(pm, &l, global + l.g_out);
		pages->in_pa = page_of(pm, &l, global + l.g_in);
	}
	free(regs.flb);
	free(regs.handler);
	kt_u64set_free(&seen);
	return ret;
}
