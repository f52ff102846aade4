// SPDX-License-Identifier: GPL-2.0-only
#include "view/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/decoders.h"

#define MAX_DEPTH 64 /* nodes nested deeper keep the path of their ancestors at this depth */

/* A sink that flattens a decoded blob into sorted "node/path.field = value" lines. */
struct flat {
	struct kt_sink sink;
	char path[1024];
	size_t depth_len[MAX_DEPTH];
	int depth;
	char **keys, **vals;
	size_t n, kcap, vcap;
};

static void flat_add(struct flat *f, const char *key, const char *val)
{
	KT_GROW(f->keys, f->kcap, f->n + 1);
	KT_GROW(f->vals, f->vcap, f->n + 1);
	f->keys[f->n] = kt_asprintf("%s%s%s", f->path, f->path[0] ? "." : "", key);
	f->vals[f->n++] = kt_strdup(val);
}

static void flat_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct flat *f = ctx;
	size_t l = strlen(f->path);

	(void)format;
	(void)size;
	if (f->depth < MAX_DEPTH)
		f->depth_len[f->depth] = l;
	f->depth++;
	/* The blob's own node is the root of its paths. */
	if (f->depth > 1)
		snprintf(f->path + l, sizeof(f->path) - l, "%s%s", l ? "/" : "", name);
}

static void flat_end(void *ctx)
{
	struct flat *f = ctx;

	f->depth--;
	if (f->depth < MAX_DEPTH)
		f->path[f->depth_len[f->depth]] = '\0';
}

static void flat_field(void *ctx, const char *key, const struct kt_val *v)
{
	char buf[512];

	kt_val_text(v, buf, sizeof(buf));
	flat_add(ctx, key, buf);
}

static void flat_note(void *ctx, enum kt_note kind, const char *msg)
{
	flat_add(ctx, kt_note_name[kind], msg);
}

static const struct kt_sink_ops flat_ops = {flat_begin, flat_field, flat_note, flat_end};

static void flatten(const struct kt_snapshot *s, enum kt_dirn d, const struct kt_blob *b, struct flat *f)
{
	struct kt_dctx c = {.snap = s, .dirn = d};

	memset(f, 0, sizeof(*f));
	f->sink = (struct kt_sink){.ops = &flat_ops, .ctx = f};
	kt_decode_blob(b, &f->sink, &c);
}

static void flat_free(struct flat *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->keys[i]);
		free(f->vals[i]);
	}
	free(f->keys);
	free(f->vals);
}

/*
 * Both sides come in decode order, so the next unmatched field of b is almost
 * always the one we want: try it first, search only when the trees diverge.
 */
static unsigned int diff_fields(struct flat *fa, struct flat *fb, const struct kt_diff_ops *ops, void *ctx)
{
	unsigned int n = 0;
	size_t i, k, next = 0;
	bool *seen = kt_calloc(fb->n, sizeof(*seen));

	for (i = 0; i < fa->n; i++) {
		while (next < fb->n && seen[next])
			next++;
		if (next < fb->n && !strcmp(fa->keys[i], fb->keys[next]))
			k = next;
		else
			for (k = 0; k < fb->n; k++)
				if (!seen[k] && !strcmp(fa->keys[i], fb->keys[k]))
					break;
		if (k == fb->n) {
			ops->field(ctx, fa->keys[i], fa->vals[i], NULL);
			n++;
			continue;
		}
		seen[k] = true;
		if (strcmp(fa->vals[i], fb->vals[k])) {
			ops->field(ctx, fa->keys[i], fa->vals[i], fb->vals[k]);
			n++;
		}
	}
	for (k = 0; k < fb->n; k++)
		if (!seen[k]) {
			ops->field(ctx, fb->keys[k], NULL, fb->vals[k]);
			n++;
		}
	free(seen);
	return n;
}

