/* SPDX-License-Identifier: GPL-2.0-only */
/* The fallback for blobs no format claims: their bytes. */
#ifndef KT_RAW_H
#define KT_RAW_H

#include "decode/decoder.h"

extern const struct kt_decoder kt_dec_raw;

#endif
