// SPDX-License-Identifier: GPL-2.0-only
/* sessions: LUO sessions, outgoing and incoming, with their files. */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "view/view.h"

static const char *const seal_names[] = {"seal", "shrink", "grow", "write", "future_write", "exec"};

static void field_seals(struct kt_sink *s, uint32_t seals)
{
	char buf[128];
	size_t n = 0, i;
	struct kt_val v = {.type = KT_V_STRLIST, .s = buf};

	for (i = 0; i < KT_ARRAY_SIZE(seal_names); i++)
		if (seals & (1u << i))
			n += snprintf(buf + n, sizeof(buf) - n, "%s", seal_names[i]) + 1;
	v.n = n ? n - 1 : 0;
	kt_field(s, "seals", &v);
}

struct folio_ctx {
	struct kt_sink *s;
	uint64_t n;
};

static int one_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	struct folio_ctx *fc = ctx;
	char name[32];

	snprintf(name, sizeof(name), "%llu", (unsigned long long)fc->n++);
	kt_node_begin(fc->s, name, NULL, NULL);
	kt_field_addr(fc->s, "phys", pfn << KT_PAGE_SHIFT);
	kt_field_u64(fc->s, "index", index);
	kt_field_bool(fc->s, "dirty", flags & MEMFD_FOLIO_DIRTY);
	kt_field_bool(fc->s, "uptodate", flags & MEMFD_FOLIO_UPTODATE);
	kt_node_end(fc->s);
	return 0;
}

static void file_node(const struct kt_luo_state *luo, struct kt_physmem *folios,
		      const struct kt_luo_session *x, const struct kt_luo_file *f, struct kt_sink *s)
{
	char name[32], flbs[1024];
	struct kt_val v = {.type = KT_V_STRLIST, .s = flbs};

	kt_u64_str(name, f->token, 10);
	kt_node_begin(s, name, f->handler[0] ? f->handler : NULL, f->has_size ? &f->size : NULL);
	kt_field_str(s, "handler", f->handler);
	kt_field_u64(s, "token", f->token);
	kt_field_addr(s, "data", f->data);
	if (f->unit)
		kt_field_str(s, "unit", f->unit);
	if (f->fdname)
		kt_field_str(s, "fdname", f->fdname);
	if (f->retrieve_status)
		kt_field_str(s, "retrieve", f->retrieve_status > 0 ? "retrieved" : "failed");
	/* The global objects the file depends on through its handler, in its direction. */
	v.n = kt_luo_handler_flbs(luo, f->handler, kt_luo_session_dir(x) == KT_IN, flbs, sizeof(flbs));
	if (v.n)
		kt_field(s, "flbs", &v);
	if (f->has_memfd) {
		const struct kt_memfd *m = &f->memfd;

		kt_field_size(s, "size", m->size);
		kt_field_u64(s, "pos", m->pos);
		field_seals(s, m->seals);
		kt_field_u64(s, "flags", m->flags);
		kt_field_u64(s, "folios", m->nr_folios);
		kt_field_addr(s, "folio_array", m->folios_first);
		kt_field_u64(s, "folio_array_pages", m->folios_total_pages);
	}
	if (f->error)
		kt_note(s, KT_NOTE_ERROR, "%s", f->error);
	if (!strcmp(x->name, KT_SD_SESSION) && f->token == KT_SD_MAP_TOKEN)
		kt_note(s, KT_NOTE_INFO, "systemd's LUO mapping: the unit and fd name of every other token%s",
			luo->sd.mapping ? "" : " (not read: see the session's notes)");
	if (folios && f->has_memfd) {
		struct folio_ctx fc = {.s = s};
		char err[256];

		kt_node_begin(s, "folios", NULL, NULL);
		if (kt_memfd_folios(folios, &f->memfd, one_folio, &fc, err, sizeof(err)))
			kt_note(s, KT_NOTE_ERROR, "%s", err);
		kt_node_end(s);
	}
	kt_node_end(s);
}

