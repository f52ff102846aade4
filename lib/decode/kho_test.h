/* SPDX-License-Identifier: GPL-2.0-only */
/* The KHO test module's sub-FDT, kho-test-v1 (lib/test_kho.c). */
#ifndef KT_KHO_TEST_H
#define KT_KHO_TEST_H

#include "decode/decoder.h"

extern const struct kt_decoder kt_dec_kho_test;

#endif
