/* SPDX-License-Identifier: GPL-2.0-only */
/* The text renderer: a sink that prints decoded nodes as an indented tree. */
#ifndef KT_TEXT_H
#define KT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "decode/sink.h"

struct kt_text_sink {
	struct kt_sink sink;
	FILE *f;
	int depth;
	bool raw; /* stored bytes of each property after its value */
	size_t len;
	char line[512]; /* the line being put together (a longer one goes out in pieces) */
};

void kt_text_sink_init(struct kt_text_sink *t, FILE *f, bool raw);

#endif
