/* SPDX-License-Identifier: GPL-2.0-only */
/* Renderers: sinks that print decoded nodes as an indented tree or as JSON. */
#ifndef KT_RENDER_H
#define KT_RENDER_H

#include <stdio.h>

#include "base/json_write.h"
#include "decode/sink.h"

#define KT_RENDER_MAX_DEPTH 64

struct kt_text_sink {
	struct kt_sink sink;
	FILE *f;
	int depth;
	bool raw;
};

struct kt_json_node_state {
	bool in_children;
	char **notes; /* "level\0message" pairs, written when the node's fields close */
	size_t nr_notes;
	char **raw; /* "key\0hex" */
	size_t nr_raw;
};

struct kt_json_sink {
	struct kt_sink sink;
	struct kt_json *j;
	int depth;
	bool raw;
	struct kt_json_node_state st[KT_RENDER_MAX_DEPTH];
};

void kt_text_sink_init(struct kt_text_sink *t, FILE *f, bool raw);
/* Nodes are written as elements of the JSON array the caller has open. */
void kt_json_sink_init(struct kt_json_sink *t, struct kt_json *j, bool raw);
/* One value as text, as the text renderer shows it ("0x1000", "64 MiB", ...). */
/* One value as JSON: numbers, "0x…" addresses, strings, arrays of strings, hex bytes. */
void kt_json_val(struct kt_json *j, const char *key, const struct kt_val *v);
void kt_val_text(const struct kt_val *v, char *buf, size_t len);

#endif
