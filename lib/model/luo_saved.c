// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LUO state as a snapshot carries it (KT_LUO_STATE_FILE): one JSON object, written
 * with the suite's JSON writer and read back strictly through jansson, so every view of
 * sessions, handlers and FLBs works offline exactly as it did live. u64 values past
 * 2^63-1 are decimal strings (kt_json_u64_exact).
 *   {"kind": "kho-tools-luo-state", "version": 2,
 *    "sources": {"kernel": bool, "serialized": bool, "flbs": bool, "incoming_settled": bool,
 *                "notes": {"kernel"|"procfs"|"serialized"|"flb": "..."}},
 * Text from the kernel that is not UTF-8 (names may hold any byte) is written as
 * {"hex": "..."} in place of the string, so it reads back exactly.
 *    "sessions": [{"name", "state", "pid", "fd", "fds", "comm", "files_known", "claimed",
 *                  "error"?, "files": [{"handler", "token", "data", "retrieve_status",
 *                  "size"|null, "memfd"?: {...}, "error"?}]}],
 *    "flbs": [{"name", "direction", "state", "data", "files", "handed_over"|null, "object",
 *              "retrieve_status", "handlers": [...]|null}],
 *    "systemd"?: {"mapping", "kexec_count"|null, "units", "stores",
 *                 "timestamps": {"ShutdownStartTimestamp": {"realtime", "monotonic"}, ...}}}
 * Sessions and files held by systemd add "unit" and "fdname"; the notes "sd_mapping" and
 * "sd_stores" say why systemd's side is missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_read.h"
#include "base/json_write.h"
#include "base/util.h"
#include "model/luo_state.h"

#define STATE_KIND    "kho-tools-luo-state"
#define STATE_VERSION 2
#define MAX_DEPTH     8

/* ---- writing ------------------------------------------------------------------------ */

/* Text as a string, or as {"hex": ...} when it would not read back exactly. */
static void put_text(struct kt_json *j, const char *key, const char *text)
{
	if (kt_json_utf8(text)) {
		kt_json_str(j, key, text);
		return;
	}
	kt_json_obj_begin(j, key);
	kt_json_hex(j, "hex", text, strlen(text));
	kt_json_obj_end(j);
}

static void put_note(struct kt_json *j, const char *key, const char *note)
{
	if (note)
		put_text(j, key, note);
}

static void put_file(struct kt_json *j, const struct kt_luo_file *x)
{
	kt_json_obj_begin(j, NULL);
	put_text(j, "handler", x->handler);
	kt_json_u64_exact(j, "token", x->token);
	kt_json_addr(j, "data", x->data);
	kt_json_i64(j, "retrieve_status", x->retrieve_status);
	if (x->has_size)
		kt_json_u64_exact(j, "size", x->size);
	else
		kt_json_null(j, "size");
	if (x->has_memfd) {
		kt_json_obj_begin(j, "memfd");
		kt_json_u64_exact(j, "pos", x->memfd.pos);
		kt_json_u64_exact(j, "size", x->memfd.size);
		kt_json_u64_exact(j, "seals", x->memfd.seals);
		kt_json_u64_exact(j, "flags", x->memfd.flags);
		kt_json_u64_exact(j, "nr_folios", x->memfd.nr_folios);
		kt_json_addr(j, "folio_array", x->memfd.folios_first);
		kt_json_u64_exact(j, "folio_array_pages", x->memfd.folios_total_pages);
		kt_json_u64_exact(j, "order", x->memfd.folios_order);
		kt_json_obj_end(j);
	}
	if (x->error)
		put_text(j, "error", x->error);
	put_note(j, "unit", x->unit);
	put_note(j, "fdname", x->fdname);
	kt_json_obj_end(j);
}

