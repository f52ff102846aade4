// SPDX-License-Identifier: GPL-2.0-only
/* Views of LUO: sessions with their files, handlers, and the global summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoders.h"
#include "model/luo_state.h"
#include "base/util.h"
#include "view/view.h"

static const char *const seal_names[] = { "seal", "shrink", "grow", "write", "future_write", "exec" };

static void source_notes(const struct kt_luo_state *st, struct kt_sink *s)
{
	if (st->saved)
		kt_note(s, KT_NOTE_INFO, "LUO state as saved with the snapshot");
	if (st->kernel_note && st->unavailable)
		kt_note(s, KT_NOTE_ERROR, "no LUO state: %s", st->kernel_note);
	else if (st->kernel_note)
		kt_note(s, st->kernel_ok || st->saved ? KT_NOTE_INFO : KT_NOTE_WARNING, "kernel lists: %s",
			st->kernel_note);
	if (st->serialized_note)
		kt_note(s, KT_NOTE_INFO, "%s", st->serialized_note);
	if (st->procfs_note)
		kt_note(s, KT_NOTE_WARNING, "procfs: %s", st->procfs_note);
}

static void field_seals(struct kt_sink *s, uint32_t seals)
{
	char buf[128];
	size_t n = 0, i;
	struct kt_val v = { .type = KT_V_STRLIST, .s = buf };

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

static void file_node(const struct kt_view_ctx *c, const struct kt_luo_file *f, struct kt_sink *s)
{
	char name[32];

	snprintf(name, sizeof(name), "%llu", (unsigned long long)f->token);
	kt_node_begin(s, name, f->handler[0] ? f->handler : NULL, f->has_size ? &f->size : NULL);
	kt_field_str(s, "handler", f->handler);
	kt_field_u64(s, "token", f->token);
	kt_field_addr(s, "data", f->data);
	if (f->retrieve_status)
		kt_field_str(s, "retrieve", f->retrieve_status > 0 ? "retrieved" : "failed");
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
	if (c->folios && f->has_memfd && c->pm) {
		struct folio_ctx fc = { .s = s };
		char err[256];

		kt_node_begin(s, "folios", NULL, NULL);
		if (kt_memfd_folios(c->pm, &f->memfd, one_folio, &fc, err, sizeof(err)))
			kt_note(s, KT_NOTE_ERROR, "%s", err);
		kt_node_end(s);
	}
	kt_node_end(s);
}

static void session_node(const struct kt_view_ctx *c, const struct kt_luo_session *x, struct kt_sink *s)
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
	if (x->error)
		kt_note(s, KT_NOTE_ERROR, "%s", x->error);
	if (!x->files_known)
		kt_note(s, KT_NOTE_INFO, "files unknown (only procfs saw this session)");
	for (k = 0; k < x->nr_files; k++)
		file_node(c, &x->files[k], s);
	kt_node_end(s);
}

void kt_view_sessions(struct kt_view_ctx *c, struct kt_sink *s)
{
	const struct kt_luo_state *st = kt_view_luo(c);
	static const struct {
		const char *name;
		unsigned int dir;
		bool incoming;
	} groups[] = { { "outgoing", KT_VIEW_OUT, false }, { "incoming", KT_VIEW_IN, true } };
	size_t g, i;

	for (g = 0; g < KT_ARRAY_SIZE(groups); g++) {
		size_t n = 0;

		if (!(c->mask & groups[g].dir))
			continue;
		for (i = 0; i < st->nr_sessions; i++)
			n += (st->sessions[i].state != KT_SESS_OUTGOING) == groups[g].incoming;
		kt_node_begin(s, groups[g].name, NULL, NULL);
		kt_field_u64(s, "sessions", n);
		if (g == 0)
			source_notes(st, s);
		if (!groups[g].incoming)
			kt_note(s, KT_NOTE_INFO, "not serialized yet: LUO serializes these at the kexec reboot");
		for (i = 0; i < st->nr_sessions; i++)
			if ((st->sessions[i].state != KT_SESS_OUTGOING) == groups[g].incoming)
				session_node(c, &st->sessions[i], s);
		kt_node_end(s);
	}
}

void kt_view_handlers(struct kt_view_ctx *c, struct kt_sink *s)
{
	const struct kt_luo_state *st = kt_view_luo(c);
	const char *seen[256];
	size_t nseen = 0, i, k, h;

	source_notes(st, s);
	nseen = kt_luo_handlers(st, seen, KT_ARRAY_SIZE(seen));
	for (h = 0; h < nseen; h++) {
		uint64_t files[2] = { 0 }, bytes[2] = { 0 }, sessions = 0;

		for (i = 0; i < st->nr_sessions; i++) {
			const struct kt_luo_session *x = &st->sessions[i];
			bool in = x->state != KT_SESS_OUTGOING, any = false;

			for (k = 0; k < x->nr_files; k++)
				if (!strcmp(x->files[k].handler, seen[h])) {
					files[in]++;
					bytes[in] += x->files[k].has_size ? x->files[k].size : 0;
					any = true;
				}
			sessions += any;
		}
		kt_node_begin(s, seen[h], NULL, NULL);
		kt_field_u64(s, "sessions", sessions);
		kt_field_u64(s, "files_outgoing", files[0]);
		kt_field_size(s, "bytes_outgoing", bytes[0]);
		kt_field_u64(s, "files_incoming", files[1]);
		kt_field_size(s, "bytes_incoming", bytes[1]);
		kt_node_end(s);
	}
	kt_node_begin(s, "flbs", NULL, NULL);
	kt_field_u64(s, "count", st->nr_flbs);
	for (i = 0; i < st->nr_flbs; i++) {
		kt_node_begin(s, st->flbs[i].name, NULL, NULL);
		kt_field_str(s, "direction", st->flbs[i].incoming ? "incoming" : "outgoing");
		kt_field_addr(s, "data", st->flbs[i].data);
		kt_field_u64(s, "files", st->flbs[i].count);
		kt_node_end(s);
	}
	kt_node_end(s);
}

/* The decoded fields of one sub-blob, copied into this view. */
static void blob_fields(struct kt_view_ctx *c, enum kt_dirn d, const char *name, const char *as, struct kt_sink *s)
{
	const struct kt_blob *b = kt_snapshot_sub(c->snap, d, name);
	struct kt_dctx dc = { .snap = c->snap, .dirn = d };

	if (!b)
		return;
	kt_node_begin(s, as, NULL, NULL);
	kt_decoder_for(b)->decode(b, s, &dc);
	kt_node_end(s);
}

