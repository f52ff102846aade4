// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO's serialized sessions and FLBs (include/linux/kho/abi/luo.h) behind the
 * physical pointers of a luo_ser: sessions_pa → block chain of luo_session_ser
 * {name, files, count}; files → block chain of luo_file_ser {compatible, data,
 * token}; flbs_pa → luo_flb_header_ser {pgcnt, count} + count luo_flb_ser.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/luo_state.h"
#include "base/util.h"

#define MAX_FLB_PAGES 16

struct walk {
	struct kt_physmem *pm;
	struct kt_luo_state *st;
	struct kt_luo_session *sess;
	struct kt_u64set seen; /* every block of every chain: each page is decoded once */
};

/* Room for one more zeroed element. */
static void *grow(void *v, size_t n, size_t size)
{
	v = kt_grow(v, n, size);
	memset((char *)v + n * size, 0, size);
	return v;
}

struct kt_luo_session *kt_luo_add_session(struct kt_luo_state *st, const char *name, enum kt_sess_state state)
{
	struct kt_luo_session *s;

	st->sessions = grow(st->sessions, st->nr_sessions, sizeof(*st->sessions));
	s = &st->sessions[st->nr_sessions++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->state = state;
	s->pid = s->fd = -1;
	return s;
}

void kt_luo_note(char **note, char *msg)
{
	free(*note);
	*note = msg;
}

struct kt_luo_file *kt_luo_add_file(struct kt_luo_session *s)
{
	s->files = grow(s->files, s->nr_files, sizeof(*s->files));
	return &s->files[s->nr_files++];
}

/* Decode a file's handler state where we know the handler. */
void kt_luo_file_detail(struct kt_physmem *pm, struct kt_luo_file *f)
{
	char err[256];

	/* A retrieve consumes the handler's serialized state: only the live file is left. */
	if (strcmp(f->handler, MEMFD_V2_COMPATIBLE) || !f->data || !pm || f->retrieve_status)
		return;
	if (kt_memfd_read(pm, f->data, &f->memfd, err, sizeof(err))) {
		f->error = kt_strdup(err);
		return;
	}
	f->has_memfd = true;
	f->has_size = true;
	f->size = f->memfd.size;
}

static int file_entry(void *ctx, const void *entry)
{
	struct walk *w = ctx;
	struct luo_file_ser fs;
	struct kt_luo_file *f;

	memcpy(&fs, entry, sizeof(fs));
	if (strnlen(fs.compatible, sizeof(fs.compatible)) == sizeof(fs.compatible) || !fs.compatible[0] ||
	    !kt_printable(fs.compatible, strlen(fs.compatible)))
		return -EBADMSG;
	f = kt_luo_add_file(w->sess);
	kt_cstr(f->handler, sizeof(f->handler), fs.compatible, sizeof(fs.compatible));
	f->token = fs.token;
	f->data = fs.data;
	kt_luo_file_detail(w->pm, f);
	return 0;
}

static int session_entry(void *ctx, const void *entry)
{
	struct walk *w = ctx;
	struct luo_session_ser ss;
	char name[LUO_SESSION_NAME_LEN + 1], err[256];

	memcpy(&ss, entry, sizeof(ss));
	if (!kt_name_ok(ss.name, sizeof(ss.name)))
		return -EBADMSG;
	kt_cstr(name, sizeof(name), ss.name, sizeof(ss.name));
	w->sess = kt_luo_add_session(w->st, name, KT_SESS_SERIALIZED);
	w->sess->files_known = true;
	w->sess->files_claimed = ss.file_set.count;
	if (ss.file_set.files &&
	    kt_block_walk(w->pm, ss.file_set.files, sizeof(struct luo_file_ser), file_entry, w, &w->seen, err,
			  sizeof(err)))
		w->sess->error = kt_asprintf("files: %s", err);
	else if (w->sess->nr_files != ss.file_set.count)
		w->sess->error = kt_asprintf("the session claims %llu files, its chain holds %zu",
					     (unsigned long long)ss.file_set.count, w->sess->nr_files);
	return 0;
}

static void read_flbs(struct kt_physmem *pm, uint64_t pa, struct kt_luo_state *st)
{
	struct luo_flb_header_ser h;
	uint64_t max, i;

	if (!pa)
		return;
	if (kt_physmem_read(pm, pa, &h, sizeof(h))) {
		kt_luo_note(&st->serialized_note,
			    kt_asprintf("FLB header at 0x%llx not readable", (unsigned long long)pa));
		return;
	}
	max = h.pgcnt && h.pgcnt <= MAX_FLB_PAGES ? (h.pgcnt * KT_PAGE_SIZE - sizeof(h)) / sizeof(struct luo_flb_ser) : 0;
	if (h.count > max) {
		kt_luo_note(&st->serialized_note,
			    kt_asprintf("FLB header at 0x%llx claims %llu entries in %llu pages", (unsigned long long)pa,
					(unsigned long long)h.count, (unsigned long long)h.pgcnt));
		return;
	}
	for (i = 0; i < h.count; i++) {
		struct luo_flb_ser f;
		struct kt_luo_flb *out;

		if (kt_physmem_read(pm, pa + sizeof(h) + i * sizeof(f), &f, sizeof(f))) {
			kt_luo_note(&st->serialized_note,
				    kt_asprintf("FLB entry %llu of %llu at 0x%llx not readable", (unsigned long long)i,
						(unsigned long long)h.count, (unsigned long long)pa));
			return;
		}
		st->flbs = grow(st->flbs, st->nr_flbs, sizeof(*st->flbs));
		out = &st->flbs[st->nr_flbs++];
		kt_cstr(out->name, sizeof(out->name), f.name, sizeof(f.name));
		out->data = f.data;
		out->count = f.count;
		out->incoming = true;
	}
}

int kt_luo_from_serialized(struct kt_physmem *pm, uint64_t sessions_pa, uint64_t flbs_pa, struct kt_luo_state *st)
{
	struct walk w = { .pm = pm, .st = st };
	size_t before = st->nr_sessions;
	char err[256];
	int ret;

	if (!sessions_pa) {
		kt_luo_note(&st->serialized_note, kt_strdup("no serialized sessions (sessions_pa is 0)"));
		return -ENODATA;
	}
	ret = kt_block_walk(pm, sessions_pa, sizeof(struct luo_session_ser), session_entry, &w, &w.seen, err,
			    sizeof(err));
	kt_u64set_free(&w.seen);
	if (ret) {
		/* Deserialization frees the chain: what is there now is not sessions. */
		while (st->nr_sessions > before)
			kt_luo_session_free(&st->sessions[--st->nr_sessions]);
		kt_luo_note(&st->serialized_note,
			    kt_asprintf("serialized sessions unreadable (freed once deserialized?): %s", err));
		return ret;
	}
	read_flbs(pm, flbs_pa, st);
	st->serialized_ok = true;
	return 0;
}
