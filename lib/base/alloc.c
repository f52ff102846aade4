// SPDX-License-Identifier: GPL-2.0-only
#include "base/alloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*on_fail)(void);

void kt_alloc_on_fail(void (*fn)(void))
{
	on_fail = fn;
}

void kt_oom(void)
{
	if (on_fail)
		on_fail();
	fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
	exit(2);
}

static void *oom(void)
{
	kt_oom();
}

void *kt_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	return p ? p : oom();
}

void *kt_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom();
}

void *kt_realloc(void *p, size_t size)
{
	void *np = realloc(p, size ? size : 1);

	return np ? np : oom();
}

void *kt_memdup(const void *p, size_t size)
{
	void *d = kt_malloc(size);

	memcpy(d, p, size);
	return d;
}

char *kt_strdup(const char *s)
{
	char *d = strdup(s);

	return d ? d : oom();
}

char *kt_strndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	return d ? d : oom();
}

char *kt_vasprintf(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? oom() : s;
}

char *kt_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = kt_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void *kt_grow(void *v, size_t *cap, size_t need, size_t size)
{
	/* A first call for more than one element says how many are coming. */
	size_t ncap = *cap ? 2 * *cap : need > 1 ? need : 16;

	if (need <= *cap)
		return v;
	if (*cap > SIZE_MAX / 2 || ncap < need)
		ncap = need;
	if (ncap > SIZE_MAX / size)
		return oom();
	if (!v) {
		/* Fresh pages come zeroed: no pass over them now. */
		*cap = ncap;
		return kt_calloc(ncap, size);
	}
	v = kt_realloc(v, ncap * size);
	memset((char *)v + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return v;
}
