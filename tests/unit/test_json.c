// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer and the JSON sink: escaping, addresses as strings, commas and
 * nesting. Every document is compared with the text worked out by hand and also
 * parsed back by a small strict parser, so a missing comma or a raw control
 * byte fails even where no exact text is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdtbuild.h"

#include "decode/decoders.h"
#include "base/json_write.h"
#include "render/json_tree.h"
#include "render/text.h"

/* ---- a small strict JSON parser (RFC 8259; bytes >= 0x80 taken as they come) -------- */

struct jp {
	const char *s;
	size_t i;
	/* The bytes of the last string parsed (\u00XX gives byte XX). */
	unsigned char str[1024];
	size_t str_len;
};

static bool jp_value(struct jp *p, int depth);

static void jp_ws(struct jp *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\t' || p->s[p->i] == '\r')
		p->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool jp_string(struct jp *p)
{
	p->str_len = 0;
	if (p->s[p->i++] != '"')
		return false;
	for (;;) {
		unsigned char c = p->s[p->i++];
		unsigned int u = 0;
		int k;

		if (c == '"')
			return true;
		if (c < 0x20 || c == 0x7f)
			return false; /* raw control byte */
		if (c != '\\') {
			if (p->str_len < sizeof(p->str))
				p->str[p->str_len++] = c;
			continue;
		}
		c = p->s[p->i++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			for (k = 0; k < 4; k++) {
				int h = hexval(p->s[p->i++]);

				if (h < 0)
					return false;
				u = u * 16 + (unsigned int)h;
			}
			if (u > 0xff)
				return false; /* the writer never needs more */
			c = (unsigned char)u;
			break;
		default:
			return false;
		}
		if (p->str_len < sizeof(p->str))
			p->str[p->str_len++] = c;
	}
}

static bool jp_digits(struct jp *p)
{
	size_t start = p->i;

	while (p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static bool jp_number(struct jp *p)
{
	if (p->s[p->i] == '-')
		p->i++;
	if (p->s[p->i] == '0')
		p->i++;
	else if (!jp_digits(p))
		return false;
	if (p->s[p->i] == '.') {
		p->i++;
		if (!jp_digits(p))
			return false;
	}
	if (p->s[p->i] == 'e' || p->s[p->i] == 'E') {
		p->i++;
		if (p->s[p->i] == '+' || p->s[p->i] == '-')
			p->i++;
		if (!jp_digits(p))
			return false;
	}
	return true;
}

static bool jp_word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(p->s + p->i, w, n))
		return false;
	p->i += n;
	return true;
}

/* open '[' or '{'; members are values, or "key": value pairs in objects. */
static bool jp_container(struct jp *p, char close, int depth)
{
	p->i++;
	jp_ws(p);
	if (p->s[p->i] == close) {
		p->i++;
		return true;
	}
	for (;;) {
		jp_ws(p);
		if (close == '}') {
			if (p->s[p->i] != '"' || !jp_string(p))
				return false;
			jp_ws(p);
			if (p->s[p->i++] != ':')
				return false;
		}
		if (!jp_value(p, depth + 1))
			return false;
		jp_ws(p);
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		return p->s[p->i++] == close;
	}
}

static bool jp_value(struct jp *p, int depth)
{
	if (depth > 200)
		return false;
	jp_ws(p);
	switch (p->s[p->i]) {
	case '{':
		return jp_container(p, '}', depth);
	case '[':
		return jp_container(p, ']', depth);
	case '"':
		return jp_string(p);
	case 't':
		return jp_word(p, "true");
	case 'f':
		return jp_word(p, "false");
	case 'n':
		return jp_word(p, "null");
	default:
		return jp_number(p);
	}
}

/* One JSON value, then only whitespace. */
static bool json_valid(const char *s, struct jp *p)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	if (!jp_value(p, 0))
		return false;
	jp_ws(p);
	return p->s[p->i] == '\0';
}

#define assert_json_valid(doc)                                                                               \
	do {                                                                                                 \
		struct jp jp_;                                                                               \
		if (!json_valid((doc), &jp_))                                                                \
			fail_msg("not valid JSON near byte %zu: %s", jp_.i, (doc));                          \
	} while (0)