static void put_systemd(struct kt_json *j, const struct kt_luo_systemd *sd)
{
	size_t i;

	kt_json_obj_begin(j, "systemd");
	kt_json_bool(j, "mapping", sd->mapping);
	if (sd->has_kexec_count)
		kt_json_u64_exact(j, "kexec_count", sd->kexec_count);
	else
		kt_json_null(j, "kexec_count");
	kt_json_u64_exact(j, "units", sd->units);
	kt_json_bool(j, "stores", sd->stores);
	kt_json_obj_begin(j, "timestamps");
	for (i = 0; i < KT_SD_NR_STAMPS; i++) {
		if (!sd->stamp[i].set)
			continue;
		kt_json_obj_begin(j, kt_sd_stamp_key[i]);
		kt_json_u64_exact(j, "realtime", sd->stamp[i].realtime);
		kt_json_u64_exact(j, "monotonic", sd->stamp[i].monotonic);
		kt_json_obj_end(j);
	}
	kt_json_obj_end(j);
	kt_json_obj_end(j);
}

static void put_strlist(struct kt_json *j, const char *key, const char *list, size_t len)
{
	size_t i;

	if (!list) {
		kt_json_null(j, key);
		return;
	}
	kt_json_arr_begin(j, key);
	for (i = 0; i <= len; i += strlen(list + i) + 1)
		put_text(j, NULL, list + i);
	kt_json_arr_end(j);
}

void kt_luo_state_export(const struct kt_luo_state *st, uint8_t **buf, size_t *len)
{
	struct kt_json_mem m;
	struct kt_json j;
	size_t i, k;

	kt_json_mem_open(&j, &m);
	kt_json_obj_begin(&j, NULL);
	kt_json_str(&j, "kind", STATE_KIND);
	kt_json_u64(&j, "version", STATE_VERSION);
	kt_json_obj_begin(&j, "sources");
	kt_json_bool(&j, "kernel", st->kernel_ok);
	kt_json_bool(&j, "serialized", st->serialized_ok);
	kt_json_bool(&j, "flbs", st->flbs_ok);
	kt_json_bool(&j, "incoming_settled", st->incoming_settled);
	kt_json_obj_begin(&j, "notes");
	put_note(&j, "kernel", st->kernel_note);
	put_note(&j, "procfs", st->procfs_note);
	put_note(&j, "serialized", st->serialized_note);
	put_note(&j, "flb", st->flb_note);
	put_note(&j, "sd_mapping", st->sd.mapping_note);
	put_note(&j, "sd_stores", st->sd.stores_note);
	kt_json_obj_end(&j);
	kt_json_obj_end(&j);
	kt_json_arr_begin(&j, "sessions");
	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *s = &st->sessions[i];

		kt_json_obj_begin(&j, NULL);
		put_text(&j, "name", s->name);
		kt_json_str(&j, "state", kt_sess_state_name[s->state]);
		kt_json_i64(&j, "pid", s->pid);
		kt_json_i64(&j, "fd", s->fd);
		kt_json_u64_exact(&j, "fds", s->fds);
		put_text(&j, "comm", s->comm);
		kt_json_bool(&j, "files_known", s->files_known);
		kt_json_u64_exact(&j, "claimed", s->files_claimed);
		if (s->error)
			put_text(&j, "error", s->error);
		put_note(&j, "unit", s->unit);
		put_note(&j, "fdname", s->fdname);
		kt_json_arr_begin(&j, "files");
		for (k = 0; k < s->nr_files; k++)
			put_file(&j, &s->files[k]);
		kt_json_arr_end(&j);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "flbs");
	for (i = 0; i < st->nr_flbs; i++) {
		const struct kt_luo_flb *x = &st->flbs[i];

		kt_json_obj_begin(&j, NULL);
		put_text(&j, "name", x->name);
		kt_json_str(&j, "direction", x->incoming ? "in" : "out");
		kt_json_str(&j, "state", kt_flb_state_name[x->state]);
		kt_json_addr(&j, "data", x->data);
		kt_json_u64_exact(&j, "files", x->count);
		if (x->handed_over)
			kt_json_u64_exact(&j, "handed_over", x->handed_over_count);
		else
			kt_json_null(&j, "handed_over");
		kt_json_bool(&j, "object", x->object);
		kt_json_i64(&j, "retrieve_status", x->retrieve_status);
		put_strlist(&j, "handlers", x->handlers, x->handlers_len);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	put_systemd(&j, &st->sd);
	kt_json_obj_end(&j);
	kt_json_mem_close(&j, &m, buf, len);
}

