// SPDX-License-Identifier: GPL-2.0-only
#include "view.h"

#include <stdio.h>

#include "decoders.h"

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

void kt_view_tree(const struct kt_snapshot *s, unsigned int mask, bool raw, struct kt_sink *sink)
{
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

void kt_view_status(const struct kt_snapshot *s, struct kt_sink *sink)
{
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
