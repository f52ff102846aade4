// SPDX-License-Identifier: GPL-2.0-only
#include "render/json_tree.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* ---- JSON ---------------------------------------------------------------- */
/*
 * Every node: {"name", "format", "size", "fields": {}, "notes": [], "children": []}.
 * Fields stream out as they come; notes and raw bytes are held until the fields
 * object closes (at the first child or the node's end).
 */

static struct kt_json_node_state *cur(struct kt_json_sink *t)
{
	return &t->st[t->depth - 1];
}

static char *pair(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = kt_calloc(1, la + lb + 2);

	memcpy(p, a, la);
	memcpy(p + la + 1, b, lb);
	return p;
}

static void push(char ***v, size_t *n, size_t *cap, char *item)
{
	KT_GROW(*v, *cap, *n + 1);
	(*v)[(*n)++] = item;
}

static void close_fields(struct kt_json_sink *t)
{
	struct kt_json_node_state *st = cur(t);
	size_t i;

	kt_json_obj_end(t->j);
	if (t->raw) {
		kt_json_obj_begin(t->j, "raw");
		for (i = 0; i < st->nr_raw; i++)
			kt_json_str(t->j, st->raw[i], st->raw[i] + strlen(st->raw[i]) + 1);
		kt_json_obj_end(t->j);
	}
	kt_json_arr_begin(t->j, "notes");
	for (i = 0; i < st->nr_notes; i++) {
		kt_json_obj_begin(t->j, NULL);
		kt_json_str(t->j, "level", st->notes[i]);
		kt_json_str(t->j, "message", st->notes[i] + strlen(st->notes[i]) + 1);
		kt_json_obj_end(t->j);
		free(st->notes[i]);
	}
	for (i = 0; i < st->nr_raw; i++)
		free(st->raw[i]);
	free(st->notes);
	free(st->raw);
	kt_json_arr_end(t->j);
	kt_json_arr_begin(t->j, "children");
	memset(st, 0, sizeof(*st));
	st->in_children = true;
}

static void json_node_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct kt_json_sink *t = ctx;

	if (t->depth && !cur(t)->in_children)
		close_fields(t);
	t->depth++;
	memset(cur(t), 0, sizeof(*cur(t)));
	kt_json_obj_begin(t->j, NULL);
	kt_json_str(t->j, "name", name);
	kt_json_str(t->j, "format", format);
	if (size)
		kt_json_u64(t->j, "size", *size);
	else
		kt_json_null(t->j, "size");
	kt_json_obj_begin(t->j, "fields");
}

static void json_node_end(void *ctx)
{
	struct kt_json_sink *t = ctx;

	if (!cur(t)->in_children)
		close_fields(t);
	kt_json_arr_end(t->j);
	kt_json_obj_end(t->j);
	t->depth--;
}

void kt_json_val(struct kt_json *j, const char *key, const struct kt_val *v)
{
	size_t i;

	switch (v->type) {
	case KT_V_STR:
		kt_json_strn(j, key, v->s, v->n);
		break;
	case KT_V_STRLIST:
		kt_json_arr_begin(j, key);
		for (i = 0; i < v->n; i += strlen(v->s + i) + 1)
			kt_json_str(j, NULL, v->s + i);
		kt_json_arr_end(j);
		break;
	case KT_V_U64:
	case KT_V_SIZE:
		kt_json_u64(j, key, v->u);
		break;
	case KT_V_I64:
		kt_json_i64(j, key, (int64_t)v->u);
		break;
	case KT_V_ADDR:
		kt_json_addr(j, key, v->u);
		break;
	case KT_V_BOOL:
		kt_json_bool(j, key, v->u);
		break;
	case KT_V_BYTES:
		kt_json_hex(j, key, v->s, v->n);
		break;
	}
}

static void json_field(void *ctx, const char *key, const struct kt_val *v)
{
	struct kt_json_sink *t = ctx;
	struct kt_json_node_state *st;
	size_t i;

	if (!t->depth) {
		json_node_begin(ctx, "", NULL, NULL);
		json_field(ctx, key, v);
		json_node_end(ctx);
		return;
	}
	st = cur(t);
	if (st->in_children)
		return; /* decoders emit fields before children */
	kt_json_val(t->j, key, v);
	if (t->raw && v->raw) {
		char *hex = kt_calloc(1, 2 * v->raw_len + 1);

		for (i = 0; i < v->raw_len; i++)
			snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)v->raw)[i]);
		push(&st->raw, &st->nr_raw, &st->cap_raw, pair(key, hex));
		free(hex);
	}
}

static void json_note(void *ctx, enum kt_note kind, const char *msg)
{
	struct kt_json_sink *t = ctx;

	if (!t->depth || cur(t)->in_children) {
		/* A note outside any node, or after the children, gets a node of its own. */
		json_node_begin(ctx, "", NULL, NULL);
		json_note(ctx, kind, msg);
		json_node_end(ctx);
		return;
	}
	push(&cur(t)->notes, &cur(t)->nr_notes, &cur(t)->cap_notes, pair(kt_note_name[kind], msg));
}

static const struct kt_sink_ops json_ops = {
    .node_begin = json_node_begin,
    .field = json_field,
    .note = json_note,
    .node_end = json_node_end,
};

void kt_json_sink_init(struct kt_json_sink *t, struct kt_json *j, bool raw)
{
	memset(t, 0, sizeof(*t));
	t->sink = (struct kt_sink){.ops = &json_ops, .ctx = t};
	t->j = j;
	t->raw = raw;
}
