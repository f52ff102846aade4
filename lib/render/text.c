// SPDX-License-Identifier: GPL-2.0-only
#include "render/text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/size.h"
#include "base/util.h"

/*
 * Each line is put together in t->line and written whole: a million-node tree is
 * millions of lines, and one write a line keeps stdio's per-call cost out of the walk.
 */
static void out(struct kt_text_sink *t, const char *s, size_t n)
{
	if (t->len + n > sizeof(t->line)) {
		fwrite_unlocked(t->line, 1, t->len, t->f);
		t->len = 0;
		if (n > sizeof(t->line)) {
			fwrite_unlocked(s, 1, n, t->f);
			return;
		}
	}
	memcpy(t->line + t->len, s, n);
	t->len += n;
}

static void outs(struct kt_text_sink *t, const char *s)
{
	out(t, s, strlen(s));
}

static void outf(struct kt_text_sink *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct kt_text_sink *t, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out(t, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void end_line(struct kt_text_sink *t)
{
	out(t, "\n", 1);
	fwrite_unlocked(t->line, 1, t->len, t->f);
	t->len = 0;
}

static void text_indent(struct kt_text_sink *t)
{
	static const char spaces[] = "                                ";
	size_t n = t->depth > 0 ? 2 * (size_t)t->depth : 0;

	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		out(t, spaces, sizeof(spaces) - 1);
	out(t, spaces, n);
}

static void text_node_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct kt_text_sink *t = ctx;
	char sz[32];

	text_indent(t);
	outs(t, name);
	if (format || size) {
		out(t, "  [", 3);
		if (format)
			outs(t, format);
		if (format && size)
			out(t, ", ", 2);
		if (size)
			outs(t, kt_fmt_size(*size, sz));
		out(t, "]", 1);
	}
	end_line(t);
	t->depth++;
}

static void text_node_end(void *ctx)
{
	struct kt_text_sink *t = ctx;

	t->depth--;
}

static void hexdump(struct kt_text_sink *t, const unsigned char *p, size_t n)
{
	size_t off, i;

	for (off = 0; off < n; off += 16) {
		text_indent(t);
		outf(t, "  %06zx ", off);
		for (i = off; i < off + 16; i++)
			i < n ? outf(t, " %02x", p[i]) : out(t, "   ", 3);
		out(t, "  |", 3);
		for (i = off; i < off + 16 && i < n; i++)
			out(t, p[i] >= 0x20 && p[i] < 0x7f ? (const char *)p + i : ".", 1);
		out(t, "|", 1);
		end_line(t);
	}
}

static void text_field(void *ctx, const char *key, const struct kt_val *v)
{
	struct kt_text_sink *t = ctx;
	char buf[256];

	text_indent(t);
	outs(t, key);
	if (v->type == KT_V_BYTES && v->n > 32) {
		outf(t, ": %zu bytes", v->n);
		end_line(t);
		hexdump(t, (const unsigned char *)v->s, v->n);
		return;
	}
	kt_val_text(v, buf, sizeof(buf));
	out(t, ": ", 2);
	outs(t, buf);
	if (t->raw && v->raw) {
		struct kt_val r = {.type = KT_V_BYTES, .s = v->raw, .n = v->raw_len};

		kt_val_text(&r, buf, sizeof(buf));
		out(t, "  <", 3);
		outs(t, buf);
		out(t, ">", 1);
	}
	end_line(t);
}

static void text_note(void *ctx, enum kt_note kind, const char *msg)
{
	struct kt_text_sink *t = ctx;

	text_indent(t);
	outs(t, kt_note_name[kind]);
	out(t, ": ", 2);
	outs(t, msg);
	end_line(t);
}

static const struct kt_sink_ops text_ops = {
    .node_begin = text_node_begin,
    .field = text_field,
    .note = text_note,
    .node_end = text_node_end,
};

void kt_text_sink_init(struct kt_text_sink *t, FILE *f, bool raw)
{
	memset(t, 0, sizeof(*t));
	t->sink = (struct kt_sink){.ops = &text_ops, .ctx = t};
	t->f = f;
	t->raw = raw;
}
