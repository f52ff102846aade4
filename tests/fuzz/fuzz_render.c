// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text and JSON renderers fed event streams no decoder produces: arbitrary
 * names, keys, strings, byte values and notes at any point (outside any node
 * too), within the sink contract (decode/sink.h: balanced nodes, STRLIST values
 * ending in a NUL, nesting below KT_JSON_TREE_MAX_DEPTH with room for the JSON
 * renderer's late-note node). The JSON must parse, as UTF-8. And the input as one
 * string, written by the JSON writer, reads back (jansson, as the manifest
 * reader) as kt_json_text says: verify compares names that way.
 */
#include <jansson.h>

#include "fuzz.h"

#define MAX_STR 80

struct input {
	const uint8_t *p, *end;
};

static uint8_t byte(struct input *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

static uint64_t u64(struct input *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | byte(in);
	return v;
}

/* n bytes of the input, NUL-terminated at buf[n]; NULs inside kept unless cstr. */
static size_t bytes(struct input *in, char *buf, bool cstr)
{
	size_t n = byte(in) % MAX_STR, i;

	for (i = 0; i < n; i++) {
		buf[i] = byte(in);
		if (cstr && !buf[i])
			buf[i] = '.';
	}
	buf[n] = '\0';
	return n;
}

static void emit_events(struct kt_sink *s, const void *arg)
{
	struct input in = *(const struct input *)arg;
	int depth = 0;
	size_t i;

	while (in.p < in.end) {
		char a[MAX_STR + 1], b[MAX_STR + 1];
		struct kt_val v = {0};
		uint64_t size;
		uint8_t op = byte(&in);

		switch (op % 4) {
		case 0:
			if (depth >= KT_JSON_TREE_MAX_DEPTH - 1)
				break;
			bytes(&in, a, true);
			bytes(&in, b, true);
			size = u64(&in);
			kt_node_begin(s, a, op & 0x10 ? b : NULL, op & 0x20 ? &size : NULL);
			depth++;
			break;
		case 1:
			if (depth) {
				kt_node_end(s);
				depth--;
			}
			break;
		case 2:
			bytes(&in, a, true);
			v.type = (op >> 2) % (KT_V_BYTES + 1);
			v.u = u64(&in);
			v.n = bytes(&in, b, v.type != KT_V_STR && v.type != KT_V_BYTES);
			if (v.type == KT_V_STRLIST)
				for (i = 0; i < v.n; i++)
					b[i] = b[i] == ';' ? '\0' : b[i];
			v.s = b;
			if (op & 0x80) {
				v.raw = b;
				v.raw_len = v.n;
			}
			kt_field(s, a, &v);
			break;
		case 3:
			bytes(&in, a, true);
			kt_note(s, (op >> 2) % 3, "%s", a);
			break;
		}
	}
	while (depth--)
		kt_node_end(s);
}

static void check_text(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size), *t, *buf = NULL;
	struct kt_json j;
	json_error_t e;
	json_t *doc, *v;
	size_t len = 0;
	FILE *f;

	FUZZ_CHECK(s);
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f);
	kt_json_init(&j, f, false);
	kt_json_arr_begin(&j, NULL);
	kt_json_str(&j, NULL, s);
	kt_json_arr_end(&j);
	kt_json_finish(&j);
	FUZZ_CHECK(!fclose(f));
	doc = json_loadb(buf, len, 0, &e);
	if (!doc) {
		fprintf(stderr, "fuzz: jansson refuses the writer's string: %s\n%s\n", e.text, buf);
		abort();
	}
	v = json_array_get(doc, 0);
	FUZZ_CHECK(json_array_size(doc) == 1 && json_is_string(v));
	t = kt_json_text(s);
	FUZZ_CHECK(json_string_length(v) == strlen(t) && !memcmp(json_string_value(v), t, strlen(t)));
	free(t);
	json_decref(doc);
	free(buf);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, data + size};
	struct kt_text_sink ts;
	struct kt_json_sink js;
	struct kt_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	/* Fields may follow children here: only the renderers' robustness is checked. */
	kt_text_sink_init(&ts, fuzz_devnull(), size & 1);
	emit_events(&ts.sink, &in);
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f);
	kt_json_init(&j, f, size & 2);
	kt_json_arr_begin(&j, NULL);
	kt_json_sink_init(&js, &j, size & 1);
	emit_events(&js.sink, &in);
	kt_json_arr_end(&j);
	kt_json_finish(&j);
	FUZZ_CHECK(!fclose(f));
	FUZZ_CHECK(fuzz_json_valid(buf, len));
	free(buf);
	check_text(data, size);
	return 0;
}