static void session_node(const struct kt_luo_state *luo, struct kt_physmem *folios,
			 const struct kt_luo_session *x, struct kt_sink *s)
{
	size_t k;

	kt_node_begin(s, x->name, NULL, NULL);
	kt_field_str(s, "state", kt_sess_state_name[x->state]);
	if (x->files_known) {
		kt_field_u64(s, "files", x->nr_files);
		kt_field_size(s, "bytes", kt_luo_session_bytes(x));
	}
	if (x->pid >= 0) {
		kt_field_u64(s, "pid", x->pid);
		kt_field_str(s, "comm", x->comm);
		kt_field_u64(s, "fd", x->fd);
	}
	if (x->unit)
		kt_field_str(s, "unit", x->unit);
	if (x->fdname)
		kt_field_str(s, "fdname", x->fdname);
	if (x->error)
		kt_note(s, KT_NOTE_ERROR, "%s", x->error);
	if (!x->files_known)
		kt_note(s, KT_NOTE_INFO, "files unknown (only procfs saw this session)");
	if (!strcmp(x->name, KT_SD_SESSION) && luo->sd.mapping_note)
		kt_note(s, KT_NOTE_WARNING, "%s", luo->sd.mapping_note);
	for (k = 0; k < x->nr_files; k++)
		file_node(luo, folios, x, &x->files[k], s);
	kt_node_end(s);
}

void kt_view_sessions(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *s)
{
	const struct kt_luo_state *luo = kt_state_luo(st);
	struct kt_physmem *folios = o->folios ? st->pm : NULL;
	int d;

	for (d = 0; d < KT_NR_DIRS; d++) {
		size_t n = 0, i;

		if (!(o->mask & (1u << d)))
			continue;
		for (i = 0; i < luo->nr_sessions; i++)
			n += kt_luo_session_dir(&luo->sessions[i]) == (enum kt_dirn)d;
		kt_node_begin(s, d == KT_OUT ? "outgoing" : "incoming", NULL, NULL);
		kt_field_u64(s, "sessions", n);
		if (luo->kernel_changing)
			kt_field_bool(s, "changing", true);
		if (d == KT_OUT) {
			kt_view_luo_sources(luo, s);
			kt_note(s, KT_NOTE_INFO,
				"not serialized yet: LUO serializes these at the kexec reboot");
		}
		for (i = 0; i < luo->nr_sessions; i++)
			if (kt_luo_session_dir(&luo->sessions[i]) == (enum kt_dirn)d)
				session_node(luo, folios, &luo->sessions[i], s);
		kt_node_end(s);
	}
}

/* ---- as rows: sessions with their files (and folios) under them ------------------------- */

static const struct kt_colspec session_cols[] = {
    {"NAME", "session name; under it each file's token (and each folio's index)", KT_COL_TREE},
    {"TYPE", "session, file or folio", 0},
    {"DIR", "out: preserved at the next kexec; in: handed over by the previous kernel", 0},
    {"STATE", "session: outgoing, serialized, incoming, retrieved; file: retrieved or failed", 0},
    {"OWNER", "systemd UNIT:FDNAME where a unit's fd store holds it, else the unit or command", 0},
    {"PID", "process holding the session fd", KT_COL_NUM},
    {"COMM", "its command", 0},
    {"FD", "its fd number", KT_COL_NUM},
    {"FDS", "session fds open on it in the whole system", KT_COL_NUM},
    {"UNIT", "systemd unit it belongs to", 0},
    {"FDNAME", "its name in the unit's fd store", 0},
    {"FILES", "files in the session", KT_COL_NUM},
    {"SIZE", "bytes: of the session's files, the file, or the folio", KT_COL_SIZE},
    {"HANDLER", "file handler (memfd-v2, ...)", 0},
    {"TOKEN", "the file's token", KT_COL_NUM},
    {"SEALS", "memfd seals", 0},
    {"FOLIOS", "memfd folios preserved", KT_COL_NUM},
    {"PHYS", "folio: physical address", 0},
    {"FLBS", "global objects the file depends on through its handler", KT_COL_TRUNC},
};
const struct kt_table_def kt_sessions_table = {session_cols, KT_ARRAY_SIZE(session_cols),
					       "NAME,STATE,OWNER,PID,FDNAME,HANDLER,FILES,SIZE"};

static void seals_text(uint32_t seals, char *buf, size_t len)
{
	size_t n = 0, i;

	buf[0] = 0;
	for (i = 0; i < KT_ARRAY_SIZE(seal_names); i++)
		if (seals & (1u << i))
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "", seal_names[i]);
}

static void owner_cell(struct kt_rows *r, size_t row, const char *unit, const char *fdname, const char *comm)
{
	if (unit && fdname)
		kt_rows_str(r, row, "OWNER", "%s:%s", unit, fdname);
	else if (unit || (comm && *comm))
		kt_rows_str(r, row, "OWNER", "%s", unit ? unit : comm);
}

struct folio_rows {
	struct kt_rows *r;
	size_t parent;
};

static int folio_row(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	struct folio_rows *fr = ctx;
	size_t row = kt_rows_add(fr->r, fr->parent);

	(void)flags;
	kt_rows_u64(fr->r, row, "NAME", index);
	kt_rows_str(fr->r, row, "TYPE", "folio");
	kt_rows_str(fr->r, row, "PHYS", "0x%llx", (unsigned long long)(pfn << KT_PAGE_SHIFT));
	return 0;
}

