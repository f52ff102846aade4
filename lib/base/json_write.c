// SPDX-License-Identifier: GPL-2.0-only
#include "base/json_write.h"

#include "base/util.h"

#include <string.h>

void kt_json_init(struct kt_json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->need_comma[0] = false;
	j->len = 0;
}

static void flush(struct kt_json *j)
{
	fwrite_unlocked(j->buf, 1, j->len, j->f);
	j->len = 0;
}

static void put(struct kt_json *j, const char *s, size_t n)
{
	if (j->len + n > sizeof(j->buf)) {
		flush(j);
		if (n > sizeof(j->buf)) {
			fwrite_unlocked(s, 1, n, j->f);
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void putch(struct kt_json *j, char c)
{
	if (j->len == sizeof(j->buf))
		flush(j);
	j->buf[j->len++] = c;
}

static void indent(struct kt_json *j)
{
	int i;

	if (!j->pretty)
		return;
	putch(j, '\n');
	for (i = 0; i < j->depth; i++)
		put(j, "  ", 2);
}

/* The length of a well-formed UTF-8 sequence of two to four bytes at s, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4  ? 4
		     : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		     : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
						   : 0;
	uint32_t cp;
	size_t i;

	if (!len || len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	cp = len == 2	? (s[0] & 0x1fu) << 6 | (s[1] & 0x3f)
	     : len == 3 ? (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3f)
			: (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3f);
	/* No overlong forms, surrogates, or code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp < 0xe000))
		return 0;
	return len;
}

bool kt_json_utf8(const char *s)
{
	size_t n = strlen(s), i, seq;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x80)
			continue;
		seq = utf8_seq((const unsigned char *)s + i, n - i);
		if (!seq)
			return false;
		i += seq - 1;
	}
	return true;
}

char *kt_json_text(const char *s)
{
	size_t n = strlen(s), i, o = 0, seq;
	char *out = kt_malloc(2 * n + 1);

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= 0x80 && (seq = utf8_seq((const unsigned char *)s + i, n - i))) {
			memcpy(out + o, s + i, seq);
			o += seq;
			i += seq - 1;
		} else if (c >= 0x80) {
			/* What \u00XX reads back as: the code point U+00XX. */
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * Runs of plain characters go out in one copy: this is the hot path of large trees.
 * Well-formed UTF-8 passes through; any other byte a blob holds becomes \u00XX, so the
 * document is always valid JSON.
 */
/* The bytes that go out as they are (one load a byte in the hot loop). */
static const bool plain[256] = {
    [0x20 ... 0x21] = true,
    [0x23 ... 0x5b] = true, /* not '"' (0x22) */
    [0x5d ... 0x7e] = true, /* not '\\' (0x5c) */
};

static void put_escaped(struct kt_json *j, const char *s, size_t n)
{
	size_t i = 0, run = 0, seq;
	char u[8];

	/* Where the buffer has room, plain bytes are copied as they are scanned: most strings are. */
	if (j->len + n + 2 <= sizeof(j->buf)) {
		char *o = j->buf + j->len + 1;

		o[-1] = '"';
		while (i < n && plain[(unsigned char)s[i]])
			o[i] = s[i], i++;
		if (i == n) {
			o[n] = '"';
			j->len += n + 2;
			return;
		}
		j->len += 1 + i;
		run = i;
	} else {
		putch(j, '"');
	}
	for (; i < n; i++) {
		unsigned char c = s[i];

		if (plain[c])
			continue;
		if (c >= 0x80 && (seq = utf8_seq((const unsigned char *)s + i, n - i))) {
			i += seq - 1;
			continue;
		}
		put(j, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			put(j, "\\\"", 2);
			break;
		case '\\':
			put(j, "\\\\", 2);
			break;
		case '\n':
			put(j, "\\n", 2);
			break;
		case '\t':
			put(j, "\\t", 2);
			break;
		default:
			snprintf(u, sizeof(u), "\\u%04x", c);
			put(j, u, 6);
		}
	}
	put(j, s + run, n - run);
	putch(j, '"');
}

static void put_u64(struct kt_json *j, uint64_t v, unsigned int base)
{
	char buf[KT_U64_STR];

	put(j, buf, kt_u64_str(buf, v, base));
}

static void key(struct kt_json *j, const char *k)
{
	if (j->need_comma[j->depth])
		putch(j, ',');
	j->need_comma[j->depth] = true;
	if (j->depth)
		indent(j);
	if (k) {
		put_escaped(j, k, strlen(k));
		put(j, ": ", j->pretty ? 2 : 1);
	}
}

static void open_(struct kt_json *j, const char *k, char c)
{
	key(j, k);
	putch(j, c);
	if (j->depth + 1 < KT_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct kt_json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth)
		j->depth--;
	if (had)
		indent(j);
	putch(j, c);
}

void kt_json_obj_begin(struct kt_json *j, const char *k)
{
	open_(j, k, '{');
}

void kt_json_obj_end(struct kt_json *j)
{
	close_(j, '}');
}

void kt_json_arr_begin(struct kt_json *j, const char *k)
{
	open_(j, k, '[');
}

void kt_json_arr_end(struct kt_json *j)
{
	close_(j, ']');
}

void kt_json_strn(struct kt_json *j, const char *k, const char *s, size_t n)
{
	key(j, k);
	put_escaped(j, s, n);
}

void kt_json_str(struct kt_json *j, const char *k, const char *s)
{
	if (!s) {
		kt_json_null(j, k);
		return;
	}
	kt_json_strn(j, k, s, strlen(s));
}

void kt_json_u64(struct kt_json *j, const char *k, uint64_t v)
{
	key(j, k);
	put_u64(j, v, 10);
}

void kt_json_u64_exact(struct kt_json *j, const char *k, uint64_t v)
{
	key(j, k);
	if (v > INT64_MAX)
		putch(j, '"');
	put_u64(j, v, 10);
	if (v > INT64_MAX)
		putch(j, '"');
}

void kt_json_i64(struct kt_json *j, const char *k, int64_t v)
{
	key(j, k);
	if (v < 0)
		putch(j, '-');
	/* The magnitude as unsigned: INT64_MIN has no positive int64_t. */
	put_u64(j, v < 0 ? -(uint64_t)v : (uint64_t)v, 10);
}

void kt_json_bool(struct kt_json *j, const char *k, bool v)
{
	key(j, k);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void kt_json_null(struct kt_json *j, const char *k)
{
	key(j, k);
	put(j, "null", 4);
}

void kt_json_addr(struct kt_json *j, const char *k, uint64_t v)
{
	key(j, k);
	put(j, "\"0x", 3);
	put_u64(j, v, 16);
	putch(j, '"');
}

void kt_json_hex(struct kt_json *j, const char *k, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i;

	key(j, k);
	putch(j, '"');
	for (i = 0; i < n; i++) {
		putch(j, "0123456789abcdef"[p[i] >> 4]);
		putch(j, "0123456789abcdef"[p[i] & 15]);
	}
	putch(j, '"');
}

void kt_json_finish(struct kt_json *j)
{
	putch(j, '\n');
	flush(j);
	fflush(j->f);
}

void kt_json_error(FILE *f, const char *msg)
{
	struct kt_json j;

	kt_json_init(&j, f, false);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_str(&j, "error", msg);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

void kt_json_mem_open(struct kt_json *j, struct kt_json_mem *m)
{
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = open_memstream(&m->buf, &m->len);
	if (!f)
		kt_oom();
	kt_json_init(j, f, false);
}

void kt_json_mem_close(struct kt_json *j, struct kt_json_mem *m, uint8_t **buf, size_t *len)
{
	kt_json_finish(j);
	if (fclose(j->f))
		kt_oom();
	*buf = (uint8_t *)m->buf;
	*len = m->len;
}