void kt_view_global(struct kt_view_ctx *c, struct kt_sink *s)
{
	const struct kt_luo_state *st = kt_view_luo(c);
	uint64_t n[KT_SESS_NR_STATES] = { 0 }, files = 0;
	size_t i;
	int d;

	kt_node_begin(s, "kho", NULL, NULL);
	kt_field_bool(s, "enabled", true);
	kt_field_bool(s, "incoming", c->snap->dir[KT_IN].present);
	kt_field_bool(s, "finalize_control", c->snap->has_finalize);
	for (d = 0; d < KT_NR_DIRS; d++) {
		const struct kt_kho_dir *dir = &c->snap->dir[d];
		uint64_t total = 0;

		for (i = 0; i < dir->nr_scratch; i++)
			total += dir->scratch[i].len;
		if (dir->has_scratch) {
			kt_field_u64(s, "scratch_areas", dir->nr_scratch);
			kt_field_size(s, "scratch_bytes", total);
			break;
		}
	}
	kt_view_mem_totals(c, s);
	blob_fields(c, KT_IN, KEXEC_METADATA_NAME, "kexec_metadata_in", s);
	blob_fields(c, KT_OUT, KEXEC_METADATA_NAME, "kexec_metadata_out", s);
	kt_node_end(s);

	kt_node_begin(s, "luo", NULL, NULL);
	for (i = 0; i < st->nr_sessions; i++) {
		n[st->sessions[i].state]++;
		files += st->sessions[i].nr_files;
	}
	for (i = 0; i < KT_SESS_NR_STATES; i++)
		kt_field_u64(s, kt_sess_state_name[i], n[i]);
	kt_field_u64(s, "files", files);
	kt_field_u64(s, "flbs", st->nr_flbs);
	source_notes(st, s);
	blob_fields(c, KT_OUT, LUO_SUBTREE_NAME, "luo_out", s);
	blob_fields(c, KT_IN, LUO_SUBTREE_NAME, "luo_in", s);
	kt_node_end(s);
}