/* ---- reading ------------------------------------------------------------------------ */

struct rd {
	char *err;
	size_t errlen;
};

static int get_bool(json_t *o, const char *key, const char *where, bool *out, struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_TRUE, false, where, r->err, r->errlen);

	if (!v)
		return -EBADMSG;
	*out = json_is_true(v);
	return 0;
}

static int get_u64(json_t *o, const char *key, bool strings, const char *where, uint64_t *out, struct rd *r)
{
	json_t *v = json_object_get(o, key);
	char w[128];

	if (!v)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: no \"%s\"", where, key);
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return kt_jr_u64(v, strings, w, out, r->err, r->errlen);
}

static int get_int(json_t *o, const char *key, const char *where, int *out, struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_INTEGER, false, where, r->err, r->errlen);

	if (!v)
		return -EBADMSG;
	if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.%s: not an int", where, key);
	*out = (int)json_integer_value(v);
	return 0;
}

/* "0x..." as the writer puts addresses. */
static int get_addr(json_t *o, const char *key, const char *where, uint64_t *out, struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_STRING, false, where, r->err, r->errlen);
	const char *s;
	char *end;

	if (!v)
		return -EBADMSG;
	s = json_string_value(v);
	errno = 0;
	*out = strncmp(s, "0x", 2) ? 0 : strtoull(s + 2, &end, 16);
	if (strncmp(s, "0x", 2) || !s[2] || *end || errno)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.%s: \"%s\" is not an address", where, key, s);
	return 0;
}

static int unhex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Text written by put_text: a string, or {"hex": ...} of bytes without NUL (malloc'ed). */
static int text_of(json_t *v, const char *where, char **out, struct rd *r)
{
	json_t *hex = json_is_object(v) ? json_object_get(v, "hex") : NULL;
	const char *h;
	size_t n, i;

	if (json_is_string(v)) {
		*out = kt_strdup(json_string_value(v));
		return 0;
	}
	if (!json_is_string(hex) || json_object_size(v) != 1)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected a string, found %s", where,
			       kt_jr_type_name(v));
	h = json_string_value(hex);
	n = strlen(h);
	*out = kt_malloc(n / 2 + 1);
	for (i = 0; !(n % 2) && i < n; i += 2) {
		int a = unhex(h[i]), b = unhex(h[i + 1]);

		if (a < 0 || b < 0 || !(a | b))
			break;
		(*out)[i / 2] = (char)(a << 4 | b);
	}
	if (n % 2 || i != n) {
		free(*out);
		*out = NULL;
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.hex: not lowercase hex of bytes without NUL",
			       where);
	}
	(*out)[n / 2] = '\0';
	return 0;
}

/* Text into a fixed array: at most max - 1 bytes. */
static int get_str(json_t *o, const char *key, char *dst, size_t max, bool empty_ok, const char *where,
		   struct rd *r)
{
	json_t *v = json_object_get(o, key);
	char w[200], *t;
	size_t n;

	if (!v)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: no \"%s\"", where, key);
	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (text_of(v, w, &t, r))
		return -EBADMSG;
	n = strlen(t);
	if (n >= max || (!empty_ok && !n)) {
		free(t);
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: empty or longer than %zu bytes", w, max - 1);
	}
	memcpy(dst, t, n + 1);
	free(t);
	return 0;
}

/* An optional message ("error"): NULL when absent. */
static int get_msg(json_t *o, const char *key, const char *where, char **out, struct rd *r)
{
	json_t *v = json_object_get(o, key);
	char w[200];

	*out = NULL;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return v ? text_of(v, w, out, r) : 0;
}

static int name_index(const char *const *names, size_t n, const char *s, const char *where, struct rd *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return kt_fail(r->err, r->errlen, -EBADMSG, "%s: unknown \"%s\"", where, s);
}

