// SPDX-License-Identifier: GPL-2.0-only
#include "decode/sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	struct kt_val v = { .type = KT_V_STR, .s = str, .n = strnlen(str, n) };

	kt_field(s, key, &v);
}

void kt_field_str(struct kt_sink *s, const char *key, const char *str)
{
	kt_field_strn(s, key, str, strlen(str));
}

static void field_num(struct kt_sink *s, const char *key, enum kt_vtype t, uint64_t u)
{
	struct kt_val v = { .type = t, .u = u };

	kt_field(s, key, &v);
}

void kt_field_u64(struct kt_sink *s, const char *key, uint64_t v)
{
	field_num(s, key, KT_V_U64, v);
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
	struct kt_val v = { .type = KT_V_BYTES, .s = p, .n = n };

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
