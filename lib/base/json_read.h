/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict JSON reading through jansson, for the files the suite reads back (the upgrade
 * manifest, the saved LUO state) and those others write (systemd's LUO mapping):
 * RFC 8259 syntax and UTF-8 checked by the library, duplicate keys refused, nesting
 * bounded, and every type error named by its path ("sessions[2].files[0].token:
 * expected a number, found a string").
 */
#ifndef KT_JSON_READ_H
#define KT_JSON_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse buf as one JSON object, at most max_depth levels deep. -EBADMSG with "line L, column C: ..." */
int kt_jr_load(const uint8_t *buf, size_t len, size_t max_depth, json_t **root, char *err, size_t errlen);
/* "an object", "a string", ... */
const char *kt_jr_type_name(const json_t *v);
/*
 * Member key of obj, of type t (JSON_NULL accepted too when nullable; JSON_INTEGER
 * means a number). NULL with err ("WHERE: no \"key\"", "WHERE.key: expected ...").
 */
json_t *kt_jr_get(json_t *obj, const char *key, json_type t, bool nullable, const char *where, char *err,
		  size_t errlen);
/*
 * A non-negative integer. Values past 2^63-1 (tokens are u64) are written as decimal
 * strings, so with strings true a string of digits is one too.
 */
int kt_jr_u64(const json_t *v, bool strings, const char *where, uint64_t *out, char *err, size_t errlen);
/* A non-empty string of at most max bytes; NULL with err. */
const char *kt_jr_name(json_t *obj, const char *key, size_t max, const char *where, char *err, size_t errlen);

#endif
