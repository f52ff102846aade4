/* SPDX-License-Identifier: GPL-2.0-only */
/* Views: what a command shows of a snapshot's state, described to a sink. */
#ifndef KT_VIEW_H
#define KT_VIEW_H

#include <stdbool.h>

#include "decode/sink.h"
#include "model/state.h"
#include "view/rows.h"

#define KT_VIEW_OUT (1u << KT_OUT)
#define KT_VIEW_IN  (1u << KT_IN)

struct kt_view_opts {
	unsigned int mask; /* KT_VIEW_OUT | KT_VIEW_IN */
	bool raw;	   /* stored bytes of FDT properties */
	bool folios;	   /* sessions: every memfd folio */
	bool ranges;	   /* mem: every coalesced range */
};

typedef void (*kt_view_fn)(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);

/* Both directions (or those in mask), every blob decoded. */
void kt_view_tree(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);
/* One screen of facts: enabled, directions, blobs, boot areas, finalize control, release. */
void kt_view_status(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);
/* LUO sessions, outgoing and incoming, with their files. */
void kt_view_sessions(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);
/* Per file handler: sessions, files, bytes; FLBs. */
void kt_view_handlers(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);
/* KHO and LUO totals. */
void kt_view_global(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);
/* Preserved memory of each direction: blocks by order, ranges, boot-area and RAM checks. */
void kt_view_mem(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);

/* LUO's global state: every FLB (the flbs node of global and handlers). */
void kt_view_flbs(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *s);

/* The same lists as rows of named columns (a table), for the text output of the list commands. */
typedef void (*kt_rows_fn)(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r);
extern const struct kt_table_def kt_sessions_table, kt_handlers_table, kt_flbs_table, kt_blobs_table;
/* Sessions, with their files (and with o->folios their folios) under them. */
void kt_rows_sessions(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r);
/* One row per file handler. */
void kt_rows_handlers(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r);
/* One row per blob (the root FDT and each sub-blob) with its decoded format. */
void kt_rows_blobs(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r);
/* One row per FLB, registered here or handed over (flbs.c). */
void kt_rows_flbs(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r);

/* Pieces several views show (common.c). */
/* Where the LUO state came from and what its sources said, as notes. */
void kt_view_luo_sources(const struct kt_luo_state *luo, struct kt_sink *s);
/*
 * A node listing every FLB with its state (handlers, global); an outgoing FLB's data
 * handle is looked up in the preserved memory.
 */
void kt_view_flbs_node(struct kt_state *st, struct kt_sink *s);
/* The LUO state's source problems as notes of rows (warnings; an error when there is no state). */
void kt_rows_luo_notes(const struct kt_luo_state *luo, struct kt_rows *r);
/* The FLBs of handler (in a direction) joined by commas into column col of row. */
void kt_rows_handler_flbs(const struct kt_luo_state *luo, const char *handler, bool incoming,
			  struct kt_rows *r, size_t row, const char *col);
/* A node listing a direction's boot areas. */
void kt_view_areas_node(const struct kt_areas *a, struct kt_sink *s);
/* Preserved-memory totals as fields of the current node (mem.c). */
void kt_view_mem_totals(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);

#endif
