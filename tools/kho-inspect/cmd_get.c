// SPDX-License-Identifier: GPL-2.0-only
/*
 * get PATH [PROP]: PATH is a blob ("out/sub_fdts/memblock") optionally followed by
 * a node path inside it ("out/sub_fdts/memblock/kt_mem"). The blob is decoded as
 * show decodes it, and a selecting sink keeps only the wanted node.
 */
#include <stdio.h>
#include <string.h>

#include "decode/decoders.h"
#include "kho-inspect.h"
#include "render/json_tree.h"
#include "base/util.h"

struct select {
	struct kt_sink sink;
	const char *target; /* node path below the blob, "" for the blob itself */
	const char *prop;
	struct kt_json *j;
	char path[1024];
	size_t saved[64];
	int depth;
	bool found_node, found_prop, in_target_children;
};

static bool at_target(const struct select *s)
{
	return !strcmp(s->path, s->target);
}

static void sel_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct select *s = ctx;
	size_t l = strlen(s->path);

	(void)format;
	(void)size;
	if (s->depth > 0 && at_target(s) && !s->prop) {
		/* A child of the target: list its name, like fdtget -l. */
		if (s->j) {
			if (!s->in_target_children) {
				kt_json_obj_end(s->j); /* "fields" */
				kt_json_arr_begin(s->j, "children");
			}
			kt_json_str(s->j, NULL, name);
		} else {
			printf("%s/\n", name);
		}
		s->in_target_children = true;
	}
	if (s->depth < 64)
		s->saved[s->depth] = l;
	if (s->depth > 0)
		snprintf(s->path + l, sizeof(s->path) - l, "%s%s", l ? "/" : "", name);
	s->depth++;
	if (at_target(s))
		s->found_node = true;
}

static void sel_end(void *ctx)
{
	struct select *s = ctx;

	s->depth--;
	if (s->depth < 64)
		s->path[s->saved[s->depth]] = '\0';
}

static void sel_field(void *ctx, const char *key, const struct kt_val *v)
{
	struct select *s = ctx;
	char buf[4096];

	if (!at_target(s) || (s->prop && strcmp(key, s->prop)))
		return;
	s->found_prop = true;
	if (s->j) {
		kt_json_val(s->j, s->prop ? "value" : key, v);
		return;
	}
	kt_val_text(v, buf, sizeof(buf));
	if (s->prop)
		printf("%s\n", buf);
	else
		printf("%s = %s\n", key, buf);
}

static void sel_note(void *ctx, enum kt_note kind, const char *msg)
{
	struct select *s = ctx;

	if (at_target(s) && kind != KT_NOTE_INFO)
		kt_errmsg("%s%s%s: %s", s->target, s->target[0] ? ": " : "",
			  kind == KT_NOTE_ERROR ? "error" : "warning", msg);
}

static const struct kt_sink_ops sel_ops = {sel_begin, sel_field, sel_note, sel_end};

/* The longest prefix of path that names a blob of the snapshot. */
static const struct kt_blob *find_blob(const struct kt_snapshot *snap, const char *path, enum kt_dirn *dirn,
				       const char **rest)
{
	int d;
	size_t k;

	for (d = 0; d < KT_NR_DIRS; d++) {
		const struct kt_kho_dir *dir = &snap->dir[d];
		const struct kt_blob *cands[2] = {dir->has_fdt ? &dir->fdt : NULL, NULL};

		for (k = 0; k <= dir->nr_subs; k++) {
			const struct kt_blob *b = k < dir->nr_subs ? &dir->subs[k] : cands[0];
			size_t l;

			if (!b)
				continue;
			l = strlen(b->path);
			if (!strncmp(path, b->path, l) && (path[l] == '\0' || path[l] == '/')) {
				*dirn = d;
				*rest = path[l] ? path + l + 1 : "";
				return b;
			}
		}
	}
	return NULL;
}

int cmd_get(const struct opts *o, int argc, char **argv)
{
	struct select sel = {.sink = {.ops = &sel_ops, .ctx = &sel}};
	struct kt_snapshot snap;
	const struct kt_blob *b;
	enum kt_dirn d = KT_OUT;
	struct kt_json j;
	struct kt_dctx c;
	int ret = KT_EXIT_OK;

	if (argc < 1 || argc > 2) {
		report_error(o, "get needs PATH [PROP], e.g. get out/sub_fdts/memblock/NAME start");
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, o->root, &snap))
		return KT_EXIT_ERROR;
	b = find_blob(&snap, argv[0][0] == '/' ? argv[0] + 1 : argv[0], &d, &sel.target);
	if (!b) {
		report_error(o, "%s: no such blob in %s", argv[0], snap.origin);
		kt_snapshot_free(&snap);
		return KT_EXIT_CHECK;
	}
	sel.prop = argc == 2 ? argv[1] : NULL;
	if (o->json) {
		sel.j = &j;
		json_begin(&j, o, &snap);
		kt_json_str(&j, "path", argv[0]);
		if (sel.prop)
			kt_json_str(&j, "property", sel.prop);
		else
			kt_json_obj_begin(&j, "fields");
	}
	c = (struct kt_dctx){.snap = &snap, .dirn = d, .raw = o->raw};
	kt_decode_blob(b, &sel.sink, &c);
	if (o->json) {
		if (!sel.prop && sel.in_target_children)
			kt_json_arr_end(&j);
		else if (!sel.prop)
			kt_json_obj_end(&j);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	}
	if (!sel.found_node) {
		kt_errmsg("%s: no such node", argv[0]);
		ret = KT_EXIT_CHECK;
	} else if (sel.prop && !sel.found_prop) {
		kt_errmsg("%s: no property '%s'", argv[0], sel.prop);
		ret = KT_EXIT_CHECK;
	}
	kt_snapshot_free(&snap);
	return ret;
}
