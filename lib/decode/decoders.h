/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one table of decoders (decoders.c), chosen by FDT compatible or blob name. A
 * new format is one file and one line in the table.
 */
#ifndef KT_DECODERS_H
#define KT_DECODERS_H

#include "decode/decoder.h"

/* The decoder for a blob (never NULL: the generic FDT or raw decoder at worst). */
const struct kt_decoder *kt_decoder_for(const struct kt_blob *b);
/* One node for the blob: name, format, size, then its decoded content. */
void kt_decode_blob(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);

#endif
