// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KHO state of a frame: /sys/kernel/debug/kho (or a saved snapshot with --root)
 * through lib/snapshot.h: a few summary lines and the sub-blobs with their decoded format
 * (lib/decoders.h). JSON frames add lib/view.h's status node (out_json.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoders.h"
#include "luo-top.h"
#include "base/size.h"
#include "base/util.h"

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
	/* A few lines for the screen; JSON frames carry lib/view.h's whole status node. */
	mem = open_memstream(&f->status_text, &len);
	if (mem) {
		char sz[32];

		fprintf(mem, "KHO %s %s, kernel %s%s\n", s->kind == KT_SRC_LIVE ? "live" : "snapshot",
			s->origin, s->release ? s->release : "unknown",
			s->has_finalize ? (s->finalize == 1 ? ", finalized" : ", not finalized") : "");
		for (i = 0; i < KT_NR_DIRS; i++) {
			const struct kt_kho_dir *d = &s->dir[i];

			fprintf(mem, "%-4s", kt_dirn_name[i]);
			if (!d->present) {
				fprintf(mem, "none%s\n",
					i == KT_IN ? " (this kernel was not started by a KHO kexec)" : "");
				continue;
			}
			if (d->has_fdt)
				fprintf(mem, "root %s (%zu B)", kt_decoder_for(&d->fdt)->format, d->fdt.len);
			else
				fprintf(mem, "no root FDT");
			fprintf(mem, ", %zu sub-blobs", d->nr_subs);
			if (d->areas.present)
				fprintf(mem, ", %s %zu areas %s", d->areas.word, d->areas.n,
					kt_fmt_size(d->areas.total, sz));
			fputc('\n', mem);
		}
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
