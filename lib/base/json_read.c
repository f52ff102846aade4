// SPDX-License-Identifier: GPL-2.0-only
#include "base/json_read.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static bool too_deep(const json_t *v, size_t depth)
{
	const char *key;
	json_t *item;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v))
		return false;
	if (!depth)
		return true;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) if (too_deep(item, depth - 1)) return true;
		return false;
	}
	json_object_foreach((json_t *)v, key, item) if (too_deep(item, depth - 1)) return true;
	return false;
}

int kt_jr_load(const uint8_t *buf, size_t len, size_t max_depth, json_t **root, char *err, size_t errlen)
{
	json_error_t e;

	*root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &e);
	if (!*root)
		return kt_fail(err, errlen, -EBADMSG, "line %d, column %d: %s", e.line, e.column, e.text);
	if (!json_is_object(*root) || too_deep(*root, max_depth)) {
		const char *what = json_is_object(*root) ? "nested too deep" : "not a JSON object";

		json_decref(*root);
		*root = NULL;
		return kt_fail(err, errlen, -EBADMSG, "%s", what);
	}
	return 0;
}

const char *kt_jr_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static bool of_type(const json_t *v, json_type t)
{
	if (t == JSON_INTEGER)
		return json_is_number(v);
	if (t == JSON_TRUE || t == JSON_FALSE)
		return json_is_boolean(v);
	return json_typeof(v) == t;
}

static const char *name_of(json_type t)
{
	static const char *const names[] = {
	    [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
	    [JSON_INTEGER] = "a number", [JSON_REAL] = "a number",  [JSON_TRUE] = "a boolean",
	    [JSON_FALSE] = "a boolean",	 [JSON_NULL] = "null",
	};

	return names[t];
}

json_t *kt_jr_get(json_t *obj, const char *key, json_type t, bool nullable, const char *where, char *err,
		  size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		kt_fail(err, errlen, -EBADMSG, "%s: no \"%s\"", where, key);
		return NULL;
	}
	if (!of_type(v, t) && !(nullable && json_is_null(v))) {
		kt_fail(err, errlen, -EBADMSG, "%s.%s: expected %s, found %s", where, key, name_of(t),
			kt_jr_type_name(v));
		return NULL;
	}
	return v;
}

int kt_jr_u64(const json_t *v, bool strings, const char *where, uint64_t *out, char *err, size_t errlen)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return kt_fail(err, errlen, -EBADMSG, "%s: negative number", where);
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v))
		return kt_fail(err, errlen, -EBADMSG, "%s: not an integer", where);
	if (strings && json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		errno = 0;
		*out = strtoull(s, &end, 10);
		if (isdigit((unsigned char)*s) && !*end && !errno && (s[0] != '0' || !s[1]))
			return 0;
		return kt_fail(err, errlen, -EBADMSG, "%s: \"%s\" is not a decimal number", where, s);
	}
	return kt_fail(err, errlen, -EBADMSG, "%s: expected a number, found %s", where, kt_jr_type_name(v));
}

const char *kt_jr_name(json_t *obj, const char *key, size_t max, const char *where, char *err, size_t errlen)
{
	json_t *v = kt_jr_get(obj, key, JSON_STRING, false, where, err, errlen);

	if (v && (!json_string_length(v) || json_string_length(v) > max)) {
		kt_fail(err, errlen, -EBADMSG, "%s.%s: empty or longer than %zu bytes", where, key, max);
		return NULL;
	}
	return v ? json_string_value(v) : NULL;
}
