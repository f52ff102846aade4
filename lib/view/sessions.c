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

	snprintf(name, sizeof(name), "%llu", (unsigned long long)f->token);
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
