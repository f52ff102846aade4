/* SPDX-License-Identifier: GPL-2.0-only */
/* One small streaming JSON writer for every tool. Keys are NULL inside arrays. */
#ifndef KT_JSON_H
#define KT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KT_JSON_SCHEMA_VERSION 1
#define KT_JSON_MAX_DEPTH      128

/*
 * The document is built in buf and handed to f in large writes (a million-node tree
 * is hundreds of millions of small pieces): nothing else may write to f between
 * kt_json_init and kt_json_finish.
 */
#define KT_JSON_BUF 8192

struct kt_json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[KT_JSON_MAX_DEPTH];
	size_t len;
	char buf[KT_JSON_BUF];
};

void kt_json_init(struct kt_json *j, FILE *f, bool pretty);
void kt_json_obj_begin(struct kt_json *j, const char *key);
void kt_json_obj_end(struct kt_json *j);
void kt_json_arr_begin(struct kt_json *j, const char *key);
void kt_json_arr_end(struct kt_json *j);
void kt_json_str(struct kt_json *j, const char *key, const char *s);
void kt_json_strn(struct kt_json *j, const char *key, const char *s, size_t n);
void kt_json_u64(struct kt_json *j, const char *key, uint64_t v);
/* A u64 that files read back must hold exactly (tokens): a number up to 2^63-1, a decimal string past it. */
void kt_json_u64_exact(struct kt_json *j, const char *key, uint64_t v);
void kt_json_i64(struct kt_json *j, const char *key, int64_t v);
void kt_json_bool(struct kt_json *j, const char *key, bool v);
void kt_json_null(struct kt_json *j, const char *key);
/* Physical addresses: "0x…" strings, never numbers. */
void kt_json_addr(struct kt_json *j, const char *key, uint64_t v);
void kt_json_hex(struct kt_json *j, const char *key, const void *buf, size_t n);
/*
 * A string as a JSON reader gets it back: well-formed UTF-8 as is, each other byte
 * 0x80-0xff as the code point U+0080-U+00FF (written as \u00XX). For comparing a name
 * read from a document with the one it was written from (malloc'ed).
 */
char *kt_json_text(const char *s);
/* s reads back exactly: every byte from 0x80 up is part of well-formed UTF-8. */
bool kt_json_utf8(const char *s);
/* Ends the document: newline, everything handed to f, f flushed. */
void kt_json_finish(struct kt_json *j);

/* A compact document written into memory (files a snapshot carries). */
struct kt_json_mem {
	char *buf;
	size_t len;
};
void kt_json_mem_open(struct kt_json *j, struct kt_json_mem *m);
/* Finish the document and hand over its bytes (malloc'ed). */
void kt_json_mem_close(struct kt_json *j, struct kt_json_mem *m, uint8_t **buf, size_t *len);
/* A whole {"schema_version":1,"error":"..."} document. */
void kt_json_error(FILE *f, const char *msg);

#endif
