/* SPDX-License-Identifier: GPL-2.0-only */
/* The fallback for FDT blobs no format claims. */
#ifndef KT_FDT_GENERIC_H
#define KT_FDT_GENERIC_H

#include "decode/decoder.h"

extern const struct kt_decoder kt_dec_fdt_generic;

#endif
