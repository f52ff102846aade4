// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_chain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/util.h"
#include "decode/kho_block.h"

struct walk {
	const struct kt_luo_rec_ops *ops;
	void *ctx;
	struct kt_physmem *pm;
	void *session;
	uint64_t files;	       /* of the current session */
	struct kt_u64set seen; /* every block of every chain: each page is decoded once */
};

static int file_entry(void *ctx, const void *entry)
{
	struct walk *w = ctx;
	struct luo_file_ser fs;
	char handler[LUO_HANDLER_COMPAT_LEN + 1];
	struct kt_luo_file_rec f = {.handler = handler};

	memcpy(&fs, entry, sizeof(fs));
	if (strnlen(fs.compatible, sizeof(fs.compatible)) == sizeof(fs.compatible) || !fs.compatible[0] ||
	    !kt_printable(fs.compatible, strlen(fs.compatible)))
		return -EBADMSG;
	kt_cstr(handler, sizeof(handler), fs.compatible, sizeof(fs.compatible));
	f.token = fs.token;
	f.data = fs.data;
	w->ops->file(w->ctx, w->session, &f);
	w->files++;
	return 0;
}

static int session_entry(void *ctx, const void *entry)
{
	struct walk *w = ctx;
	struct luo_session_ser ss;
	char name[LUO_SESSION_NAME_LEN + 1], err[256], *msg = NULL;

	memcpy(&ss, entry, sizeof(ss));
	if (!kt_name_ok(ss.name, sizeof(ss.name)))
		return -EBADMSG;
	kt_cstr(name, sizeof(name), ss.name, sizeof(ss.name));
	w->session = w->ops->session(w->ctx, name, KT_SESS_SERIALIZED, ss.file_set.count);
	w->files = 0;
	if (ss.file_set.files && kt_block_walk(w->pm, ss.file_set.files, sizeof(struct luo_file_ser),
					       file_entry, w, &w->seen, err, sizeof(err)))
		msg = kt_asprintf("files: %s", err);
	else if (w->files != ss.file_set.count)
		msg = kt_asprintf("the session claims %llu files, its chain holds %llu",
				  (unsigned long long)ss.file_set.count, (unsigned long long)w->files);
	if (msg)
		w->ops->session_error(w->ctx, w->session, msg);
	free(msg);
	return 0;
}

int kt_luo_chain_walk(struct kt_physmem *pm, uint64_t sessions_pa, const struct kt_luo_rec_ops *ops,
		      void *ctx, char *err, size_t errlen)
{
	struct walk w = {.ops = ops, .ctx = ctx, .pm = pm};
	int ret = kt_block_walk(pm, sessions_pa, sizeof(struct luo_session_ser), session_entry, &w, &w.seen,
				err, errlen);

	kt_u64set_free(&w.seen);
	return ret;
}
