/* SPDX-License-Identifier: GPL-2.0-only */
/* Sizes as people write and read them. */
#ifndef KT_SIZE_H
#define KT_SIZE_H

#include <stdint.h>

/* "4 KiB", "1.5 MiB", "233 B" */
const char *kt_fmt_size(uint64_t v, char buf[32]);
/* Parse "1G", "512M", "4096", "2KiB", "0x1000"; -EINVAL on garbage, -ERANGE past 2^64. */
int kt_parse_size(const char *s, uint64_t *out);

#endif