/* ---- writing into memory ------------------------------------------------- */

struct doc {
	FILE *f;
	char *buf;
	size_t len;
	struct kt_json j;
};

static void doc_open(struct doc *d, bool pretty)
{
	d->buf = NULL;
	d->f = open_memstream(&d->buf, &d->len);
	assert_non_null(d->f);
	kt_json_init(&d->j, d->f, pretty);
}

/* Finishes the document and returns its text (freed by doc_free). */
static const char *doc_close(struct doc *d)
{
	kt_json_finish(&d->j);
	assert_int_equal(fclose(d->f), 0);
	return d->buf;
}

static void doc_free(struct doc *d)
{
	free(d->buf);
}

/* A top-level string holding n bytes of s. */
static const char *one_string(struct doc *d, const char *s, size_t n)
{
	doc_open(d, false);
	kt_json_strn(&d->j, NULL, s, n);
	return doc_close(d);
}

/* ---- escaping ------------------------------------------------------------ */

static void test_escape_quote_backslash(void **state)
{
	struct doc d;

	(void)state;
	assert_string_equal(one_string(&d, "a\"b\\c", 5), "\"a\\\"b\\\\c\"\n");
	doc_free(&d);
}

static void test_escape_control_bytes(void **state)
{
	struct doc d;

	(void)state;
	/* newline and tab have short forms; other control bytes take \u00XX. */
	assert_string_equal(one_string(&d, "\n\t\x01\x1f\r\b", 6),
			    "\"\\n\\t\\u0001\\u001f\\u000d\\u0008\"\n");
	doc_free(&d);
}

static void test_escape_nul_inside(void **state)
{
	struct doc d;

	(void)state;
	assert_string_equal(one_string(&d, "a\0b", 3), "\"a\\u0000b\"\n");
	doc_free(&d);
}

