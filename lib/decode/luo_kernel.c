// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/hash.h"
#include "base/util.h"
#include "decode/btf_layout.h"

struct layout {
	uint32_t hdr_in, hdr_out, hdr_count, hdr_list; /* luo_session_global / luo_session_header */
	uint32_t hdr_active, hdr_head_pa;
	uint32_t s_name, s_list, s_retrieved, s_files, s_count, s_size;
	uint32_t f_fh, f_file, f_data, f_rstatus, f_list, f_token, f_size;
	uint32_t fh_compat, file_inode, inode_size;
};

#define F(type, path, field) KT_BTF_FIELD(layout, type, path, field)
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

/*
 * The lists change while kcore is read: sessions are created and closed, files preserved
 * and unpreserved, and a node freed mid-walk may already be another session. So a list is
 * first read whole into memory, every link checked both ways and every count against the
 * nodes walked, the list head read again at the end; only a read that held is handed on.
 * One that did not is read again, up to this many times in all.
 */
#define MAX_ATTEMPTS 5

struct snap_session {
	char name[LUO_SESSION_NAME_LEN + 1];
	uint8_t retrieved;
	uint64_t claimed;
	size_t first, nr_files; /* in snap.files */
	char *error;		/* its file list could not be read */
};

struct snap {
	struct snap_session *s;
	size_t nr_s, cap_s;
	struct kt_luo_file_rec *f; /* handler: one of the walk's names */
	size_t nr_f, cap_f;
};

/* Files from index `from` on are read again. */
static void snap_drop_files(struct snap *sn, size_t from)
{
	for (; sn->nr_f > from; sn->nr_f--)
		free((char *)sn->f[sn->nr_f - 1].memfd_error);
}

static void snap_clear(struct snap *sn)
{
	size_t i;

	for (i = 0; i < sn->nr_s; i++)
		free(sn->s[i].error);
	sn->nr_s = 0;
	snap_drop_files(sn, 0);
}

static void snap_free(struct snap *sn)
{
	snap_clear(sn);
	free(sn->s);
	free(sn->f);
}

struct walk {
	struct kt_physmem *pm;
	const struct layout *l;
	uint8_t *sbuf, *sbuf2, *fbuf;
	uint64_t fh;		/* the handler last read (most files share one) */
	const char *handler;	/* its compatible, one of names */
	struct kt_strset names; /* every handler compatible met */
};

/*
 * Loops, found in constant memory (Brent): a marker is left on the node met at each power
 * of two steps; a walk that comes back to the marked node is going round. Every node links
 * back to the one before it, so a loop is caught at the latest where it closes; the
 * marker says it plainly when it is there first.
 */
struct loop {
	uint64_t mark, steps, power;
};

/* Node is the next one walked: true when the walk came round to the marked node. */
static bool loop_step(struct loop *lp, uint64_t node)
{
	if (lp->steps && node == lp->mark)
		return true;
	if (++lp->steps >= lp->power) {
		lp->mark = node;
		lp->power = 2 * lp->steps;
	}
	return false;
}

/* A list head: where it points both ways, and the count kept beside it. */
struct head {
	uint64_t count, next, prev;
};

static int read_head(struct walk *w, uint64_t count_va, uint64_t list_va, struct head *h)
{
	uint64_t link[2];

	if (kt_physmem_read_virt_fresh(w->pm, count_va, &h->count, sizeof(h->count)) ||
	    kt_physmem_read_virt_fresh(w->pm, list_va, link, sizeof(link)))
		return -EFAULT;
	h->next = link[0];
	h->prev = link[1];
	return 0;
}

static bool same_head(const struct head *a, const struct head *b)
{
	return a->count == b->count && a->next == b->next && a->prev == b->prev;
}

/* The compatible of the handler at fh, kept once in w->names. */
static const char *handler_name(struct walk *w, uint64_t fh)
{
	char compat[LUO_HANDLER_COMPAT_LEN + 1] = "";

	if (fh && kt_physmem_read_virt(w->pm, fh + w->l->fh_compat, compat, LUO_HANDLER_COMPAT_LEN))
		return NULL;
	return kt_strset_add(&w->names, compat);
}

