// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO state of a frame: /sys/kernel/debug/kho (or a saved snapshot with --root)
 * through lib/snapshot.h, summarized by lib/view.h's status view and a list of the
 * sub-blobs with their decoded format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoders.h"
#include "luo-top.h"
#include "render.h"
#include "view.h"

static void add_blob(struct lt_frame *f, size_t *cap, const char *dir, const struct kt_blob *b)
{
	struct lt_blob *r;

	if (f->nr_blobs == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct lt_blob *v = realloc(f->blobs, c * sizeof(*v));

		if (!v)
			return;
		f->blobs = v;
		*cap = c;
	}
	r = &f->blobs[f->nr_blobs++];
	r->dir = dir;
	r->name = b->name;
	r->format = kt_decoder_for(b)->format;
	r->size = b->len;
}

int lt_kho_load(const char *root, struct lt_frame *f)
{
	struct kt_snapshot *s = calloc(1, sizeof(*s));
	struct kt_view_ctx c = { 0 };
	struct kt_text_sink ts;
	size_t cap = 0, len = 0;
	FILE *mem;
	int i, err;

	lt_kho_free(f);
	if (!s) {
		snprintf(f->kho_error, sizeof(f->kho_error), "out of memory");
		return -1;
	}
	err = kt_snapshot_load(root, s, f->kho_error, sizeof(f->kho_error));
	if (err) {
		kt_snapshot_free(s);
		free(s);
		return err;
	}
	f->snap = s;
	f->kho_error[0] = 0;
	for (i = 0; i < KT_NR_DIRS; i++) {
		const struct kt_kho_dir *d = &s->dir[i];
		size_t k;

		if (!d->present)
			continue;
		if (d->has_fdt)
			add_blob(f, &cap, kt_dirn_name[i], &d->fdt);
		for (k = 0; k < d->nr_subs; k++)
			add_blob(f, &cap, kt_dirn_name[i], &d->subs[k]);
	}
	mem = open_memstream(&f->status_text, &len);
	if (mem) {
		c.snap = s;
		c.mask = KT_VIEW_OUT | KT_VIEW_IN;
		kt_text_sink_init(&ts, mem, false);
		kt_view_status(&c, &ts.sink);
		kt_view_ctx_free(&c);
		fclose(mem);
	}
	return 0;
}

void lt_kho_free(struct lt_frame *f)
{
	if (f->snap) {
		kt_snapshot_free(f->snap);
		free(f->snap);
		f->snap = NULL;
	}
	free(f->status_text);
	f->status_text = NULL;
	free(f->blobs);
	f->blobs = NULL;
	f->nr_blobs = 0;
}