static void test_escape_non_ascii(void **state)
{
	struct doc d;

	(void)state;
	/* Well-formed UTF-8 passes; DEL and every byte of an ill-formed sequence are escaped on their own. */
	assert_string_equal(one_string(&d, "\xc3\xa9\x7f\xff", 4), "\"\xc3\xa9\\u007f\\u00ff\"\n");
	doc_free(&d);
	/* Overlong '/', a surrogate, a truncated sequence: never passed through. */
	assert_string_equal(one_string(&d, "\xc0\xaf\xed\xa0\x80\xe2\x82", 7),
			    "\"\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00e2\\u0082\"\n");
	doc_free(&d);
	/* Bytes that lead no sequence at all (0xf5-0xff), even before continuation bytes. */
	assert_string_equal(one_string(&d, "\xf5\x80\x80\x80\xff\xbf", 6),
			    "\"\\u00f5\\u0080\\u0080\\u0080\\u00ff\\u00bf\"\n");
	doc_free(&d);
	/* Four bytes, and the last code point there is. */
	assert_string_equal(one_string(&d, "\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 8),
			    "\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"\n");
	doc_free(&d);
}

/* Every byte value survives a write and a parse. */
static void test_escape_all_bytes_roundtrip(void **state)
{
	char all[256];
	const char *out;
	struct doc d;
	struct jp p;
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	out = one_string(&d, all, sizeof(all));
	if (!json_valid(out, &p))
		fail_msg("not valid JSON near byte %zu", p.i);
	assert_int_equal(p.str_len, sizeof(all));
	assert_memory_equal(p.str, all, sizeof(all));
	doc_free(&d);
}

static void test_escape_keys(void **state)
{
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	kt_json_obj_begin(&d.j, NULL);
	kt_json_u64(&d.j, "we\"ird\n", 1);
	kt_json_obj_end(&d.j);
	out = doc_close(&d);
	assert_string_equal(out, "{\"we\\\"ird\\n\":1}\n");
	doc_free(&d);
}

/* ---- values -------------------------------------------------------------- */

static void test_addr_is_hex_string(void **state)
{
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	kt_json_obj_begin(&d.j, NULL);
	kt_json_addr(&d.j, "pa", 0x34a7000ULL);
	kt_json_addr(&d.j, "zero", 0);
	kt_json_addr(&d.j, "top", UINT64_MAX);
	kt_json_u64(&d.j, "size", 4096);
	kt_json_obj_end(&d.j);
	out = doc_close(&d);
	assert_string_equal(out, "{\"pa\":\"0x34a7000\",\"zero\":\"0x0\","
				 "\"top\":\"0xffffffffffffffff\",\"size\":4096}\n");
	doc_free(&d);
}

static void test_numbers_and_literals(void **state)
{
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	kt_json_arr_begin(&d.j, NULL);
	kt_json_u64(&d.j, NULL, UINT64_MAX);
	kt_json_i64(&d.j, NULL, INT64_MIN);
	kt_json_bool(&d.j, NULL, true);
	kt_json_bool(&d.j, NULL, false);
	kt_json_null(&d.j, NULL);
	kt_json_str(&d.j, NULL, NULL);
	kt_json_hex(&d.j, NULL, "\x00\xab\xff", 3);
	kt_json_arr_end(&d.j);
	out = doc_close(&d);
	assert_string_equal(out, "[18446744073709551615,-9223372036854775808,"
				 "true,false,null,null,\"00abff\"]\n");
	doc_free(&d);
}

/* ---- structure ----------------------------------------------------------- */

static void build_nested(struct kt_json *j)
{
	kt_json_obj_begin(j, NULL);
	kt_json_u64(j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_arr_begin(j, "a");
	kt_json_u64(j, NULL, 1);
	kt_json_u64(j, NULL, 2);
	kt_json_obj_begin(j, NULL);
	kt_json_bool(j, "x", true);
	kt_json_null(j, "y");
	kt_json_obj_end(j);
	kt_json_arr_end(j);
	kt_json_obj_begin(j, "b");
	kt_json_obj_end(j);
	kt_json_arr_begin(j, "c");
	kt_json_arr_end(j);
	kt_json_str(j, "d", "s");
	kt_json_obj_end(j);
}

static void test_nesting_compact(void **state)
{
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	build_nested(&d.j);
	out = doc_close(&d);
	assert_json_valid(out);
	assert_string_equal(out, "{\"schema_version\":1,\"a\":[1,2,{\"x\":true,\"y\":null}],"
				 "\"b\":{},\"c\":[],\"d\":\"s\"}\n");
	doc_free(&d);
}

static void test_nesting_pretty(void **state)
{
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, true);
	build_nested(&d.j);
	out = doc_close(&d);
	assert_json_valid(out);
	assert_string_equal(out, "{\n"
				 "  \"schema_version\": 1,\n"
				 "  \"a\": [\n"
				 "    1,\n"
				 "    2,\n"
				 "    {\n"
				 "      \"x\": true,\n"
				 "      \"y\": null\n"
				 "    }\n"
				 "  ],\n"
				 "  \"b\": {},\n"
				 "  \"c\": [],\n"
				 "  \"d\": \"s\"\n"
				 "}\n");
	doc_free(&d);
}

/* NDJSON: documents one after the other, each on its own line. */
static void test_two_documents(void **state)
{
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	kt_json_obj_begin(&d.j, NULL);
	kt_json_u64(&d.j, "n", 1);
	kt_json_obj_end(&d.j);
	kt_json_finish(&d.j);
	kt_json_init(&d.j, d.f, false);
	kt_json_obj_begin(&d.j, NULL);
	kt_json_u64(&d.j, "n", 2);
	kt_json_obj_end(&d.j);
	out = doc_close(&d);
	assert_string_equal(out, "{\"n\":1}\n{\"n\":2}\n");
	doc_free(&d);
}

static void test_error_document(void **state)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	kt_json_error(f, "bad \"thing\"");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "{\"schema_version\":1,\"error\":\"bad \\\"thing\\\"\"}\n");
	free(buf);
}

/* ---- the JSON sink ------------------------------------------------------- */