static void read_handler(struct walk *w, uint64_t fh, struct kt_luo_file_rec *sf)
{
	if (fh != w->fh || !w->handler) {
		w->handler = handler_name(w, fh);
		w->fh = w->handler ? fh : 0;
	}
	sf->handler = w->handler ? w->handler : "";
	if (!w->handler)
		sf->error = "file handler not readable";
}

/*
 * memfd-v2's state, read while the list is (a retrieve consumes it: only the live file
 * is left). -EBADMSG when it reads as garbage: freed by an unpreserve that has not taken
 * the file off the list yet, or broken.
 */
static int read_memfd(struct walk *w, struct kt_luo_file_rec *sf)
{
	char err[128];
	int ret;

	if (strcmp(sf->handler, MEMFD_V2_COMPATIBLE) || !sf->data || sf->retrieve_status)
		return 0;
	sf->detailed = true;
	ret = kt_memfd_read(w->pm, sf->data, &sf->memfd, err, sizeof(err));
	sf->has_memfd = !ret;
	if (ret)
		sf->memfd_error = kt_strdup(err);
	return ret == -EBADMSG ? ret : 0;
}

/*
 * The files of the session whose struct is in w->sbuf, appended to sn: 0; -EBADMSG when
 * the list did not hold (a link one way only, a count that disagrees: changed or
 * broken); -EILSEQ when it held but a file's state read as garbage (each file carries
 * its own error); -ELOOP or -EFAULT for a loop or a node out of RAM. err says which.
 */
static int read_files(struct walk *w, uint64_t session, struct snap *sn, char *err, size_t errlen)
{
	const struct layout *l = w->l;
	uint64_t head = session + l->s_files, prev = head, node = u64_at(w->sbuf, l->s_files);
	uint64_t claimed = u64_at(w->sbuf, l->s_count), steps;
	const char *garbage = NULL;
	struct loop lp = {0};

	if (claimed <= KT_LUO_MAX_LIST)
		KT_GROW(sn->f, sn->cap_f, sn->nr_f + claimed);
	for (steps = 0; node != head; steps++) {
		struct kt_luo_file_rec *sf;
		uint64_t file, inode;

		if (loop_step(&lp, node) || steps >= KT_LUO_MAX_LIST ||
		    kt_physmem_read_virt(w->pm, node - l->f_list, w->fbuf, l->f_size))
			return kt_fail(err, errlen, -ELOOP,
				       "file list unreadable or looping after %llu of %llu files",
				       (unsigned long long)steps, (unsigned long long)claimed);
		if (u64_at(w->fbuf, l->f_list + 8) != prev)
			return kt_fail(err, errlen, -EBADMSG,
				       "file %llu of %llu does not link back to the one before",
				       (unsigned long long)steps + 1, (unsigned long long)claimed);
		KT_GROW(sn->f, sn->cap_f, sn->nr_f + 1);
		sf = &sn->f[sn->nr_f++];
		memset(sf, 0, sizeof(*sf));
		read_handler(w, u64_at(w->fbuf, l->f_fh), sf);
		sf->token = u64_at(w->fbuf, l->f_token);
		sf->data = u64_at(w->fbuf, l->f_data);
		memcpy(&sf->retrieve_status, w->fbuf + l->f_rstatus, sizeof(int));
		file = u64_at(w->fbuf, l->f_file);
		if (file && !kt_physmem_read_virt(w->pm, file + l->file_inode, &inode, sizeof(inode)) &&
		    inode && !kt_physmem_read_virt(w->pm, inode + l->inode_size, &sf->size, sizeof(sf->size)))
			sf->has_size = true;
		if (read_memfd(w, sf) && !garbage)
			garbage = sf->memfd_error;
		prev = node;
		node = u64_at(w->fbuf, l->f_list);
	}
	if (steps != claimed || prev != u64_at(w->sbuf, l->s_files + 8))
		return kt_fail(err, errlen, -EBADMSG, "file list holds %llu files, its count says %llu",
			       (unsigned long long)steps, (unsigned long long)claimed);
	return garbage ? kt_fail(err, errlen, -EILSEQ, "%s", garbage) : 0;
}

