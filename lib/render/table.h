/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rows (view/rows.h) printed through libsmartcols the way util-linux tools print their
 * lists: the columns chosen with -o/--output LIST (+LIST adds to the defaults) or
 * --output-all, -n/--noheadings, -r/--raw, -P/--pairs (KEY="value"), -b/--bytes, -s/--sort
 * COLUMN, and the tree drawn in the tree column unless --list flattens it.
 */
#ifndef KT_TABLE_H
#define KT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "view/rows.h"

struct kt_table_opts {
	const char *output; /* NULL: the defaults */
	bool all, noheadings, raw, pairs, bytes, list;
	const char *sort; /* a column name, NULL: the view's order */
	size_t width;	  /* render to exactly this many columns (a screen), 0: as stdio decides */
};

/* Check the column names of o against r: -EINVAL with err naming the first unknown one. */
int kt_table_check(const struct kt_rows *r, const struct kt_table_opts *o, char *err, size_t errlen);
/* Print r to f. -EINVAL (err) for an unknown column; rows are printed even when empty. */
int kt_table_print(const struct kt_rows *r, const struct kt_table_opts *o, FILE *f, char *err, size_t errlen);
/* Render r into a malloc'ed string (lines ending in newlines), for a screen of o->width. */
int kt_table_string(const struct kt_rows *r, const struct kt_table_opts *o, char **out, char *err,
		    size_t errlen);
/* The columns, one a line with its description, defaults marked: for --help. */
void kt_table_help(const struct kt_colspec *cols, size_t n, const char *defaults, FILE *f);

#endif
