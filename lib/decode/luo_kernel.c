// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/hash.h"
#include "base/util.h"
#include "decode/btf_layout.h"

/*
 * Sessions or files in one list: beyond what the kernel can serialize (51 sessions or
 * 63 files per block, KHO_MAX_BLOCKS blocks).
 */
#define MAX_LIST 1000000

struct layout {
	uint32_t hdr_in, hdr_out, hdr_count, hdr_list; /* luo_session_global / luo_session_header */
	uint32_t hdr_active, hdr_head_pa;
	uint32_t s_name, s_list, s_retrieved, s_files, s_count, s_size;
	uint32_t f_fh, f_file, f_data, f_rstatus, f_list, f_token, f_size;
	uint32_t fh_compat, file_inode, inode_size;
};

#define F(type, path, field)                                                                                 \
	{                                                                                                    \
		type, path, offsetof(struct layout, field)                                                   \
	}
static const struct kt_btf_field want[] = {
    F("luo_session_global", "incoming", hdr_in),
    F("luo_session_global", "outgoing", hdr_out),
    F("luo_session_header", "count", hdr_count),
    F("luo_session_header", "list", hdr_list),
    F("luo_session_header", "active", hdr_active),
    F("luo_session_header", "block_set.head_pa", hdr_head_pa),
    F("luo_session", "name", s_name),
    F("luo_session", "list", s_list),
    F("luo_session", "retrieved", s_retrieved),
    F("luo_session", "file_set.files_list", s_files),
    F("luo_session", "file_set.count", s_count),
    F("luo_session", "", s_size),
    F("luo_file", "fh", f_fh),
    F("luo_file", "file", f_file),
    F("luo_file", "serialized_data", f_data),
    F("luo_file", "retrieve_status", f_rstatus),
    F("luo_file", "list", f_list),
    F("luo_file", "token", f_token),
    F("luo_file", "", f_size),
    F("liveupdate_file_handler", "compatible", fh_compat),
    F("file", "f_inode", file_inode),
    F("inode", "i_size", inode_size),
};
#undef F

static uint64_t u64_at(const uint8_t *p, uint32_t off)
{
	return kt_le64(p + off);
}

struct walk {
	struct kt_physmem *pm;
	const struct layout *l;
	const struct kt_luo_rec_ops *ops;
	void *ctx;
	struct kt_u64set seen; /* every list node met: each is on one list, once */
};

static void read_files(struct walk *w, uint64_t head, uint64_t count, void *session)
{
	const struct layout *l = w->l;
	uint8_t *buf = kt_calloc(1, l->f_size);
	uint64_t node, steps = 0;

	if (kt_physmem_read_virt(w->pm, head, &node, sizeof(node)))
		goto bad;
	for (; node && node != head; steps++) {
		char handler[LUO_HANDLER_COMPAT_LEN + 1] = "";
		struct kt_luo_file_rec f = {.handler = handler};
		uint64_t fh, file, inode;

		if (!kt_u64set_add(&w->seen, node) || steps >= MAX_LIST ||
		    kt_physmem_read_virt(w->pm, node - l->f_list, buf, l->f_size))
			goto bad;
		fh = u64_at(buf, l->f_fh);
		if (fh && kt_physmem_read_virt(w->pm, fh + l->fh_compat, handler, LUO_HANDLER_COMPAT_LEN))
			f.error = "file handler not readable";
		handler[LUO_HANDLER_COMPAT_LEN] = '\0';
		f.token = u64_at(buf, l->f_token);
		f.data = u64_at(buf, l->f_data);
		memcpy(&f.retrieve_status, buf + l->f_rstatus, sizeof(int));
		file = u64_at(buf, l->f_file);
		if (file && !kt_physmem_read_virt(w->pm, file + l->file_inode, &inode, sizeof(inode)) &&
		    inode && !kt_physmem_read_virt(w->pm, inode + l->inode_size, &f.size, sizeof(f.size)))
			f.has_size = true;
		w->ops->file(w->ctx, session, &f);
		node = u64_at(buf, l->f_list);
	}
	free(buf);
	return;
bad:
	free(buf);
	{
		char *msg = kt_asprintf("file list unreadable or looping after %llu of %llu files",
					(unsigned long long)steps, (unsigned long long)count);

		w->ops->session_error(w->ctx, session, msg);
		free(msg);
	}
}