static void file_row(const struct kt_luo_state *luo, struct kt_physmem *folios,
		     const struct kt_luo_session *x, const struct kt_luo_file *f, size_t parent,
		     struct kt_rows *r)
{
	size_t row = kt_rows_add(r, parent);
	char buf[256];

	kt_rows_u64(r, row, "NAME", f->token);
	kt_rows_str(r, row, "TYPE", "file");
	kt_rows_str(r, row, "DIR", "%s", kt_luo_session_dir(x) == KT_IN ? "in" : "out");
	if (f->retrieve_status)
		kt_rows_str(r, row, "STATE", "%s", f->retrieve_status > 0 ? "retrieved" : "failed");
	owner_cell(r, row, f->unit, f->fdname, NULL);
	if (f->unit)
		kt_rows_str(r, row, "UNIT", "%s", f->unit);
	if (f->fdname)
		kt_rows_str(r, row, "FDNAME", "%s", f->fdname);
	else if (!strcmp(x->name, KT_SD_SESSION) && f->token == KT_SD_MAP_TOKEN)
		kt_rows_str(r, row, "FDNAME", "(systemd mapping)");
	if (f->has_size)
		kt_rows_size(r, row, "SIZE", f->size);
	kt_rows_str(r, row, "HANDLER", "%s", f->handler);
	kt_rows_u64(r, row, "TOKEN", f->token);
	if (f->has_memfd) {
		seals_text(f->memfd.seals, buf, sizeof(buf));
		kt_rows_str(r, row, "SEALS", "%s", buf);
		kt_rows_u64(r, row, "FOLIOS", f->memfd.nr_folios);
	}
	kt_rows_handler_flbs(luo, f->handler, kt_luo_session_dir(x) == KT_IN, r, row, "FLBS");
	if (f->error)
		kt_rows_note(r, false, "session %s, token %llu: %s", x->name, (unsigned long long)f->token,
			     f->error);
	if (folios && f->has_memfd) {
		struct folio_rows fr = {r, row};

		if (kt_memfd_folios(folios, &f->memfd, folio_row, &fr, buf, sizeof(buf)))
			kt_rows_note(r, false, "session %s, token %llu: %s", x->name,
				     (unsigned long long)f->token, buf);
	}
}

static void session_row(const struct kt_luo_state *luo, struct kt_physmem *folios,
			const struct kt_luo_session *x, struct kt_rows *r)
{
	size_t row = kt_rows_add(r, KT_ROW_NONE), k;

	kt_rows_str(r, row, "NAME", "%s", x->name);
	kt_rows_str(r, row, "TYPE", "session");
	kt_rows_str(r, row, "DIR", "%s", kt_luo_session_dir(x) == KT_IN ? "in" : "out");
	kt_rows_str(r, row, "STATE", "%s", kt_sess_state_name[x->state]);
	owner_cell(r, row, x->unit, x->fdname, x->comm);
	if (x->pid >= 0) {
		kt_rows_u64(r, row, "PID", x->pid);
		kt_rows_str(r, row, "COMM", "%s", x->comm);
		kt_rows_u64(r, row, "FD", x->fd);
		kt_rows_u64(r, row, "FDS", x->fds);
	}
	if (x->unit)
		kt_rows_str(r, row, "UNIT", "%s", x->unit);
	if (x->fdname)
		kt_rows_str(r, row, "FDNAME", "%s", x->fdname);
	if (x->files_known) {
		kt_rows_u64(r, row, "FILES", x->nr_files);
		kt_rows_size(r, row, "SIZE", kt_luo_session_bytes(x));
	}
	if (x->error)
		kt_rows_note(r, true, "session %s: %s", x->name, x->error);
	for (k = 0; k < x->nr_files; k++)
		file_row(luo, folios, x, &x->files[k], row, r);
}

void kt_rows_sessions(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r)
{
	const struct kt_luo_state *luo = kt_state_luo(st);
	struct kt_physmem *folios = o->folios ? st->pm : NULL;
	size_t i;
	int d;

	kt_rows_init(r, &kt_sessions_table);
	kt_rows_luo_notes(luo, r);
	for (d = 0; d < KT_NR_DIRS; d++)
		for (i = 0; (o->mask & (1u << d)) && i < luo->nr_sessions; i++)
			if (kt_luo_session_dir(&luo->sessions[i]) == (enum kt_dirn)d)
				session_row(luo, folios, &luo->sessions[i], r);
}
