// SPDX-License-Identifier: GPL-2.0-only
#include "render/text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/size.h"
#include "base/util.h"

static void text_indent(struct kt_text_sink *t)
{
	fprintf(t->f, "%*s", 2 * t->depth, "");
}

static void text_node_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct kt_text_sink *t = ctx;
	char sz[32];

	text_indent(t);
	fputs(name, t->f);
	if (format && size)
		fprintf(t->f, "  [%s, %s]", format, kt_fmt_size(*size, sz));
	else if (format)
		fprintf(t->f, "  [%s]", format);
	else if (size)
		fprintf(t->f, "  [%s]", kt_fmt_size(*size, sz));
	fputc('\n', t->f);
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
		fprintf(t->f, "  %06zx ", off);
		for (i = off; i < off + 16; i++)
			i < n ? fprintf(t->f, " %02x", p[i]) : fputs("   ", t->f);
		fputs("  |", t->f);
		for (i = off; i < off + 16 && i < n; i++)
			fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', t->f);
		fputs("|\n", t->f);
	}
}

static void text_field(void *ctx, const char *key, const struct kt_val *v)
{
	struct kt_text_sink *t = ctx;
	char buf[256];

	text_indent(t);
	if (v->type == KT_V_BYTES && v->n > 32) {
		fprintf(t->f, "%s: %zu bytes\n", key, v->n);
		hexdump(t, (const unsigned char *)v->s, v->n);
		return;
	}
	kt_val_text(v, buf, sizeof(buf));
	fprintf(t->f, "%s: %s", key, buf);
	if (t->raw && v->raw) {
		struct kt_val r = {.type = KT_V_BYTES, .s = v->raw, .n = v->raw_len};

		kt_val_text(&r, buf, sizeof(buf));
		fprintf(t->f, "  <%s>", buf);
	}
	fputc('\n', t->f);
}

static void text_note(void *ctx, enum kt_note kind, const char *msg)
{
	struct kt_text_sink *t = ctx;

	text_indent(t);
	fprintf(t->f, "%s: %s\n", kt_note_name[kind], msg);
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
