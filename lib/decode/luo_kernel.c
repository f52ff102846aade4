// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_kernel.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "source/ksym.h"

#define MAX_LIST 1000000 /* sessions or files in one list: far beyond real hosts */

struct layout {
	uint32_t hdr_in, hdr_out, hdr_count, hdr_list; /* luo_session_global / luo_session_header */
	uint32_t hdr_active, hdr_head_pa;
	uint32_t s_name, s_list, s_retrieved, s_files, s_count, s_size;
	uint32_t f_fh, f_file, f_data, f_rstatus, f_list, f_token, f_size;
	uint32_t fh_compat, file_inode, inode_size;
};

/* Byte offset of a (possibly nested, dot-separated) member; anonymous members are searched. */
static int member_off(const struct btf *btf, int id, const char *path, uint32_t *off)
{
	char name[64];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	const struct btf_type *t;
	const struct btf_member *m;
	int i;

	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, path, n);
	name[n] = '\0';
	t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return -ENOENT;
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t sub = 0;

		if (mn && !strcmp(mn, name)) {
			if (dot && member_off(btf, m->type, dot + 1, &sub))
				return -ENOENT;
			*off = btf_member_bit_offset(t, i) / 8 + sub;
			return 0;
		}
		if ((!mn || !*mn) && !member_off(btf, m->type, path, &sub)) {
			*off = btf_member_bit_offset(t, i) / 8 + sub;
			return 0;
		}
	}
	return -ENOENT;
}

static int struct_id(const struct btf *btf, const char *name)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
}

static int load_layout(const struct btf *btf, struct layout *l, char *err, size_t errlen)
{
	static const struct {
		const char *type, *path;
		size_t off;
	} want[] = {
	    {"luo_session_global", "incoming", offsetof(struct layout, hdr_in)},
	    {"luo_session_global", "outgoing", offsetof(struct layout, hdr_out)},
	    {"luo_session_header", "count", offsetof(struct layout, hdr_count)},
	    {"luo_session_header", "list", offsetof(struct layout, hdr_list)},
	    {"luo_session_header", "active", offsetof(struct layout, hdr_active)},
	    {"luo_session_header", "block_set.head_pa", offsetof(struct layout, hdr_head_pa)},
	    {"luo_session", "name", offsetof(struct layout, s_name)},
	    {"luo_session", "list", offsetof(struct layout, s_list)},
	    {"luo_session", "retrieved", offsetof(struct layout, s_retrieved)},
	    {"luo_session", "file_set.files_list", offsetof(struct layout, s_files)},
	    {"luo_session", "file_set.count", offsetof(struct layout, s_count)},
	    {"luo_file", "fh", offsetof(struct layout, f_fh)},
	    {"luo_file", "file", offsetof(struct layout, f_file)},
	    {"luo_file", "serialized_data", offsetof(struct layout, f_data)},
	    {"luo_file", "retrieve_status", offsetof(struct layout, f_rstatus)},
	    {"luo_file", "list", offsetof(struct layout, f_list)},
	    {"luo_file", "token", offsetof(struct layout, f_token)},
	    {"liveupdate_file_handler", "compatible", offsetof(struct layout, fh_compat)},
	    {"file", "f_inode", offsetof(struct layout, file_inode)},
	    {"inode", "i_size", offsetof(struct layout, inode_size)},
	};
	size_t i;
	int id;

	for (i = 0; i < KT_ARRAY_SIZE(want); i++) {
		id = struct_id(btf, want[i].type);
		if (id <= 0 || member_off(btf, id, want[i].path, (uint32_t *)((char *)l + want[i].off))) {
			snprintf(err, errlen, "kernel BTF lacks struct %s.%s", want[i].type, want[i].path);
			return -ENOENT;
		}
	}
	l->s_size = btf__resolve_size(btf, struct_id(btf, "luo_session"));
	l->f_size = btf__resolve_size(btf, struct_id(btf, "luo_file"));
	return 0;
}

static uint64_t u64_at(const uint8_t *p, uint32_t off)
{
	return kt_le64(p + off);
}

struct walk {
	struct kt_physmem *pm;
	const struct layout *l;
	const struct kt_luo_rec_ops *ops;
	void *ctx;
};

static void read_files(const struct walk *w, uint64_t head, uint64_t count, void *session)
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

		if (steps > count + 16 || steps >= MAX_LIST ||
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
		char *msg = kt_asprintf("file list unreadable or longer than its count (%llu)",
					(unsigned long long)count);

		w->ops->session_error(w->ctx, session, msg);
		free(msg);
	}
}

static int read_list(const struct walk *w, uint64_t hdr, bool incoming, size_t *listed, char *err,
		     size_t errlen)
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

		if (steps > count + 16 || steps >= MAX_LIST) {
			ret = kt_fail(err, errlen, -ELOOP, "session list longer than its count (%llu)",
				      (unsigned long long)count);
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

/*
 * The layouts and the address of luo_session_global belong to the running kernel:
 * found once per process (parsing BTF and kallsyms costs tens of milliseconds, and
 * luo-top gathers every few seconds), the outcome kept whether it worked or not.
 */
static int locate(struct layout *l, uint64_t *global, const char **why)
{
	static struct layout cached;
	static uint64_t cached_global;
	static char *cached_why;
	static int cached_ret = 1; /* 1: not tried yet */
	struct btf *btf;
	char err[256];

	if (cached_ret == 1) {
		btf = btf__load_vmlinux_btf();
		if (!btf) {
			cached_ret = -ENOENT;
			cached_why = kt_strdup(
			    "no kernel BTF (/sys/kernel/btf/vmlinux): live session lists unavailable");
		} else {
			cached_ret = load_layout(btf, &cached, err, sizeof(err));
			btf__free(btf);
			if (cached_ret)
				cached_why = kt_asprintf("%s (kernel without LUO?)", err);
		}
		if (!cached_ret) {
			cached_ret = kt_ksym_addr("luo_session_global", &cached_global);
			if (cached_ret)
				cached_why = kt_strdup(
				    cached_ret == -EPERM
					? "kallsyms addresses hidden (not root)"
					: "luo_session_global not in kallsyms (needs CONFIG_KALLSYMS_ALL)");
		}
	}
	*l = cached;
	*global = cached_global;
	*why = cached_why;
	return cached_ret;
}

int kt_luo_kernel_walk(struct kt_physmem *pm, const struct kt_luo_rec_ops *ops, void *ctx,
		       struct kt_luo_kernel_incoming *in, char *err, size_t errlen)
{
	struct layout l;
	struct walk w = {.pm = pm, .l = &l, .ops = ops, .ctx = ctx};
	uint64_t global = 0;
	size_t outgoing = 0, incoming = 0;
	uint8_t active = 0;
	const char *why;
	int ret;

	memset(in, 0, sizeof(*in));
	ret = locate(&l, &global, &why);
	if (ret)
		return kt_fail(err, errlen, ret, "%s", why);
	ret = read_list(&w, global + l.hdr_out, false, &outgoing, err, errlen);
	if (!ret)
		ret = read_list(&w, global + l.hdr_in, true, &incoming, err, errlen);
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
