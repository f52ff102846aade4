// SPDX-License-Identifier: GPL-2.0-only
#include "decode/sink.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/size.h"

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

void kt_val_text(const struct kt_val *v, char *buf, size_t len)
{
	char sz[32];
	size_t i, o;

	buf[0] = '\0';
	switch (v->type) {
	case KT_V_STR:
		snprintf(buf, len, "%.*s", (int)v->n, v->s);
		break;
	case KT_V_STRLIST:
		buf[0] = '\0';
		for (i = 0, o = 0; i < v->n && o < len; i += strlen(v->s + i) + 1)
			o += snprintf(buf + o, len - o, "%s\"%s\"", i ? ", " : "", v->s + i);
		break;
	case KT_V_U64:
		snprintf(buf, len, "%" PRIu64, v->u);
		break;
	case KT_V_I64:
		snprintf(buf, len, "%" PRId64, (int64_t)v->u);
		break;
	case KT_V_ADDR:
		snprintf(buf, len, "0x%" PRIx64, v->u);
		break;
	case KT_V_SIZE:
		snprintf(buf, len, "%s", kt_fmt_size(v->u, sz));
		break;
	case KT_V_BOOL:
		snprintf(buf, len, "%s", v->u ? "true" : "false");
		break;
	case KT_V_BYTES:
		for (i = 0, o = 0; i < v->n && o + 4 < len; i++)
			o += snprintf(buf + o, len - o, "%s%02x", i ? " " : "", (unsigned char)v->s[i]);
		if (i < v->n && len > 4)
			strcpy(buf + len - 4, "...");
		break;
	}
}
