/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory: one policy for the whole suite. Running out of memory is not a condition
 * any command can report usefully or recover from, so every allocation goes through
 * these wrappers, which print "PROG: out of memory" once and exit with status 2 (the
 * "cannot tell" status of every tool). No caller checks for NULL or -ENOMEM.
 */
#ifndef KT_ALLOC_H
#define KT_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *kt_malloc(size_t size);
void *kt_calloc(size_t n, size_t size);
void *kt_realloc(void *p, size_t size);
void *kt_memdup(const void *p, size_t size);
char *kt_strdup(const char *s);
char *kt_strndup(const char *s, size_t n);
char *kt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kt_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* For libraries that return NULL when memory runs out: the same message and exit. */
void kt_oom(void) __attribute__((noreturn));
/* Run before the exit on out-of-memory (luo-top restores the terminal). */
void kt_alloc_on_fail(void (*fn)(void));

/*
 * The one growth helper: make room for `need` elements of `size` bytes in v, whose
 * capacity is *cap: doubled, or to need when that is more; a first room of 16, or of
 * exactly need when asked for more than one (a count known ahead). New room is zeroed.
 */
void *kt_grow(void *v, size_t *cap, size_t need, size_t size);
/* KT_GROW(arr, cap, n + 1); arr[n++] = x; */
#define KT_GROW(arr, cap, need) ((arr) = kt_grow((arr), &(cap), (need), sizeof(*(arr))))

#endif
