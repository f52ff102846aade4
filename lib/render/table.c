// SPDX-License-Identifier: GPL-2.0-only
#include "render/table.h"

#include <errno.h>
#include <libsmartcols/libsmartcols.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/size.h"
#include "base/util.h"

/* The selected columns, in order: indices into r->cols. */
struct sel {
	int *idx;
	size_t n, cap;
	size_t shown; /* the first shown columns; a sort column not among them comes last, hidden */
	int sort;     /* index into idx of the sort column, -1: none */
};

static int add_list(struct sel *s, const struct kt_rows *r, const char *list, char *err, size_t errlen)
{
	char *copy = kt_strdup(list), *tok, *save = NULL;
	int ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		int c = kt_rows_col(r, tok);

		if (c < 0) {
			ret = kt_fail(err, errlen, -EINVAL, "unknown column '%s' (--help lists them)", tok);
			break;
		}
		KT_GROW(s->idx, s->cap, s->n + 1);
		s->idx[s->n++] = c;
	}
	free(copy);
	return ret;
}

static int select_cols(const struct kt_rows *r, const struct kt_table_opts *o, struct sel *s, char *err,
		       size_t errlen)
{
	const char *out = o->output;
	size_t i;
	int ret = 0, c;

	memset(s, 0, sizeof(*s));
	s->sort = -1;
	if (o->all) {
		for (i = 0; i < r->ncols; i++) {
			KT_GROW(s->idx, s->cap, s->n + 1);
			s->idx[s->n++] = (int)i;
		}
	} else if (!out || *out == '+') {
		ret = add_list(s, r, r->defaults, err, errlen);
	}
	if (!ret && out && !o->all)
		ret = add_list(s, r, *out == '+' ? out + 1 : out, err, errlen);
	s->shown = s->n;
	if (!ret && o->sort) {
		c = kt_rows_col(r, o->sort);
		if (c < 0)
			ret = kt_fail(err, errlen, -EINVAL, "unknown sort column '%s' (--help lists them)",
				      o->sort);
		for (i = 0; !ret && i < s->n && s->sort < 0; i++)
			if (s->idx[i] == c)
				s->sort = (int)i;
		if (!ret && s->sort < 0) { /* sorted by, not shown */
			KT_GROW(s->idx, s->cap, s->n + 1);
			s->sort = (int)s->n;
			s->idx[s->n++] = c;
		}
	}
	if (ret)
		free(s->idx);
	return ret;
}

int kt_table_check(const struct kt_rows *r, const struct kt_table_opts *o, char *err, size_t errlen)
{
	struct sel s;
	int ret = select_cols(r, o, &s, err, errlen);

	if (!ret)
		free(s.idx);
	return ret;
}

/* Numbers sort by value; a cell without one after every one with. */
static int cmp_num(struct libscols_cell *a, struct libscols_cell *b, void *data)
{
	const struct kt_cell *x = scols_cell_get_userdata(a), *y = scols_cell_get_userdata(b);

	(void)data;
	if (!x->has_num || !y->has_num)
		return x->has_num ? -1 : y->has_num;
	return x->num < y->num ? -1 : x->num > y->num;
}

static char *cell_text(const struct kt_colspec *spec, const struct kt_cell *c, bool bytes)
{
	char h[32];

	if (c->text)
		return kt_strdup(c->text);
	if (c->has_num && (spec->flags & KT_COL_SIZE))
		return bytes ? kt_asprintf("%llu", (unsigned long long)c->num)
			     : kt_strdup(kt_fmt_size(c->num, h));
	return kt_strdup("");
}

static struct libscols_table *build(const struct kt_rows *r, const struct kt_table_opts *o,
				    const struct sel *s)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_line **lines;
	bool tree = false;
	size_t i, k;

	if (!tb)
		kt_oom();
	scols_table_enable_noheadings(tb, o->noheadings);
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_export(tb, o->pairs);
	for (k = 0; k < s->n; k++) {
		const struct kt_colspec *spec = &r->cols[s->idx[k]];
		int fl = 0;
		struct libscols_column *cl;

		if (spec->flags & (KT_COL_NUM | KT_COL_SIZE))
			fl |= SCOLS_FL_RIGHT;
		if ((spec->flags & KT_COL_TREE) && !o->list && !o->raw && !o->pairs && !tree) {
			fl |= SCOLS_FL_TREE;
			tree = true;
		}
		if (spec->flags & KT_COL_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		if (spec->flags & KT_COL_WRAP)
			fl |= SCOLS_FL_WRAP;
		if (k >= s->shown)
			fl |= SCOLS_FL_HIDDEN;
		cl = scols_table_new_column(tb, spec->name, 0, fl);
		if (!cl)
			kt_oom();
		if (spec->flags & (KT_COL_NUM | KT_COL_SIZE))
			scols_column_set_cmpfunc(cl, cmp_num, NULL);
		else
			scols_column_set_cmpfunc(cl, scols_cmpstr_cells, NULL);
	}
	lines = kt_calloc(r->n ? r->n : 1, sizeof(*lines));
	for (i = 0; i < r->n; i++) {
		size_t p = r->v[i].parent;

		lines[i] = scols_table_new_line(tb, tree && p != KT_ROW_NONE && p < i ? lines[p] : NULL);
		if (!lines[i])
			kt_oom();
		for (k = 0; k < s->n; k++) {
			const struct kt_cell *c = &r->v[i].cells[s->idx[k]];
			struct libscols_cell *sc = scols_line_get_cell(lines[i], k);

			scols_line_refer_data(lines[i], k, cell_text(&r->cols[s->idx[k]], c, o->bytes));
			scols_cell_set_userdata(sc, (void *)c);
		}
	}
	free(lines);
	if (s->sort >= 0)
		scols_sort_table(tb, scols_table_get_column(tb, s->sort));
	if (o->width) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, o->width);
	}
	return tb;
}

int kt_table_string(const struct kt_rows *r, const struct kt_table_opts *o, char **out, char *err,
		    size_t errlen)
{
	struct libscols_table *tb;
	struct sel s;
	int ret = select_cols(r, o, &s, err, errlen);

	*out = NULL;
	if (ret)
		return ret;
	tb = build(r, o, &s);
	if (scols_print_table_to_string(tb, out) || !*out)
		kt_oom();
	scols_unref_table(tb);
	free(s.idx);
	return 0;
}

int kt_table_print(const struct kt_rows *r, const struct kt_table_opts *o, FILE *f, char *err, size_t errlen)
{
	char *text;
	int ret = kt_table_string(r, o, &text, err, errlen);

	if (ret)
		return ret;
	if (*text)
		fprintf(f, "%s\n", text);
	free(text);
	return 0;
}

void kt_table_help(const struct kt_colspec *cols, size_t n, const char *defaults, FILE *f)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if (strlen(cols[i].name) > w)
			w = strlen(cols[i].name);
	fprintf(f, "\nAvailable output columns (default: %s):\n", defaults);
	for (i = 0; i < n; i++)
		fprintf(f, " %*s  %s\n", (int)w, cols[i].name, cols[i].help);
}
