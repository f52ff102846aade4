// SPDX-License-Identifier: GPL-2.0-only
/* Pieces several views show. */
#include <stdio.h>

#include "view/view.h"

void kt_view_luo_sources(const struct kt_luo_state *luo, struct kt_sink *s)
{
	if (luo->saved)
		kt_note(s, KT_NOTE_INFO, "LUO state as saved with the snapshot");
	/* Not a snapshot: whatever else is shown, the kernel's lists are missing from it. */
	if (luo->kernel_changing)
		kt_note(s, KT_NOTE_ERROR, "kernel lists: %s", luo->kernel_note);
	else if (luo->kernel_note && luo->unavailable)
		kt_note(s, KT_NOTE_ERROR, "no LUO state: %s", luo->kernel_note);
	else if (luo->kernel_note)
		kt_note(s, luo->kernel_ok || luo->saved ? KT_NOTE_INFO : KT_NOTE_WARNING, "kernel lists: %s",
			luo->kernel_note);
	if (luo->serialized_note)
		kt_note(s, KT_NOTE_INFO, "%s", luo->serialized_note);
	if (luo->procfs_note)
		kt_note(s, KT_NOTE_WARNING, "procfs: %s", luo->procfs_note);
	if (luo->flb_note)
		kt_note(s, KT_NOTE_WARNING, "FLBs: %s", luo->flb_note);
	if (luo->sd.stores_note)
		kt_note(s, KT_NOTE_WARNING, "the units of sessions PID 1 holds: %s", luo->sd.stores_note);
}

void kt_rows_luo_notes(const struct kt_luo_state *luo, struct kt_rows *r)
{
	if (luo->kernel_note && luo->unavailable)
		kt_rows_note(r, true, "no LUO state: %s", luo->kernel_note);
	else if (luo->kernel_note && !luo->kernel_ok && !luo->saved)
		kt_rows_note(r, false, "kernel lists: %s", luo->kernel_note);
	if (luo->procfs_note)
		kt_rows_note(r, false, "procfs: %s", luo->procfs_note);
	if (luo->flb_note)
		kt_rows_note(r, false, "FLBs: %s", luo->flb_note);
	if (luo->sd.stores_note)
		kt_rows_note(r, false, "the units of sessions PID 1 holds: %s", luo->sd.stores_note);
	if (luo->sd.mapping_note)
		kt_rows_note(r, false, "%s", luo->sd.mapping_note);
}

void kt_rows_handler_flbs(const struct kt_luo_state *luo, const char *handler, bool incoming,
			  struct kt_rows *r, size_t row, const char *col)
{
	char buf[1024];
	size_t n = kt_luo_handler_flbs(luo, handler, incoming, buf, sizeof(buf)), k;

	for (k = 0; k < n; k++)
		buf[k] = buf[k] ? buf[k] : ',';
	if (n)
		kt_rows_str(r, row, col, "%.*s", (int)n, buf);
}

void kt_view_areas_node(const struct kt_areas *a, struct kt_sink *sink)
{
	size_t i;

	/* The node keeps its name for readers of -J; "word" is the kernel's own (bootmem from 7.4). */
	kt_node_begin(sink, "scratch", NULL, NULL);
	kt_field_str(sink, "word", a->word);
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
