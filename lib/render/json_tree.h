/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON renderer: a sink that writes decoded nodes as JSON objects
 * {"name", "format", "size", "fields": {}, "notes": [], "children": []}.
 */
#ifndef KT_JSON_TREE_H
#define KT_JSON_TREE_H

#include <stdbool.h>

#include "base/json_write.h"
#include "decode/sink.h"

#define KT_JSON_TREE_MAX_DEPTH 64

struct kt_json_node_state {
	bool in_children;
	char **notes; /* "level\0message" pairs, written when the node's fields close */
	size_t nr_notes, cap_notes;
	char **raw; /* "key\0hex" */
	size_t nr_raw, cap_raw;
};

struct kt_json_sink {
	struct kt_sink sink;
	struct kt_json *j;
	int depth;
	bool raw;
	struct kt_json_node_state st[KT_JSON_TREE_MAX_DEPTH];
};

/* Nodes are written as elements of the JSON array the caller has open. */
void kt_json_sink_init(struct kt_json_sink *t, struct kt_json *j, bool raw);
/* One value as JSON: numbers, "0x…" addresses, strings, arrays of strings, hex bytes. */
void kt_json_val(struct kt_json *j, const char *key, const struct kt_val *v);

#endif
