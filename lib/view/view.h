/* SPDX-License-Identifier: GPL-2.0-only */
/* Views: what a command shows of a snapshot's state, described to a sink. */
#ifndef KT_VIEW_H
#define KT_VIEW_H

#include <stdbool.h>

#include "decode/sink.h"
#include "model/state.h"

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

/* Pieces several views show (common.c). */
/* Where the LUO state came from and what its sources said, as notes. */
void kt_view_luo_sources(const struct kt_luo_state *luo, struct kt_sink *s);
/*
 * A node listing every FLB with its state (handlers, global); an outgoing FLB's data
 * handle is looked up in the preserved memory.
 */
void kt_view_flbs_node(struct kt_state *st, struct kt_sink *s);
/* A node listing a direction's boot areas. */
void kt_view_areas_node(const struct kt_areas *a, struct kt_sink *s);
/* Preserved-memory totals as fields of the current node (mem.c). */
void kt_view_mem_totals(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *sink);

#endif