static int read_list(struct walk *w, uint64_t hdr, bool incoming, size_t *listed, char *err, size_t errlen)
{
	const struct layout *l = w->l;
	uint64_t head = hdr + l->hdr_list, node, count, steps = 0;
	uint8_t *buf = kt_calloc(1, l->s_size);
	int ret = 0;

	if (kt_physmem_read_virt(w->pm, hdr + l->hdr_count, &count, sizeof(count)) ||
	    kt_physmem_read_virt(w->pm, head, &node, sizeof(node))) {
		free(buf);
		return kt_fail(err, errlen, -EFAULT, "luo_session_global not readable through kcore");
	}
	for (; node && node != head; steps++) {
		char name[LUO_SESSION_NAME_LEN + 1];
		uint64_t claimed;
		void *session;

		if (steps >= MAX_LIST) {
			ret = kt_fail(err, errlen, -E2BIG, "session list longer than %d", MAX_LIST);
			break;
		}
		if (!kt_u64set_add(&w->seen, node)) {
			ret = kt_fail(err, errlen, -ELOOP,
				      "session list loops after %llu sessions (count %llu)",
				      (unsigned long long)steps, (unsigned long long)count);
			break;
		}
		if (kt_physmem_read_virt(w->pm, node - l->s_list, buf, l->s_size)) {
			ret = kt_fail(err, errlen, -EFAULT, "session at 0x%llx not readable",
				      (unsigned long long)(node - l->s_list));
			break;
		}
		kt_cstr(name, sizeof(name), (const char *)buf + l->s_name, LUO_SESSION_NAME_LEN);
		claimed = u64_at(buf, l->s_count);
		session = w->ops->session(w->ctx, name,
					  !incoming		? KT_SESS_OUTGOING
					  : buf[l->s_retrieved] ? KT_SESS_RETRIEVED
								: KT_SESS_INCOMING,
					  claimed);
		(*listed)++;
		read_files(w, node - l->s_list + l->s_files, claimed, session);
		node = u64_at(buf, l->s_list);
	}
	free(buf);
	return ret;
}

int kt_luo_kernel_walk(struct kt_physmem *pm, const struct kt_luo_rec_ops *ops, void *ctx,
		       struct kt_luo_kernel_incoming *in, char *err, size_t errlen)
{
	static struct kt_kernel_find kernel = {
	    want, KT_ARRAY_SIZE(want), {"luo_session_global"}, "live session lists", "LUO", 1, NULL, {0}};
	static struct layout l;
	struct walk w = {.pm = pm, .l = &l, .ops = ops, .ctx = ctx};
	uint64_t global;
	size_t outgoing = 0, incoming = 0;
	uint8_t active = 0;
	int ret;

	memset(in, 0, sizeof(*in));
	ret = kt_kernel_find(&kernel, &l, err, errlen);
	if (ret)
		return ret;
	global = kernel.addr[0];
	ret = read_list(&w, global + l.hdr_out, false, &outgoing, err, errlen);
	if (!ret)
		ret = read_list(&w, global + l.hdr_in, true, &incoming, err, errlen);
	kt_u64set_free(&w.seen);
	if (ret)
		return ret;
	in->listed = incoming > 0;
	/*
	 * Incoming sessions are deserialized on the first open of /dev/liveupdate;
	 * until then the kernel keeps only the head of the previous kernel's chain.
	 */
	if (!in->listed && !kt_physmem_read_virt(pm, global + l.hdr_in + l.hdr_active, &active, 1) &&
	    !kt_physmem_read_virt(pm, global + l.hdr_in + l.hdr_head_pa, &in->head_pa, sizeof(in->head_pa))) {
		in->known = true;
		in->active = active;
	}
	return 0;
}