/*
 * One session and its files into sn: 0 (a file list that fails the same way on every
 * read is the session's error); -EAGAIN when the session kept changing while it was
 * read (its struct differs read again after its files); -EFAULT with err when it
 * cannot be read.
 */
static int read_session(struct walk *w, uint64_t node, struct snap *sn, char *err, size_t errlen)
{
	const struct layout *l = w->l;
	uint64_t session = node - l->s_list;
	struct snap_session *ss;
	size_t files = sn->nr_f;
	char ferr[128] = "";
	bool held = false;
	int ret = 0, i;

	for (i = 0; i < MAX_ATTEMPTS && !held; i++) {
		snap_drop_files(sn, files);
		/* Read again: what was cached may be what changed. */
		if (i)
			kt_physmem_cache(w->pm, true);
		if (kt_physmem_read_virt(w->pm, session, w->sbuf, l->s_size))
			return kt_fail(err, errlen, -EFAULT, "session at 0x%llx not readable",
				       (unsigned long long)session);
		ret = read_files(w, session, sn, ferr, sizeof(ferr));
		/* Whatever the files said, it holds only if the session is as it was. */
		if (kt_physmem_read_virt_fresh(w->pm, session, w->sbuf2, l->s_size) ||
		    memcmp(w->sbuf, w->sbuf2, l->s_size))
			continue;
		held = (ret != -EBADMSG && ret != -EILSEQ) || (i && !strcmp(ferr, err));
		snprintf(err, errlen, "%s", ferr);
	}
	if (!held)
		return kt_fail(err, errlen, -EAGAIN, "session 0x%llx kept changing while it was read",
			       (unsigned long long)session);
	KT_GROW(sn->s, sn->cap_s, sn->nr_s + 1);
	ss = &sn->s[sn->nr_s++];
	memset(ss, 0, sizeof(*ss));
	kt_cstr(ss->name, sizeof(ss->name), (const char *)w->sbuf + l->s_name, LUO_SESSION_NAME_LEN);
	ss->retrieved = w->sbuf[l->s_retrieved];
	ss->claimed = u64_at(w->sbuf, l->s_count);
	ss->first = files;
	ss->nr_files = sn->nr_f - files;
	if (ret && ret != -EILSEQ)
		ss->error = kt_strdup(ferr);
	err[0] = '\0';
	return 0;
}

/*
 * One read of the list at hdr into sn: 0 when it held; -EAGAIN when its head or one of
 * its sessions moved meanwhile; -EBADMSG when a link runs one way only or the count
 * disagrees (changed, or broken); -errno when it cannot be read at all. err says why.
 */
static int read_list_once(struct walk *w, uint64_t hdr, struct snap *sn, char *err, size_t errlen)
{
	const struct layout *l = w->l;
	uint64_t head = hdr + l->hdr_list, prev = head, node, steps;
	struct head h0, h1;
	struct loop lp = {0};
	int ret = 0;

	snap_clear(sn);
	kt_physmem_cache(w->pm, true); /* afresh: nothing read before this attempt */
	if (read_head(w, hdr + l->hdr_count, head, &h0))
		return kt_fail(err, errlen, -EFAULT, "luo_session_global not readable through kcore");
	for (node = h0.next, steps = 0; node != head; steps++) {
		if (steps >= KT_LUO_MAX_LIST) {
			ret = kt_fail(err, errlen, -E2BIG, "session list longer than %d", KT_LUO_MAX_LIST);
			break;
		}
		if (loop_step(&lp, node)) {
			ret = kt_fail(err, errlen, -ELOOP,
				      "session list loops after %llu sessions (count %llu)",
				      (unsigned long long)steps, (unsigned long long)h0.count);
			break;
		}
		ret = read_session(w, node, sn, err, errlen);
		if (!ret && u64_at(w->sbuf, l->s_list + 8) != prev)
			ret = kt_fail(
			    err, errlen, -EBADMSG, "session 0x%llx links back to 0x%llx, not 0x%llx",
			    (unsigned long long)node, (unsigned long long)u64_at(w->sbuf, l->s_list + 8),
			    (unsigned long long)prev);
		if (ret)
			break;
		prev = node;
		node = u64_at(w->sbuf, l->s_list);
	}
	if (!ret && (steps != h0.count || prev != h0.prev))
		ret = kt_fail(err, errlen, -EBADMSG, "session list holds %llu sessions, its count says %llu",
			      (unsigned long long)steps, (unsigned long long)h0.count);
	/* Whatever the walk found, a head that moved meanwhile says the list changed. */
	if (read_head(w, hdr + l->hdr_count, head, &h1) || !same_head(&h0, &h1))
		return kt_fail(err, errlen, -EAGAIN, "the list head changed while the list was read");
	return ret;
}

