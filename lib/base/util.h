/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers every stage uses: bounded file reads, messages at the edge, checked
 * strings from the kernel, unaligned native-endian loads. util.h brings the allocation
 * policy (alloc.h) with it.
 */
#ifndef KT_UTIL_H
#define KT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

#define KT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Read a whole file (debugfs blobs report size 0: read to EOF). -EFBIG past max. */
int kt_read_file(const char *path, size_t max, uint8_t **buf, size_t *len);
/* Write a whole file. */
int kt_write_file(const char *path, const void *buf, size_t len);

/* Copy a fixed-size, possibly unterminated char array; true if it held a NUL. */
bool kt_cstr(char *dst, size_t dstlen, const char *src, size_t srclen);
/* True if buf[0..len) is printable text (tabs/newlines allowed) */
bool kt_printable(const void *buf, size_t len);
/* A name from the kernel: terminated within len, non-empty, no control bytes (UTF-8 allowed). */
bool kt_name_ok(const char *s, size_t len);

static inline uint64_t kt_le64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t kt_le32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Room for a u64 in base 10 or 16, with its NUL. */
#define KT_U64_STR 24
/* v in base 10 or 16 (lower case, no prefix) at buf, NUL-terminated; returns its length. */
size_t kt_u64_str(char buf[KT_U64_STR], uint64_t v, unsigned int base);

/* Write a one-line reason into err and return e (a negative errno), for the edge to print. */
int kt_fail(char *err, size_t errlen, int e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The one place messages reach the user: "prog: message\n" on stderr. */
void kt_errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
