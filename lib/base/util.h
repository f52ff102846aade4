/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers shared by every module: bounded file reads, sizes, hashing, errors. */
#ifndef KT_UTIL_H
#define KT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KT_SHA256_HEX 65

/* Read a whole file (debugfs blobs report size 0: read to EOF). -EFBIG past max. */
int kt_read_file(const char *path, size_t max, uint8_t **buf, size_t *len);
/* Write a whole file. */
int kt_write_file(const char *path, const void *buf, size_t len);

/* "4 KiB", "1.5 MiB", "233 B" */
const char *kt_fmt_size(uint64_t v, char buf[32]);
/* Parse "1G", "512M", "4096", "2KiB"; returns -EINVAL on garbage. */
int kt_parse_size(const char *s, uint64_t *out);

void kt_sha256_hex(const void *data, size_t len, char out[KT_SHA256_HEX]);

/* Copy a fixed-size, possibly unterminated char array; true if it held a NUL. */
bool kt_cstr(char *dst, size_t dstlen, const char *src, size_t srclen);
/* True if buf[0..len) is printable text (tabs/newlines allowed) */
bool kt_printable(const void *buf, size_t len);

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

/* A set of u64 (open addressing): visited pages of chain walks. */
struct kt_u64set {
	uint64_t *slot; /* 0 = empty; the value 0 is never stored */
	size_t cap, n;
};
/* 1 if v was added, 0 if it was there, -ENOMEM. */
int kt_u64set_add(struct kt_u64set *set, uint64_t v);
void kt_u64set_free(struct kt_u64set *set);
/* Grow an array of n elements when n reaches a power of two (amortized doubling). */
void *kt_grow(void *v, size_t n, size_t size);
/* A name from the kernel: terminated within len, non-empty, no control bytes (UTF-8 allowed). */
bool kt_name_ok(const char *s, size_t len);

/* Write a one-line reason into err and return e (a negative errno), for the edge to print. */
int kt_fail(char *err, size_t errlen, int e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The one place messages reach the user: "prog: message\n" on stderr. */
void kt_errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kt_strdup(const char *s);
void *kt_calloc(size_t n, size_t size);
char *kt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
