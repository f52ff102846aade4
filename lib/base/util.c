// SPDX-License-Identifier: GPL-2.0-only
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int kt_read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *b;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	b = malloc(cap);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			uint8_t *nb;

			if (cap > max) {
				err = -EFBIG;
				break;
			}
			cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	if (!err && n > max)
		err = -EFBIG;
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = n;
	return 0;
}

int kt_write_file(const char *path, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		p += w;
		len -= w;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

const char *kt_fmt_size(uint64_t v, char buf[32])
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t scale = 1;

	/* Move up a unit when the value would print as 1024.0 or more in this one. */
	while (u + 1 < KT_ARRAY_SIZE(unit) && (double)v / (double)scale >= 1023.95) {
		scale *= 1024;
		u++;
	}
	if (u == 0 || v % scale == 0)
		snprintf(buf, 32, "%llu %s", (unsigned long long)(v / scale), unit[u]);
	else
		snprintf(buf, 32, "%.1f %s", (double)v / (double)scale, unit[u]);
	return buf;
}

int kt_parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGTPE";
	unsigned long long v;
	const char *p;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	/* Decimal, or 0x hex; a leading zero is not octal. */
	v = strtoull(s, &end, strncmp(s, "0x", 2) && strncmp(s, "0X", 2) ? 10 : 16);
	if (errno)
		return -EINVAL;
	if (*end) {
		p = strchr(suffixes, toupper((unsigned char)*end));
		if (!p)
			return -EINVAL;
		shift = 10 * (int)(p - suffixes + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*out = (uint64_t)v << shift;
	return 0;
}

void kt_sha256_hex(const void *data, size_t len, char out[KT_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		n = 0;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = '\0';
}

bool kt_cstr(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);
	bool terminated = n < srclen;

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return terminated;
}

bool kt_printable(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint(p[i]) && p[i] != '\n' && p[i] != '\t')
			return false;
	return true;
}

int kt_fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

void kt_errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *oom(void)
{
	kt_errmsg("out of memory");
	exit(2);
}

char *kt_strdup(const char *s)
{
	char *d = strdup(s);

	return d ? d : oom();
}

void *kt_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom();
}

char *kt_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? oom() : s;
}

int kt_u64set_add(struct kt_u64set *set, uint64_t v)
{
	size_t i, mask;

	if (2 * (set->n + 1) > set->cap) {
		struct kt_u64set bigger = { .cap = set->cap ? 2 * set->cap : 64 };
		size_t k;

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -ENOMEM;
		for (k = 0; k < set->cap; k++)
			if (set->slot[k])
				kt_u64set_add(&bigger, set->slot[k]);
		free(set->slot);
		*set = bigger;
	}
	mask = set->cap - 1;
	for (i = (v * 0x9e3779b97f4a7c15ULL) >> 32 & mask; set->slot[i]; i = (i + 1) & mask)
		if (set->slot[i] == v)
			return 0;
	set->slot[i] = v;
	set->n++;
	return 1;
}

void kt_u64set_free(struct kt_u64set *set)
{
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

void *kt_grow(void *v, size_t n, size_t size)
{
	void *nv;

	if (n && (n & (n - 1)))
		return v; /* room left from the last doubling */
	nv = realloc(v, (n ? 2 * n : 1) * size);
	return nv ? nv : oom();
}

bool kt_name_ok(const char *s, size_t len)
{
	size_t n = strnlen(s, len), i;

	if (!n || n == len)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}