static void test_sink_node_shape(void **state)
{
	struct kt_json_sink t;
	uint64_t size = 5;
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	kt_json_sink_init(&t, &d.j, false);
	kt_json_arr_begin(&d.j, NULL);
	kt_node_begin(&t.sink, "a", "fmt", &size);
	kt_field_u64(&t.sink, "x", 1);
	kt_note(&t.sink, KT_NOTE_WARNING, "w");
	kt_node_begin(&t.sink, "c", NULL, NULL);
	kt_field_str(&t.sink, "k", "v");
	kt_node_end(&t.sink);
	kt_node_end(&t.sink);
	kt_json_arr_end(&d.j);
	out = doc_close(&d);
	assert_json_valid(out);
	assert_string_equal(out, "[{\"name\":\"a\",\"format\":\"fmt\",\"size\":5,\"fields\":{\"x\":1},"
				 "\"notes\":[{\"level\":\"warning\",\"message\":\"w\"}],"
				 "\"children\":[{\"name\":\"c\",\"format\":null,\"size\":null,"
				 "\"fields\":{\"k\":\"v\"},"
				 "\"notes\":[],\"children\":[]}]}]\n");
	doc_free(&d);
}

/* A note after a child node gets a node of its own instead of breaking the object. */
static void test_sink_late_note(void **state)
{
	struct kt_json_sink t;
	const char *out;
	struct doc d;

	(void)state;
	doc_open(&d, false);
	kt_json_sink_init(&t, &d.j, false);
	kt_node_begin(&t.sink, "a", NULL, NULL);
	kt_node_begin(&t.sink, "c", NULL, NULL);
	kt_node_end(&t.sink);
	kt_note(&t.sink, KT_NOTE_ERROR, "late");
	kt_node_end(&t.sink);
	out = doc_close(&d);
	assert_json_valid(out);
	assert_non_null(strstr(out, "{\"name\":\"\",\"format\":null,\"size\":null,\"fields\":{},"
				    "\"notes\":[{\"level\":\"error\",\"message\":\"late\"}],"
				    "\"children\":[]}"));
	doc_free(&d);
}

/* Decoded blobs, including notes, string lists and raw bytes, make valid JSON. */
static void test_sink_decoded_blobs_valid(void **state)
{
	const struct fb_sub subs[] = {{"LUO", 0x34a7000ULL, 0x20}, {"memblock", 0x34ac000ULL, 0xd2}};
	struct fb_blob root = fb_kho_v4(0x188d000ULL, subs, 2), cut = fb_cut(&root, root.len - 20);
	struct fb_blob stale = fb_bytes("#!/bin/sh\necho \"hi\"\t\\\x01\x02\xff more text..", 32);
	struct kt_dctx c = {.dirn = KT_IN, .raw = true};
	struct kt_blob b[3] = {fb_kt(&root, "fdt"), fb_kt(&cut, "fdt"), fb_kt(&stale, "LUO")};
	struct kt_snapshot snap;
	struct kt_json_sink t;
	const char *out;
	struct doc d;
	size_t i;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	c.snap = &snap;
	doc_open(&d, true);
	kt_json_sink_init(&t, &d.j, true);
	kt_json_arr_begin(&d.j, NULL);
	for (i = 0; i < 3; i++)
		kt_decode_blob(&b[i], &t.sink, &c);
	kt_json_arr_end(&d.j);
	out = doc_close(&d);
	assert_json_valid(out);
	doc_free(&d);
	fb_free(&root);
	fb_free(&cut);
	fb_free(&stale);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_quote_backslash),
	    cmocka_unit_test(test_escape_control_bytes),
	    cmocka_unit_test(test_escape_nul_inside),
	    cmocka_unit_test(test_escape_non_ascii),
	    cmocka_unit_test(test_escape_all_bytes_roundtrip),
	    cmocka_unit_test(test_escape_keys),
	    cmocka_unit_test(test_addr_is_hex_string),
	    cmocka_unit_test(test_numbers_and_literals),
	    cmocka_unit_test(test_nesting_compact),
	    cmocka_unit_test(test_nesting_pretty),
	    cmocka_unit_test(test_two_documents),
	    cmocka_unit_test(test_error_document),
	    cmocka_unit_test(test_sink_node_shape),
	    cmocka_unit_test(test_sink_late_note),
	    cmocka_unit_test(test_sink_decoded_blobs_valid),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
