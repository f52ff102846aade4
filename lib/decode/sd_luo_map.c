// SPDX-License-Identifier: GPL-2.0-only
#include "decode/sd_luo_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_read.h"
#include "base/util.h"

#define MAX_DEPTH 8 /* the document nests 5 deep */

const char *const kt_sd_stamp_key[KT_SD_NR_STAMPS] = {
    "ShutdownStartTimestamp",
    "ShutdownFinishTimestamp",
    "ShutdownLateStartTimestamp",
    "ShutdownLateFinishTimestamp",
};

struct rd {
	char *err;
	size_t errlen;
};

/* A name of at most max bytes (may be empty) into dst. */
static int get_name(json_t *o, const char *key, char *dst, size_t max, const char *where, struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_STRING, false, where, r->err, r->errlen);

	if (!v)
		return -EBADMSG;
	if (json_string_length(v) > max || memchr(json_string_value(v), 0, json_string_length(v)))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.%s: longer than %zu bytes or holds a NUL",
			       where, key, max);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int read_state(json_t *state, struct kt_sd_map *m, struct rd *r)
{
	const char *count_key = json_object_get(state, "KExecCount") ? "KExecCount" : "kexecsCount";
	json_t *v = json_object_get(state, count_key);
	size_t i;

	if (v) {
		if (kt_jr_u64(v, false, "state.KExecCount", &m->kexec_count, r->err, r->errlen))
			return -EBADMSG;
		m->has_kexec_count = true;
	}
	for (i = 0; i < KT_SD_NR_STAMPS; i++) {
		char where[64];
		json_t *ts = json_object_get(state, kt_sd_stamp_key[i]), *x;

		if (!ts)
			continue;
		snprintf(where, sizeof(where), "state.%s", kt_sd_stamp_key[i]);
		if (!json_is_object(ts))
			return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object, found %s", where,
				       kt_jr_type_name(ts));
		if (!(x = kt_jr_get(ts, "realtime", JSON_INTEGER, false, where, r->err, r->errlen)) ||
		    kt_jr_u64(x, false, where, &m->stamp[i].realtime, r->err, r->errlen) ||
		    !(x = kt_jr_get(ts, "monotonic", JSON_INTEGER, false, where, r->err, r->errlen)) ||
		    kt_jr_u64(x, false, where, &m->stamp[i].monotonic, r->err, r->errlen))
			return -EBADMSG;
		m->stamp[i].set = true;
	}
	return 0;
}

static int read_entry(json_t *e, size_t unit, const char *where, struct kt_sd_map *m, struct rd *r)
{
	struct kt_sd_fd f = {.unit = unit};
	json_t *type, *tok;

	if (!json_is_object(e))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object, found %s", where,
			       kt_jr_type_name(e));
	if (!(type = kt_jr_get(e, "type", JSON_STRING, false, where, r->err, r->errlen)) ||
	    get_name(e, "name", f.name, KT_SD_NAME_MAX, where, r))
		return -EBADMSG;
	if (!strcmp(json_string_value(type), "fd")) {
		f.type = KT_SD_FD;
		if (!(tok = kt_jr_get(e, "token", JSON_INTEGER, false, where, r->err, r->errlen)) ||
		    kt_jr_u64(tok, true, where, &f.token, r->err, r->errlen))
			return -EBADMSG;
	} else if (!strcmp(json_string_value(type), "luo_session")) {
		f.type = KT_SD_LUO_SESSION;
		if (get_name(e, "sessionName", f.session, LUO_SESSION_NAME_LEN, where, r))
			return -EBADMSG;
	} else {
		m->skipped++; /* a kind of fd a later systemd hands over */
		return 0;
	}
	KT_GROW(m->fds, m->cap_fds, m->nr_fds + 1);
	m->fds[m->nr_fds++] = f;
	return 0;
}

static int read_units(json_t *units, struct kt_sd_map *m, struct rd *r)
{
	const char *name;
	json_t *u;

	json_object_foreach(units, name, u)
	{
		char where[KT_SD_UNIT_MAX + 64];
		json_t *store, *e;
		size_t i;

		snprintf(where, sizeof(where), "units.%.*s", KT_SD_UNIT_MAX, name);
		if (!*name || strlen(name) > KT_SD_UNIT_MAX)
			return kt_fail(r->err, r->errlen, -EBADMSG, "%s: not a unit name", where);
		if (!json_is_object(u))
			return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object, found %s", where,
				       kt_jr_type_name(u));
		KT_GROW(m->units, m->cap_units, m->nr_units + 1);
		m->units[m->nr_units++] = kt_strdup(name);
		store = json_object_get(u, "fdstore");
		if (!store)
			continue;
		if (!json_is_array(store))
			return kt_fail(r->err, r->errlen, -EBADMSG, "%s.fdstore: expected an array, found %s",
				       where, kt_jr_type_name(store));
		json_array_foreach(store, i, e)
		{
			char w[sizeof(where) + 32];

			snprintf(w, sizeof(w), "%s.fdstore[%zu]", where, i);
			if (read_entry(e, m->nr_units - 1, w, m, r))
				return -EBADMSG;
		}
	}
	return 0;
}

int kt_sd_map_parse(const uint8_t *buf, size_t len, struct kt_sd_map *m, char *err, size_t errlen)
{
	struct rd r = {err, errlen};
	json_t *root, *v;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = kt_jr_load(buf, len, MAX_DEPTH, &root, err, errlen);
	if (ret)
		return ret;
	if (!(v = kt_jr_get(root, "version", JSON_INTEGER, false, "mapping", err, errlen)) ||
	    kt_jr_u64(v, false, "mapping.version", &m->version, err, errlen)) {
		ret = -EBADMSG;
	} else if (m->version != 1) {
		ret = kt_fail(err, errlen, -EPROTONOSUPPORT,
			      "systemd LUO mapping version %llu (this kho-tools reads version 1)",
			      (unsigned long long)m->version);
	} else if ((v = json_object_get(root, "state")) && !json_is_object(v)) {
		ret =
		    kt_fail(err, errlen, -EBADMSG, "state: expected an object, found %s", kt_jr_type_name(v));
	} else if (v && read_state(v, m, &r)) {
		ret = -EBADMSG;
	} else if (!(v = kt_jr_get(root, "units", JSON_OBJECT, false, "mapping", err, errlen)) ||
		   read_units(v, m, &r)) {
		ret = -EBADMSG;
	}
	json_decref(root);
	if (ret)
		kt_sd_map_free(m);
	return ret;
}

void kt_sd_map_free(struct kt_sd_map *m)
{
	size_t i;

	for (i = 0; i < m->nr_units; i++)
		free(m->units[i]);
	free(m->units);
	free(m->fds);
	memset(m, 0, sizeof(*m));
}

const struct kt_sd_fd *kt_sd_map_token(const struct kt_sd_map *m, uint64_t token)
{
	size_t i;

	for (i = 0; i < m->nr_fds; i++)
		if (m->fds[i].type == KT_SD_FD && m->fds[i].token == token)
			return &m->fds[i];
	return NULL;
}

const struct kt_sd_fd *kt_sd_map_session(const struct kt_sd_map *m, const char *session)
{
	size_t i;

	for (i = 0; i < m->nr_fds; i++)
		if (m->fds[i].type == KT_SD_LUO_SESSION && !strcmp(m->fds[i].session, session))
			return &m->fds[i];
	return NULL;
}
