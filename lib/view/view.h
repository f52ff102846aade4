/* SPDX-License-Identifier: GPL-2.0-only */
/* Views: what a command shows of a snapshot, described to a sink. */
#ifndef KT_VIEW_H
#define KT_VIEW_H

#include "model/luo_state.h"
#include "source/physmem.h"
#include "decode/sink.h"
#include "snapshot/snapshot.h"

#define KT_VIEW_OUT (1u << KT_OUT)
#define KT_VIEW_IN (1u << KT_IN)

/* Everything a view may need, opened or gathered on first use. */
struct kt_view_ctx {
	const struct kt_snapshot *snap;
	unsigned int mask; /* KT_VIEW_OUT | KT_VIEW_IN */
	bool raw;	   /* stored bytes of FDT properties */
	bool folios;	   /* sessions: every memfd folio */
	bool ranges;	   /* mem: every coalesced range */
	/* lazily: */
	struct kt_physmem *pm;
	char *pm_note; /* why there is no physical memory access */
	bool pm_tried;
	struct kt_luo_state luo;
	bool luo_loaded;
};

typedef void (*kt_view_fn)(struct kt_view_ctx *c, struct kt_sink *sink);

/* Physical memory for this snapshot (NULL, with c->pm_note, when there is none). */
struct kt_physmem *kt_view_physmem(struct kt_view_ctx *c);
const struct kt_luo_state *kt_view_luo(struct kt_view_ctx *c);
void kt_view_ctx_free(struct kt_view_ctx *c);

/*
 * For save of a live snapshot: gather what the views read from memory and the
 * kernel, with page recording on, and add it to s (luo/state, physmem), so
 * every view works offline. Returns 0, or -errno when physical memory was not
 * readable (the LUO state from procfs is still added).
 */
int kt_view_capture(struct kt_view_ctx *c, struct kt_snapshot *s);

/* Both directions (or those in mask), every blob decoded. */
void kt_view_tree(struct kt_view_ctx *c, struct kt_sink *sink);
/* One screen of facts: enabled, directions, blobs, scratch, finalize control, release. */
void kt_view_status(struct kt_view_ctx *c, struct kt_sink *sink);
/* LUO sessions, outgoing and incoming, with their files. */
void kt_view_sessions(struct kt_view_ctx *c, struct kt_sink *sink);
/* Per file handler: sessions, files, bytes; FLBs. */
void kt_view_handlers(struct kt_view_ctx *c, struct kt_sink *sink);
/* KHO and LUO totals. */
void kt_view_global(struct kt_view_ctx *c, struct kt_sink *sink);
/* Preserved memory of each direction: blocks by order, ranges, scratch and RAM checks. */
void kt_view_mem(struct kt_view_ctx *c, struct kt_sink *sink);
/* Preserved-memory totals as fields of the current node (view_mem.c). */
void kt_view_mem_totals(struct kt_view_ctx *c, struct kt_sink *sink);

#endif