static int read_memfd(json_t *o, const char *where, struct kt_memfd *m, struct rd *r)
{
	uint64_t seals, flags, pages, order;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object", where);
	if (get_u64(o, "pos", true, where, &m->pos, r) || get_u64(o, "size", true, where, &m->size, r) ||
	    get_u64(o, "seals", true, where, &seals, r) || get_u64(o, "flags", true, where, &flags, r) ||
	    get_u64(o, "nr_folios", true, where, &m->nr_folios, r) ||
	    get_addr(o, "folio_array", where, &m->folios_first, r) ||
	    get_u64(o, "folio_array_pages", true, where, &pages, r) ||
	    get_u64(o, "order", true, where, &order, r))
		return -EBADMSG;
	if (seals > UINT32_MAX || flags > UINT32_MAX || pages > UINT32_MAX || order > UINT16_MAX)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: a field out of its range", where);
	m->seals = seals;
	m->flags = flags;
	m->folios_total_pages = pages;
	m->folios_order = order;
	return 0;
}

static int read_file(json_t *o, const char *where, struct kt_luo_state *st, struct kt_luo_file *f,
		     struct rd *r)
{
	char w[200], handler[LUO_HANDLER_COMPAT_LEN + 1];
	json_t *size, *memfd;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object", where);
	if (get_str(o, "handler", handler, sizeof(handler), true, where, r))
		return -EBADMSG;
	f->handler = kt_luo_handler_name(st, handler);
	if (get_u64(o, "token", true, where, &f->token, r) || get_addr(o, "data", where, &f->data, r) ||
	    get_int(o, "retrieve_status", where, &f->retrieve_status, r) ||
	    get_msg(o, "error", where, &f->error, r) || get_msg(o, "unit", where, &f->unit, r) ||
	    get_msg(o, "fdname", where, &f->fdname, r))
		return -EBADMSG;
	size = json_object_get(o, "size");
	if (!size)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: no \"size\"", where);
	snprintf(w, sizeof(w), "%s.size", where);
	if (!size || (!json_is_null(size) && kt_jr_u64(size, true, w, &f->size, r->err, r->errlen)))
		return -EBADMSG;
	f->has_size = !json_is_null(size);
	memfd = json_object_get(o, "memfd");
	snprintf(w, sizeof(w), "%s.memfd", where);
	if (memfd && read_memfd(memfd, w, &f->memfd, r))
		return -EBADMSG;
	f->has_memfd = memfd != NULL;
	return 0;
}

static int read_session(json_t *o, const char *where, struct kt_luo_state *st, struct rd *r)
{
	char name[LUO_SESSION_NAME_LEN + 1], state[16], w[160];
	struct kt_luo_session *s;
	json_t *files, *item;
	char wf[180];
	uint64_t fds;
	size_t k;
	int idx;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object", where);
	if (get_str(o, "name", name, sizeof(name), true, where, r) ||
	    get_str(o, "state", state, sizeof(state), false, where, r))
		return -EBADMSG;
	snprintf(w, sizeof(w), "%s.state", where);
	idx = name_index(kt_sess_state_name, KT_SESS_NR_STATES, state, w, r);
	if (idx < 0)
		return idx;
	s = kt_luo_add_session(st, name, idx);
	if (get_int(o, "pid", where, &s->pid, r) || get_int(o, "fd", where, &s->fd, r) ||
	    get_u64(o, "fds", true, where, &fds, r) ||
	    get_str(o, "comm", s->comm, sizeof(s->comm), true, where, r) ||
	    get_bool(o, "files_known", where, &s->files_known, r) ||
	    get_u64(o, "claimed", true, where, &s->files_claimed, r) ||
	    get_msg(o, "error", where, &s->error, r) || get_msg(o, "unit", where, &s->unit, r) ||
	    get_msg(o, "fdname", where, &s->fdname, r))
		return -EBADMSG;
	if (fds > UINT32_MAX)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.fds: out of range", where);
	s->fds = fds;
	files = kt_jr_get(o, "files", JSON_ARRAY, false, where, r->err, r->errlen);
	if (!files)
		return -EBADMSG;
	json_array_foreach(files, k, item)
	{
		snprintf(wf, sizeof(wf), "%s.files[%zu]", where, k);
		if (read_file(item, wf, st, kt_luo_add_file(s), r))
			return -EBADMSG;
	}
	return 0;
}

