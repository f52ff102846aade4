// SPDX-License-Identifier: GPL-2.0-only
#include "view/rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void kt_rows_init(struct kt_rows *r, const struct kt_table_def *def)
{
	memset(r, 0, sizeof(*r));
	r->cols = def->cols;
	r->ncols = def->ncols;
	r->defaults = def->defaults;
}

void kt_rows_free(struct kt_rows *r)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		for (k = 0; k < r->ncols; k++)
			free(r->v[i].cells[k].text);
		free(r->v[i].cells);
	}
	free(r->v);
	for (i = 0; i < r->nr_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->note_is_error);
	memset(r, 0, sizeof(*r));
}

size_t kt_rows_add(struct kt_rows *r, size_t parent)
{
	KT_GROW(r->v, r->cap, r->n + 1);
	r->v[r->n].parent = parent;
	r->v[r->n].cells = kt_calloc(r->ncols, sizeof(struct kt_cell));
	return r->n++;
}

int kt_rows_col(const struct kt_rows *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (!strcmp(r->cols[i].name, name))
			return (int)i;
	return -1;
}

/* A cell of a column the view declared: a missing one is a bug in the view. */
static struct kt_cell *cell(struct kt_rows *r, size_t row, const char *col)
{
	int c = kt_rows_col(r, col);

	if (c < 0 || row >= r->n) {
		fprintf(stderr, "kt_rows: no column %s or row %zu\n", col, row);
		abort();
	}
	free(r->v[row].cells[c].text);
	return &r->v[row].cells[c];
}

void kt_rows_str(struct kt_rows *r, size_t row, const char *col, const char *fmt, ...)
{
	struct kt_cell *c = cell(r, row, col);
	va_list ap;

	va_start(ap, fmt);
	c->text = kt_vasprintf(fmt, ap);
	va_end(ap);
	c->has_num = false;
}

void kt_rows_u64(struct kt_rows *r, size_t row, const char *col, uint64_t v)
{
	struct kt_cell *c = cell(r, row, col);

	c->text = kt_asprintf("%llu", (unsigned long long)v);
	c->num = v;
	c->has_num = true;
}

void kt_rows_size(struct kt_rows *r, size_t row, const char *col, uint64_t bytes)
{
	struct kt_cell *c = cell(r, row, col);

	c->text = NULL; /* the renderer formats it: human, or exact with --bytes */
	c->num = bytes;
	c->has_num = true;
}

void kt_rows_note(struct kt_rows *r, bool error, const char *fmt, ...)
{
	va_list ap;

	KT_GROW(r->notes, r->cap_notes, r->nr_notes + 1);
	KT_GROW(r->note_is_error, r->cap_kinds, r->nr_notes + 1);
	va_start(ap, fmt);
	r->notes[r->nr_notes] = kt_vasprintf(fmt, ap);
	va_end(ap);
	r->note_is_error[r->nr_notes++] = error;
}
