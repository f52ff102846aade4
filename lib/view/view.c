// SPDX-License-Identifier: GPL-2.0-only
#include "view/view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode/decoders.h"
#include "base/util.h"

static const char *const src_kind[] = { "live", "dir", "tar" };

static void scratch_node(const struct kt_kho_dir *d, struct kt_sink *sink)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < d->nr_scratch; i++)
		total += d->scratch[i].len;
	kt_node_begin(sink, "scratch", NULL, NULL);
	kt_field_u64(sink, "count", d->nr_scratch);
	kt_field_size(sink, "total", total);
	for (i = 0; i < d->nr_scratch; i++) {
		char name[24];

		snprintf(name, sizeof(name), "%zu", i);
		kt_node_begin(sink, name, NULL, NULL);
		kt_field_addr(sink, "phys", d->scratch[i].phys);
		kt_field_size(sink, "size", d->scratch[i].len);
		kt_node_end(sink);
	}
	kt_node_end(sink);
}

struct kt_physmem *kt_view_physmem(struct kt_view_ctx *c)
{
	char err[512];

	if (!c->pm_tried) {
		c->pm_tried = true;
		if (kt_physmem_open_for(c->snap, &c->pm, err, sizeof(err)))
			c->pm_note = kt_strdup(err);
	}
	return c->pm;
}

const struct kt_luo_state *kt_view_luo(struct kt_view_ctx *c)
{
	if (!c->luo_loaded) {
		c->luo_loaded = true;
		kt_luo_gather(c->snap, kt_view_physmem(c), &c->luo);
		if (!c->pm && c->pm_note && !c->luo.kernel_note && c->snap->kind == KT_SRC_LIVE)
			c->luo.kernel_note = kt_strdup(c->pm_note);
	}
	return &c->luo;
}

void kt_view_ctx_free(struct kt_view_ctx *c)
{
	if (c->pm)
		kt_physmem_close(c->pm);
	free(c->pm_note);
	kt_luo_state_free(&c->luo);
}

static void null_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	(void)ctx, (void)name, (void)format, (void)size;
}

static void null_field(void *ctx, const char *key, const struct kt_val *v)
{
	(void)ctx, (void)key, (void)v;
}

static void null_note(void *ctx, enum kt_note kind, const char *msg)
{
	(void)ctx, (void)kind, (void)msg;
}

static void null_end(void *ctx)
{
	(void)ctx;
}

static const struct kt_sink_ops null_ops = { null_begin, null_field, null_note, null_end };

static int no_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	(void)ctx, (void)pfn, (void)flags, (void)index;
	return 0;
}

int kt_view_capture(struct kt_view_ctx *c, struct kt_snapshot *s)
{
	struct kt_physmem *pm = kt_view_physmem(c);
	struct kt_sink null = { .ops = &null_ops };
	const struct kt_luo_state *st;
	uint8_t *buf;
	size_t len, i, k;
	int ret;

	if (pm)
		kt_physmem_record(pm, true);
	st = kt_view_luo(c);
	for (i = 0; pm && i < st->nr_sessions; i++)
		for (k = 0; k < st->sessions[i].nr_files; k++) {
			char err[256];

			if (st->sessions[i].files[k].has_memfd)
				kt_memfd_folios(pm, &st->sessions[i].files[k].memfd, no_folio, NULL, err, sizeof(err));
		}
	kt_node_begin(&null, "", NULL, NULL);
	kt_view_mem_totals(c, &null);
	kt_node_end(&null);
	ret = kt_luo_state_export(st, &buf, &len);
	if (!ret)
		ret = kt_snapshot_add_file(s, KT_LUO_STATE_FILE, buf, len);
	if (ret || !pm)
		return ret ? ret : -ENODATA;
	kt_physmem_record(pm, false);
	ret = kt_physmem_export(pm, &buf, &len);
	return ret ? ret : kt_snapshot_add_file(s, KT_PHYSMEM_FILE, buf, len);
}

void kt_view_tree(struct kt_view_ctx *vc, struct kt_sink *sink)
{
	const struct kt_snapshot *s = vc->snap;
	unsigned int mask = vc->mask;
	bool raw = vc->raw;
	int i;

	for (i = 0; i < KT_NR_DIRS; i++) {
		const struct kt_kho_dir *d = &s->dir[i];
		struct kt_dctx c = { .snap = s, .dirn = i, .raw = raw };
		size_t k;

		if (!(mask & (1u << i)))
			continue;
		kt_node_begin(sink, kt_dirn_name[i], NULL, NULL);
		kt_field_bool(sink, "present", d->present);
		if (!d->present) {
			kt_note(sink, KT_NOTE_INFO, i == KT_IN ? "no incoming state: this kernel was not started by a KHO kexec"
							       : "no outgoing state");
			kt_node_end(sink);
			continue;
		}
		if (d->has_fdt)
			kt_decode_blob(&d->fdt, sink, &c);
		else
			kt_note(sink, KT_NOTE_INFO, "no root fdt%s",
				i == KT_OUT ? " (7.3 removes out/fdt after a KHO kexec)" : "");
		if (d->has_scratch)
			scratch_node(d, sink);
		kt_node_begin(sink, "sub_fdts", NULL, NULL);
		kt_field_u64(sink, "count", d->nr_subs);
		for (k = 0; k < d->nr_subs; k++)
			kt_decode_blob(&d->subs[k], sink, &c);
		kt_node_end(sink);
		kt_node_end(sink);
	}
}

void kt_view_status(struct kt_view_ctx *c, struct kt_sink *sink)
{
	const struct kt_snapshot *s = c->snap;
	int i;

	kt_node_begin(sink, "status", NULL, NULL);
	kt_field_bool(sink, "kho_enabled", true);
	kt_field_str(sink, "source", src_kind[s->kind]);
	kt_field_str(sink, "path", s->origin);
	kt_field_str(sink, "kernel_release", s->release ? s->release : "unknown");
	if (s->taken)
		kt_field_str(sink, "taken", s->taken);
	kt_field_bool(sink, "finalize_control", s->has_finalize);
	if (s->has_finalize && s->finalize >= 0)
		kt_field_bool(sink, "finalized", s->finalize);
	if (!s->has_finalize)
		kt_note(sink, KT_NOTE_INFO, "no out/finalize: this kernel finalizes KHO during the kexec reboot");
	for (i = 0; i < KT_NR_DIRS; i++) {
		const struct kt_kho_dir *d = &s->dir[i];

		kt_node_begin(sink, kt_dirn_name[i], NULL, NULL);
		kt_field_bool(sink, "present", d->present);
		if (d->present) {
			const struct kt_decoder *dec = d->has_fdt ? kt_decoder_for(&d->fdt) : NULL;

			kt_field_bool(sink, "fdt", d->has_fdt);
			if (dec)
				kt_field_str(sink, "fdt_format", dec->format);
			kt_field_u64(sink, "sub_blobs", d->nr_subs);
			if (d->has_scratch)
				scratch_node(d, sink);
		}
		kt_node_end(sink);
	}
	kt_node_end(sink);
}