static int read_flb(json_t *o, const char *where, struct kt_luo_state *st, struct rd *r)
{
	char name[LUO_FLB_COMPAT_LEN + 1], dir[4], state[16], w[160];
	struct kt_luo_flb *f;
	json_t *handed, *handlers, *item;
	size_t k, len = 0;
	int idx;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object", where);
	if (get_str(o, "name", name, sizeof(name), true, where, r) ||
	    get_str(o, "direction", dir, sizeof(dir), false, where, r) ||
	    get_str(o, "state", state, sizeof(state), false, where, r))
		return -EBADMSG;
	if (strcmp(dir, "in") && strcmp(dir, "out"))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.direction: \"%s\" is neither in nor out",
			       where, dir);
	snprintf(w, sizeof(w), "%s.state", where);
	idx = name_index(kt_flb_state_name, KT_FLB_NR_STATES, state, w, r);
	if (idx < 0)
		return idx;
	f = kt_luo_add_flb(st, name, !strcmp(dir, "in"));
	f->state = idx;
	if (get_addr(o, "data", where, &f->data, r) || get_u64(o, "files", true, where, &f->count, r) ||
	    get_bool(o, "object", where, &f->object, r) ||
	    get_int(o, "retrieve_status", where, &f->retrieve_status, r))
		return -EBADMSG;
	handed = json_object_get(o, "handed_over");
	if (!handed)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: no \"handed_over\"", where);
	snprintf(w, sizeof(w), "%s.handed_over", where);
	if (!handed ||
	    (!json_is_null(handed) && kt_jr_u64(handed, true, w, &f->handed_over_count, r->err, r->errlen)))
		return -EBADMSG;
	f->handed_over = !json_is_null(handed);
	handlers = kt_jr_get(o, "handlers", JSON_ARRAY, true, where, r->err, r->errlen);
	if (!handlers)
		return -EBADMSG;
	json_array_foreach(handlers, k, item)
	{
		char *h;
		size_t n;

		snprintf(w, sizeof(w), "%s.handlers[%zu]", where, k);
		if (text_of(item, w, &h, r))
			return -EBADMSG;
		n = strlen(h) + 1;
		if (n > LUO_HANDLER_COMPAT_LEN + 1) {
			free(h);
			return kt_fail(r->err, r->errlen, -EBADMSG, "%s: longer than %d bytes", w,
				       LUO_HANDLER_COMPAT_LEN);
		}
		f->handlers = kt_realloc(f->handlers, len + n);
		memcpy(f->handlers + len, h, n);
		len += n;
		free(h);
	}
	f->handlers_len = len ? len - 1 : 0;
	return 0;
}

static int read_notes(json_t *notes, struct kt_luo_state *st, struct rd *r)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"kernel", offsetof(struct kt_luo_state, kernel_note)},
	    {"procfs", offsetof(struct kt_luo_state, procfs_note)},
	    {"serialized", offsetof(struct kt_luo_state, serialized_note)},
	    {"flb", offsetof(struct kt_luo_state, flb_note)},
	    {"sd_mapping", offsetof(struct kt_luo_state, sd.mapping_note)},
	    {"sd_stores", offsetof(struct kt_luo_state, sd.stores_note)},
	};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(keys); i++)
		if (get_msg(notes, keys[i].key, "sources.notes", (char **)((char *)st + keys[i].off), r))
			return -EBADMSG;
	return 0;
}