static bool same_areas(const struct kt_areas *a, const struct kt_areas *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

static void blob_pair(const struct kt_snapshot *a, enum kt_dirn da, const struct kt_blob *ba,
		      const struct kt_snapshot *b, enum kt_dirn db, const struct kt_blob *bb,
		      const struct kt_diff_ops *ops, void *ctx, unsigned int *n)
{
	struct flat fa, fb;

	if (!ba || !bb) {
		ops->blob(ctx, ba ? ba->path : NULL, bb ? bb->path : NULL, ba ? KT_REMOVED : KT_ADDED);
		(*n)++;
		return;
	}
	if (ba->len == bb->len && !memcmp(ba->data, bb->data, ba->len))
		return;
	ops->blob(ctx, ba->path, bb->path, KT_CHANGED);
	(*n)++;
	flatten(a, da, ba, &fa);
	flatten(b, db, bb, &fb);
	if (!diff_fields(&fa, &fb, ops, ctx))
		ops->field(ctx, "bytes", "differ", "differ"); /* same decoding, different bytes */
	flat_free(&fa);
	flat_free(&fb);
}

unsigned int kt_diff_dir(const struct kt_snapshot *a, enum kt_dirn da, const struct kt_snapshot *b,
			 enum kt_dirn db, const struct kt_diff_ops *ops, void *ctx)
{
	const struct kt_kho_dir *A = &a->dir[da], *B = &b->dir[db];
	unsigned int n = 0;
	size_t i, k;

	if (A->has_fdt || B->has_fdt)
		blob_pair(a, da, A->has_fdt ? &A->fdt : NULL, b, db, B->has_fdt ? &B->fdt : NULL, ops, ctx,
			  &n);
	if (!same_areas(&A->areas, &B->areas)) {
		char *pa =
			 kt_asprintf("%s/%s", kt_dirn_name[da], A->areas.present ? A->areas.word : "scratch"),
		     *pb =
			 kt_asprintf("%s/%s", kt_dirn_name[db], B->areas.present ? B->areas.word : "scratch");

		ops->blob(ctx, pa, pb, KT_CHANGED);
		n++;
		free(pa);
		free(pb);
	}
	/* Both lists are sorted by name: merge. */
	for (i = 0, k = 0; i < A->nr_subs || k < B->nr_subs;) {
		int c = i == A->nr_subs ? 1 : k == B->nr_subs ? -1 : strcmp(A->subs[i].name, B->subs[k].name);

		if (c < 0)
			blob_pair(a, da, &A->subs[i++], b, db, NULL, ops, ctx, &n);
		else if (c > 0)
			blob_pair(a, da, NULL, b, db, &B->subs[k++], ops, ctx, &n);
		else
			blob_pair(a, da, &A->subs[i++], b, db, &B->subs[k++], ops, ctx, &n);
	}
	return n;
}

/* ---- as rows: each blob that differs, its fields under it ------------------------------ */

static const struct kt_colspec diff_cols[] = {
    {"PATH", "the blob (A's path); under it each decoded field that differs", KT_COL_TREE},
    {"CHANGE", "added, removed or changed", 0},
    {"A", "in A: the field's value (a blob's path when it differs from B's)", 0},
    {"B", "in B", 0},
};
const struct kt_table_def kt_diff_table = {diff_cols, KT_ARRAY_SIZE(diff_cols), "PATH,CHANGE,A,B"};
static const char *const change_word[] = {"added", "removed", "changed"};

struct diff_rows {
	struct kt_rows *r;
	size_t blob;
};

static void blob_row(void *ctx, const char *pa, const char *pb, enum kt_change ch)
{
	struct diff_rows *d = ctx;

	d->blob = kt_rows_add(d->r, KT_ROW_NONE);
	kt_rows_str(d->r, d->blob, "PATH", "%s", pa ? pa : pb);
	kt_rows_str(d->r, d->blob, "CHANGE", "%s", change_word[ch]);
	if (pa && pb && strcmp(pa, pb)) {
		kt_rows_str(d->r, d->blob, "A", "%s", pa);
		kt_rows_str(d->r, d->blob, "B", "%s", pb);
	}
}

static void field_row(void *ctx, const char *field, const char *a, const char *b)
{
	struct diff_rows *d = ctx;
	size_t row = kt_rows_add(d->r, d->blob);

	kt_rows_str(d->r, row, "PATH", "%s", field);
	kt_rows_str(d->r, row, "CHANGE", "%s", change_word[a && b ? KT_CHANGED : a ? KT_REMOVED : KT_ADDED]);
	if (a)
		kt_rows_str(d->r, row, "A", "%s", a);
	if (b)
		kt_rows_str(d->r, row, "B", "%s", b);
}

unsigned int kt_diff_rows(const struct kt_snapshot *a, enum kt_dirn da, const struct kt_snapshot *b,
			  enum kt_dirn db, struct kt_rows *r)
{
	static const struct kt_diff_ops ops = {blob_row, field_row};
	struct diff_rows d = {r, KT_ROW_NONE};

	if (!r->cols)
		kt_rows_init(r, &kt_diff_table);
	return kt_diff_dir(a, da, b, db, &ops, &d);
}
