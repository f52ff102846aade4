/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoders describe what they find as a stream of nodes and typed fields sent to a
 * sink; renderers (text, JSON) and diff's flattener are sinks. Nothing is built in
 * memory, so a million-node blob decodes in bounded memory.
 *
 * Order inside a node: fields, then notes, then child nodes.
 */
#ifndef KT_SINK_H
#define KT_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kt_vtype {
	KT_V_STR,     /* s, n bytes (not NUL-terminated) */
	KT_V_STRLIST, /* s, n bytes of NUL-separated strings */
	KT_V_U64,     /* a count or number */
	KT_V_I64,     /* a signed number (u holds its bits) */
	KT_V_ADDR,    /* a physical address */
	KT_V_SIZE,    /* bytes */
	KT_V_BOOL,
	KT_V_BYTES, /* s, n raw bytes */
};

struct kt_val {
	enum kt_vtype type;
	uint64_t u;
	const char *s;
	size_t n;
	/* The property's bytes as stored, shown with --raw (may be NULL). */
	const void *raw;
	size_t raw_len;
};

enum kt_note {
	KT_NOTE_ERROR,	 /* this node could not be (fully) decoded */
	KT_NOTE_WARNING, /* decoded, but something is off (truncated, stale, ...) */
	KT_NOTE_INFO,	 /* a fact worth a line ("not serialized yet") */
	KT_NR_NOTES,
};
extern const char *const kt_note_name[KT_NR_NOTES]; /* "error", "warning", "info" */

struct kt_sink_ops {
	void (*node_begin)(void *ctx, const char *name, const char *format, const uint64_t *size);
	void (*field)(void *ctx, const char *key, const struct kt_val *v);
	void (*note)(void *ctx, enum kt_note kind, const char *msg);
	void (*node_end)(void *ctx);
};

struct kt_sink {
	const struct kt_sink_ops *ops;
	void *ctx;
	unsigned int errors;   /* notes of kind ERROR seen */
	char first_error[512]; /* the first of them, for the one line on stderr */
};

void kt_node_begin(struct kt_sink *s, const char *name, const char *format, const uint64_t *size);
void kt_node_end(struct kt_sink *s);
void kt_field(struct kt_sink *s, const char *key, const struct kt_val *v);
void kt_field_str(struct kt_sink *s, const char *key, const char *str);
void kt_field_strn(struct kt_sink *s, const char *key, const char *str, size_t n);
void kt_field_u64(struct kt_sink *s, const char *key, uint64_t v);
void kt_field_i64(struct kt_sink *s, const char *key, int64_t v);
void kt_field_addr(struct kt_sink *s, const char *key, uint64_t v);
void kt_field_size(struct kt_sink *s, const char *key, uint64_t v);
void kt_field_bool(struct kt_sink *s, const char *key, bool v);
void kt_field_bytes(struct kt_sink *s, const char *key, const void *p, size_t n);
void kt_note(struct kt_sink *s, enum kt_note kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One value as text, as the text renderer and diff show it ("0x1000", "64 MiB", ...). */
void kt_val_text(const struct kt_val *v, char *buf, size_t len);

#endif
