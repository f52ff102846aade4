// SPDX-License-Identifier: GPL-2.0-only
#include "decode/sink.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/size.h"
#include "base/util.h"

const char *const kt_note_name[KT_NR_NOTES] = {"error", "warning", "info"};

void kt_node_begin(struct kt_sink *s, const char *name, const char *format, const uint64_t *size)
{
	s->ops->node_begin(s->ctx, name, format, size);
}

void kt_node_end(struct kt_sink *s)
{
	s->ops->node_end(s->ctx);
}

void kt_field(struct kt_sink *s, const char *key, const struct kt_val *v)
{
	s->ops->field(s->ctx, key, v);
}

void kt_field_strn(struct kt_sink *s, const char *key, const char *str, size_t n)
{
	struct kt_val v = {.type = KT_V_STR, .s = str, .n = strnlen(str, n)};

	kt_field(s, key, &v);
}

void kt_field_str(struct kt_sink *s, const char *key, const char *str)
{
	kt_field_strn(s, key, str, strlen(str));
}

static void field_num(struct kt_sink *s, const char *key, enum kt_vtype t, uint64_t u)
{
	struct kt_val v = {.type = t, .u = u};

	kt_field(s, key, &v);
}

void kt_field_u64(struct kt_sink *s, const char *key, uint64_t v)
{
	field_num(s, key, KT_V_U64, v);
}

void kt_field_i64(struct kt_sink *s, const char *key, int64_t v)
{
	field_num(s, key, KT_V_I64, (uint64_t)v);
}

void kt_field_addr(struct kt_sink *s, const char *key, uint64_t v)
{
	field_num(s, key, KT_V_ADDR, v);
}

void kt_field_size(struct kt_sink *s, const char *key, uint64_t v)
{
	field_num(s, key, KT_V_SIZE, v);
}

void kt_field_bool(struct kt_sink *s, const char *key, bool v)
{
	field_num(s, key, KT_V_BOOL, v);
}

void kt_field_bytes(struct kt_sink *s, const char *key, const void *p, size_t n)
{
	struct kt_val v = {.type = KT_V_BYTES, .s = p, .n = n};

	kt_field(s, key, &v);
}

void kt_note(struct kt_sink *s, enum kt_note kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kind == KT_NOTE_ERROR && !s->errors++)
		snprintf(s->first_error, sizeof(s->first_error), "%s", msg);
	s->ops->note(s->ctx, kind, msg);
}

/* At most n bytes of s, up to a NUL, as much as fits in buf. */
static void copy_text(char *buf, size_t len, const char *s, size_t n)
{
	n = strnlen(s, n < len - 1 ? n : len - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
}

void kt_val_text(const struct kt_val *v, char *buf, size_t len)
{
	char sz[32], num[KT_U64_STR + 2] = "0x";
	size_t i, o;

	buf[0] = '\0';
	switch (v->type) {
	case KT_V_STR:
		copy_text(buf, len, v->s, v->n);
		break;
	case KT_V_STRLIST:
		buf[0] = '\0';
		for (i = 0, o = 0; i < v->n && o < len; i += strlen(v->s + i) + 1)
			o += snprintf(buf + o, len - o, "%s\"%s\"", i ? ", " : "", v->s + i);
		break;
	case KT_V_U64:
		copy_text(buf, len, num, kt_u64_str(num, v->u, 10));
		break;
	case KT_V_I64:
		snprintf(buf, len, "%" PRId64, (int64_t)v->u);
		break;
	case KT_V_ADDR:
		copy_text(buf, len, num, 2 + kt_u64_str(num + 2, v->u, 16));
		break;
	case KT_V_SIZE:
		copy_text(buf, len, kt_fmt_size(v->u, sz), sizeof(sz));
		break;
	case KT_V_BOOL:
		copy_text(buf, len, v->u ? "true" : "false", 5);
		break;
	case KT_V_BYTES:
		for (i = 0, o = 0; i < v->n && o + 4 < len; i++)
			o += snprintf(buf + o, len - o, "%s%02x", i ? " " : "", (unsigned char)v->s[i]);
		if (i < v->n && len > 4)
			strcpy(buf + len - 4, "...");
		break;
	}
}