static int read_systemd(json_t *o, struct kt_luo_systemd *sd, struct rd *r)
{
	json_t *count, *stamps, *ts;
	uint64_t units;
	size_t i;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "systemd: expected an object");
	if (get_bool(o, "mapping", "systemd", &sd->mapping, r) ||
	    get_bool(o, "stores", "systemd", &sd->stores, r) ||
	    get_u64(o, "units", true, "systemd", &units, r))
		return -EBADMSG;
	sd->units = units;
	count = json_object_get(o, "kexec_count");
	if (!count)
		return kt_fail(r->err, r->errlen, -EBADMSG, "systemd: no \"kexec_count\"");
	if (!json_is_null(count) &&
	    kt_jr_u64(count, true, "systemd.kexec_count", &sd->kexec_count, r->err, r->errlen))
		return -EBADMSG;
	sd->has_kexec_count = !json_is_null(count);
	stamps = kt_jr_get(o, "timestamps", JSON_OBJECT, false, "systemd", r->err, r->errlen);
	if (!stamps)
		return -EBADMSG;
	for (i = 0; i < KT_SD_NR_STAMPS; i++) {
		char w[64];

		ts = json_object_get(stamps, kt_sd_stamp_key[i]);
		if (!ts)
			continue;
		snprintf(w, sizeof(w), "systemd.timestamps.%s", kt_sd_stamp_key[i]);
		if (!json_is_object(ts) || get_u64(ts, "realtime", true, w, &sd->stamp[i].realtime, r) ||
		    get_u64(ts, "monotonic", true, w, &sd->stamp[i].monotonic, r))
			return kt_fail(r->err, r->errlen, -EBADMSG, "%s: malformed", w);
		sd->stamp[i].set = true;
	}
	return 0;
}

static int read_state(json_t *root, struct kt_luo_state *st, struct rd *r)
{
	json_t *kind, *sources, *notes, *sessions, *flbs, *item;
	uint64_t version;
	char w[64];
	size_t i;

	kind = kt_jr_get(root, "kind", JSON_STRING, false, "state", r->err, r->errlen);
	if (!kind || strcmp(json_string_value(kind), STATE_KIND))
		return kind ? kt_fail(r->err, r->errlen, -EBADMSG, "not a LUO state file") : -EBADMSG;
	if (get_u64(root, "version", false, "state", &version, r))
		return -EBADMSG;
	if (version != STATE_VERSION)
		return kt_fail(r->err, r->errlen, -EBADMSG,
			       "LUO state version %" PRIu64 " (this tool reads %d)", version, STATE_VERSION);
	sources = kt_jr_get(root, "sources", JSON_OBJECT, false, "state", r->err, r->errlen);
	notes =
	    sources ? kt_jr_get(sources, "notes", JSON_OBJECT, false, "sources", r->err, r->errlen) : NULL;
	if (!notes || get_bool(sources, "kernel", "sources", &st->kernel_ok, r) ||
	    get_bool(sources, "serialized", "sources", &st->serialized_ok, r) ||
	    get_bool(sources, "flbs", "sources", &st->flbs_ok, r) ||
	    get_bool(sources, "incoming_settled", "sources", &st->incoming_settled, r) ||
	    read_notes(notes, st, r))
		return -EBADMSG;
	sessions = kt_jr_get(root, "sessions", JSON_ARRAY, false, "state", r->err, r->errlen);
	flbs = sessions ? kt_jr_get(root, "flbs", JSON_ARRAY, false, "state", r->err, r->errlen) : NULL;
	if (!flbs)
		return -EBADMSG;
	json_array_foreach(sessions, i, item)
	{
		snprintf(w, sizeof(w), "sessions[%zu]", i);
		if (read_session(item, w, st, r))
			return -EBADMSG;
	}
	json_array_foreach(flbs, i, item)
	{
		snprintf(w, sizeof(w), "flbs[%zu]", i);
		if (read_flb(item, w, st, r))
			return -EBADMSG;
	}
	item = json_object_get(root, "systemd");
	return item ? read_systemd(item, &st->sd, r) : 0;
}

int kt_luo_state_import(const uint8_t *buf, size_t len, struct kt_luo_state *st, char *err, size_t errlen)
{
	struct rd r = {err, errlen};
	json_t *root;
	int ret;

	if (len >= 14 && !memcmp(buf, "kt-luo-state 1", 14))
		return kt_fail(
		    err, errlen, -EBADMSG,
		    "saved by kho-tools 0.1 in a format this version does not read (save it again)");
	ret = kt_jr_load(buf, len, MAX_DEPTH, &root, err, errlen);
	if (ret)
		return ret;
	ret = read_state(root, st, &r);
	json_decref(root);
	return ret;
}
