/* SPDX-License-Identifier: GPL-2.0-only */
/* Comparing two snapshots blob by blob, and decoded blobs field by field. */
#ifndef KT_DIFF_H
#define KT_DIFF_H

#include "snapshot/snapshot.h"
#include "view/rows.h"

enum kt_change { KT_ADDED, KT_REMOVED, KT_CHANGED };

struct kt_diff_ops {
	/* A blob (or scratch list) added, removed or changed; path is relative ("out/sub_fdts/LUO"). */
	void (*blob)(void *ctx, const char *path_a, const char *path_b, enum kt_change ch);
	/* One decoded field that differs; a or b NULL when only one side has it. */
	void (*field)(void *ctx, const char *field, const char *a, const char *b);
};

/*
 * Compare direction da of a with direction db of b (out/out, in/in, or for
 * --out-vs-in the old kernel's out against the new kernel's in). Returns the
 * number of differences.
 */
unsigned int kt_diff_dir(const struct kt_snapshot *a, enum kt_dirn da, const struct kt_snapshot *b,
			 enum kt_dirn db, const struct kt_diff_ops *ops, void *ctx);

extern const struct kt_table_def kt_diff_table;
/* The same, as rows (the first call sets r's columns; later ones add to it). */
unsigned int kt_diff_rows(const struct kt_snapshot *a, enum kt_dirn da, const struct kt_snapshot *b,
			  enum kt_dirn db, struct kt_rows *r);

#endif
