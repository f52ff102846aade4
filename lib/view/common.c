// SPDX-License-Identifier: GPL-2.0-only
/* Pieces several views show. */
#include <stdio.h>

#include "view/view.h"

void kt_view_luo_sources(const struct kt_luo_state *luo, struct kt_sink *s)
{
	if (luo->saved)
		kt_note(s, KT_NOTE_INFO, "LUO state as saved with the snapshot");
	if (luo->kernel_note && luo->unavailable)
		kt_note(s, KT_NOTE_ERROR, "no LUO state: %s", luo->kernel_note);
	else if (luo->kernel_note)
		kt_note(s, luo->kernel_ok || luo->saved ? KT_NOTE_INFO : KT_NOTE_WARNING, "kernel lists: %s",
			luo->kernel_note);
	if (luo->serialized_note)
		kt_note(s, KT_NOTE_INFO, "%s", luo->serialized_note);
	if (luo->procfs_note)
		kt_note(s, KT_NOTE_WARNING, "procfs: %s", luo->procfs_note);
}

void kt_view_areas_node(const struct kt_areas *a, struct kt_sink *sink)
{
	size_t i;

	kt_node_begin(sink, "scratch", NULL, NULL);
	kt_field_u64(sink, "count", a->n);
	kt_field_size(sink, "total", a->total);
	for (i = 0; i < a->n; i++) {
		char name[24];

		snprintf(name, sizeof(name), "%zu", i);
		kt_node_begin(sink, name, NULL, NULL);
		kt_field_addr(sink, "phys", a->v[i].phys);
		kt_field_size(sink, "size", a->v[i].len);
		kt_node_end(sink);
	}
	kt_node_end(sink);
}