/*
 * The list at hdr, read until one read holds. A list that fails the same way on every
 * read, its head never moving, is broken and says how; one that fails differently, or
 * whose head moves, is changing faster than it can be read.
 */
static int read_list(struct walk *w, uint64_t hdr, const char *which, struct snap *sn, char *err,
		     size_t errlen)
{
	char last[256] = "";
	bool changing = false;
	int ret = 0, i;

	for (i = 0; i < MAX_ATTEMPTS; i++) {
		err[0] = '\0';
		ret = read_list_once(w, hdr, sn, err, errlen);
		if (!ret)
			return 0;
		changing |= ret == -EAGAIN || (i && strcmp(last, err));
		snprintf(last, sizeof(last), "%s", err);
	}
	if (changing)
		return kt_fail(err, errlen, -EAGAIN,
			       "the %s session list was changing: %d attempts (last: %s)", which,
			       MAX_ATTEMPTS, last);
	return ret;
}

static void hand_on(const struct snap *sn, bool incoming, const struct kt_luo_rec_ops *ops, void *ctx)
{
	size_t i, k;

	for (i = 0; i < sn->nr_s; i++) {
		const struct snap_session *ss = &sn->s[i];
		void *session = ops->session(ctx, ss->name,
					     !incoming	     ? KT_SESS_OUTGOING
					     : ss->retrieved ? KT_SESS_RETRIEVED
							     : KT_SESS_INCOMING,
					     ss->claimed);

		for (k = 0; k < ss->nr_files; k++)
			ops->file(ctx, session, &sn->f[ss->first + k]);
		if (ss->error)
			ops->session_error(ctx, session, ss->error);
	}
}

int kt_luo_kernel_walk(struct kt_physmem *pm, const struct kt_luo_rec_ops *ops, void *ctx,
		       struct kt_luo_kernel_incoming *in, char *err, size_t errlen)
{
	static struct kt_kernel_find kernel = {
	    want, KT_ARRAY_SIZE(want), {"luo_session_global"}, "live session lists", "LUO", 1, NULL, {0}};
	static struct layout l;
	struct walk w = {.pm = pm, .l = &l};
	struct snap out = {0}, inc = {0};
	uint64_t global;
	uint8_t active = 0;
	int ret;

	memset(in, 0, sizeof(*in));
	ret = kt_kernel_find(&kernel, &l, err, errlen);
	if (ret)
		return ret;
	global = kernel.addr[0];
	w.sbuf = kt_calloc(1, l.s_size);
	w.sbuf2 = kt_calloc(1, l.s_size);
	w.fbuf = kt_calloc(1, l.f_size);
	ret = read_list(&w, global + l.hdr_out, "outgoing", &out, err, errlen);
	if (!ret)
		ret = read_list(&w, global + l.hdr_in, "incoming", &inc, err, errlen);
	/* Its pages are not needed to hand the lists on. */
	kt_physmem_cache(pm, false);
	if (!ret) {
		hand_on(&out, false, ops, ctx);
		hand_on(&inc, true, ops, ctx);
		in->listed = inc.nr_s > 0;
	}
	snap_free(&out);
	snap_free(&inc);
	free(w.sbuf);
	free(w.sbuf2);
	free(w.fbuf);
	kt_strset_free(&w.names);
	if (ret)
		return ret;
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
