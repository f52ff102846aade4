// SPDX-License-Identifier: GPL-2.0-only
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int kt_read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	struct stat st;
	uint8_t *b;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A regular file's size, and a byte more to see EOF, saves growing (and copying) a large blob. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 && (size_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;
	b = kt_malloc(cap);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap > max) {
				err = -EFBIG;
				break;
			}
			cap *= 2;
			b = kt_realloc(b, cap);
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

size_t kt_u64_str(char buf[KT_U64_STR], uint64_t v, unsigned int base)
{
	char tmp[KT_U64_STR], *p = tmp + sizeof(tmp);
	size_t n;

	/* Constant divisors: the compiler's shifts and multiplies, not a division a digit. */
	if (base == 16)
		do {
			*--p = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
	else
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
	n = tmp + sizeof(tmp) - p;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
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
