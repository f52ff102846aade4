// SPDX-License-Identifier: GPL-2.0-only
#include "base/json_write.h"

#include <inttypes.h>
#include <string.h>

void kt_json_init(struct kt_json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void indent(struct kt_json *j)
{
	int i;

	if (!j->pretty)
		return;
	putc_unlocked('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs_unlocked("  ", j->f);
}

/* Runs of plain characters go out in one write: this is the hot path of large trees. */
static void put_escaped(FILE *f, const char *s, size_t n)
{
	size_t i, run = 0;

	putc_unlocked('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		fwrite_unlocked(s + run, 1, i - run, f);
		run = i + 1;
		switch (c) {
		case '"':
			fputs_unlocked("\\\"", f);
			break;
		case '\\':
			fputs_unlocked("\\\\", f);
			break;
		case '\n':
			fputs_unlocked("\\n", f);
			break;
		case '\t':
			fputs_unlocked("\\t", f);
			break;
		default:
			/* Control bytes and non-ASCII bytes from blobs are not trusted to be UTF-8. */
			fprintf(f, "\\u%04x", c);
		}
	}
	fwrite_unlocked(s + run, 1, n - run, f);
	putc_unlocked('"', f);
}

static void put_u64(FILE *f, uint64_t v, unsigned int base)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	fwrite_unlocked(p, 1, buf + sizeof(buf) - p, f);
}

static void key(struct kt_json *j, const char *k)
{
	if (j->need_comma[j->depth])
		putc_unlocked(',', j->f);
	j->need_comma[j->depth] = true;
	if (j->depth)
		indent(j);
	if (k) {
		put_escaped(j->f, k, strlen(k));
		fputs_unlocked(j->pretty ? ": " : ":", j->f);
	}
}

static void open_(struct kt_json *j, const char *k, char c)
{
	key(j, k);
	putc_unlocked(c, j->f);
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
	putc_unlocked(c, j->f);
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
	put_escaped(j->f, s, n);
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
	put_u64(j->f, v, 10);
}

void kt_json_i64(struct kt_json *j, const char *k, int64_t v)
{
	key(j, k);
	fprintf(j->f, "%" PRId64, v);
}

void kt_json_bool(struct kt_json *j, const char *k, bool v)
{
	key(j, k);
	fputs_unlocked(v ? "true" : "false", j->f);
}

void kt_json_null(struct kt_json *j, const char *k)
{
	key(j, k);
	fputs_unlocked("null", j->f);
}

void kt_json_addr(struct kt_json *j, const char *k, uint64_t v)
{
	key(j, k);
	fputs_unlocked("\"0x", j->f);
	put_u64(j->f, v, 16);
	putc_unlocked('"', j->f);
}

void kt_json_hex(struct kt_json *j, const char *k, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i;

	key(j, k);
	putc_unlocked('"', j->f);
	for (i = 0; i < n; i++)
		fprintf(j->f, "%02x", p[i]);
	putc_unlocked('"', j->f);
}

void kt_json_finish(struct kt_json *j)
{
	putc_unlocked('\n', j->f);
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
