/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decoder interface: a format's file offers a struct kt_decoder (matched by FDT
 * compatible or blob name, see decoders.c) that describes a blob to a sink, and its
 * own typed model (parsed once, read by views and checks) in its own header.
 */
#ifndef KT_DECODER_H
#define KT_DECODER_H

#include <stdbool.h>

#include "decode/sink.h"
#include "snapshot/snapshot.h"

struct kt_dctx {
	const struct kt_snapshot *snap;
	enum kt_dirn dirn;
	bool raw; /* add each property's stored bytes */
};

typedef void (*kt_decode_fn)(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);

struct kt_decoder {
	const char *format;	/* shown as the node's format: "kho-v4", "luo-v5", ... */
	const char *fdt_compat; /* match: root compatible of an FDT blob */
	const char *blob_name;	/* match: a raw (non-FDT) blob of this name */
	kt_decode_fn decode;
};

#endif
