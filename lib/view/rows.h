/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lists a user scans (sessions and their files, handlers, FLBs, checks, differences)
 * as rows of named columns: what a view fills, what a renderer prints (render/table.c:
 * libsmartcols, with the column choice, sort and formats of util-linux tools). Cells keep
 * their number beside their text, so sizes print human or exact (-b) and sort by value.
 */
#ifndef KT_ROWS_H
#define KT_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Column flags. */
#define KT_COL_NUM   0x1  /* a number: right-aligned, sorted by value */
#define KT_COL_SIZE  0x2  /* bytes: human units unless --bytes; a number */
#define KT_COL_TREE  0x4  /* draws the rows' tree (one column of a list) */
#define KT_COL_WRAP  0x8  /* long text (messages): wrapped, last */
#define KT_COL_TRUNC 0x10 /* text that may be cut to fit a screen */

struct kt_colspec {
	const char *name; /* upper-case: NAME, FILES, ... */
	const char *help; /* one line, for --help and the man page */
	unsigned int flags;
};

/* A list's columns and the ones shown by default, for the view that fills it and for --help. */
struct kt_table_def {
	const struct kt_colspec *cols;
	size_t ncols;
	const char *defaults; /* "NAME,STATE,..." */
};

struct kt_cell {
	char *text; /* NULL: empty */
	uint64_t num;
	bool has_num;
};

struct kt_row {
	size_t parent; /* KT_ROW_NONE or the index of the row it belongs under */
	struct kt_cell *cells;
};
#define KT_ROW_NONE ((size_t)-1)

struct kt_rows {
	const struct kt_colspec *cols;
	size_t ncols;
	const char *defaults; /* the columns shown without -o: "NAME,STATE,..." */
	struct kt_row *v;
	size_t n, cap;
	/* What the view had to say beside the rows (why a source is missing): warnings and errors. */
	char **notes;
	bool *note_is_error;
	size_t nr_notes, cap_notes, cap_kinds;
};

void kt_rows_init(struct kt_rows *r, const struct kt_table_def *def);
void kt_rows_free(struct kt_rows *r);
/* A new row under parent (KT_ROW_NONE: top level); returns its index. */
size_t kt_rows_add(struct kt_rows *r, size_t parent);
/* The index of column name, or -1. */
int kt_rows_col(const struct kt_rows *r, const char *name);
/* Fill cell (row, column name): text, a number, or a size in bytes. */
void kt_rows_str(struct kt_rows *r, size_t row, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kt_rows_u64(struct kt_rows *r, size_t row, const char *col, uint64_t v);
void kt_rows_size(struct kt_rows *r, size_t row, const char *col, uint64_t bytes);
/* A warning, or an error (the command then exits 2), said beside the table. */
void kt_rows_note(struct kt_rows *r, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
