// SPDX-License-Identifier: GPL-2.0-only
#include "model/luo_systemd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json_read.h"
#include "base/json_write.h"
#include "base/util.h"

#define SESSION_LINK "anon_inode:[luo_session] "

const char *const kt_sd_fate_name[] = {"memfd", "luo_session", "lost"};

static struct kt_luo_session *find_session(struct kt_luo_state *st, const char *name, bool outgoing)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		if ((st->sessions[i].state == KT_SESS_OUTGOING) == outgoing &&
		    !strcmp(st->sessions[i].name, name))
			return &st->sessions[i];
	return NULL;
}

static void name_it(char **unit, char **fdname, const char *u, const char *fd)
{
	free(*unit);
	free(*fdname);
	*unit = kt_strdup(u);
	*fdname = kt_strdup(fd);
}

/* The mapping's bytes: token 0 of the session, a memfd-v2 whose state was decoded. */
static int read_mapping(const struct kt_luo_session *s, struct kt_physmem *pm, uint8_t **buf, size_t *len,
			char *err, size_t errlen)
{
	const struct kt_luo_file *f = NULL;
	size_t i;

	for (i = 0; i < s->nr_files && !f; i++)
		if (s->files[i].token == KT_SD_MAP_TOKEN)
			f = &s->files[i];
	if (!f)
		return kt_fail(err, errlen, -ENOENT, "session %s has no token %d: no mapping", s->name,
			       KT_SD_MAP_TOKEN);
	if (!f->has_memfd)
		return kt_fail(err, errlen, -ENODATA, "the mapping (token %d) is not a readable memfd%s%s",
			       KT_SD_MAP_TOKEN, f->error ? ": " : "", f->error ? f->error : "");
	if (!pm)
		return kt_fail(err, errlen, -ENODATA, "no physical memory to read the mapping from");
	if (f->memfd.size > KT_SD_MAP_MAX)
		return kt_fail(err, errlen, -EFBIG, "the mapping is %llu bytes (at most %u read)",
			       (unsigned long long)f->memfd.size, KT_SD_MAP_MAX);
	*len = f->memfd.size;
	*buf = kt_malloc(*len ? *len : 1);
	if (kt_memfd_contents(pm, &f->memfd, *buf, *len, err, errlen)) {
		free(*buf);
		return -EIO;
	}
	return 0;
}

void kt_luo_add_sd_map(struct kt_luo_state *st, struct kt_physmem *pm)
{
	struct kt_luo_session *s = find_session(st, KT_SD_SESSION, false);
	struct kt_sd_map m;
	char err[512];
	uint8_t *buf = NULL;
	size_t len = 0, i, k;

	if (!s)
		return;
	if (read_mapping(s, pm, &buf, &len, err, sizeof(err))) {
		kt_luo_note(&st->sd.mapping_note, kt_asprintf("systemd's LUO mapping: %s", err));
		return;
	}
	if (kt_sd_map_parse(buf, len, &m, err, sizeof(err))) {
		kt_luo_note(&st->sd.mapping_note,
			    kt_asprintf("systemd's LUO mapping (%zu bytes): %s", len, err));
		free(buf);
		return;
	}
	free(buf);
	st->sd.mapping = true;
	st->sd.has_kexec_count = m.has_kexec_count;
	st->sd.kexec_count = m.kexec_count;
	memcpy(st->sd.stamp, m.stamp, sizeof(m.stamp));
	st->sd.units = m.nr_units;
	for (k = 0; k < s->nr_files; k++) {
		const struct kt_sd_fd *fd = kt_sd_map_token(&m, s->files[k].token);

		if (fd)
			name_it(&s->files[k].unit, &s->files[k].fdname, m.units[fd->unit], fd->name);
	}
	for (i = 0; i < m.nr_fds; i++) {
		struct kt_luo_session *x;

		if (m.fds[i].type == KT_SD_LUO_SESSION && (x = find_session(st, m.fds[i].session, false)))
			name_it(&x->unit, &x->fdname, m.units[m.fds[i].unit], m.fds[i].name);
	}
	kt_sd_map_free(&m);
}

void kt_luo_add_sd_stores(struct kt_luo_state *st, const struct kt_sd_stores *stores)
{
	size_t i, k;

	st->sd.stores = true;
	for (i = 0; i < stores->n; i++)
		for (k = 0; k < stores->v[i].nr_fds; k++) {
			const struct kt_sd_stored_fd *f = &stores->v[i].fds[k];
			struct kt_luo_session *s;

			if (strncmp(f->path, SESSION_LINK, strlen(SESSION_LINK)))
				continue;
			/* PID 1 holds its own (outgoing) sessions and the retrieved ones. */
			s = find_session(st, f->path + strlen(SESSION_LINK), true);
			if (!s)
				s = find_session(st, f->path + strlen(SESSION_LINK), false);
			if (s)
				name_it(&s->unit, &s->fdname, stores->v[i].unit, f->name);
		}
}

enum kt_sd_fate kt_sd_fate(const struct kt_sd_stored_fd *f)
{
	if (!strncmp(f->path, SESSION_LINK, strlen(SESSION_LINK)))
		return KT_SD_KEPT_SESSION;
	/*
	 * memfd-v2 takes memfds: "/memfd:NAME (deleted)", or "/ (deleted)" for one restored
	 * after a kexec (the name does not survive it).
	 */
	if (S_ISREG(f->mode) && (!strncmp(f->path, "/memfd:", 7) || !strcmp(f->path, "/ (deleted)")))
		return KT_SD_KEPT_MEMFD;
	return KT_SD_LOST;
}

bool kt_sd_store_preserved(const struct kt_sd_store *s)
{
	return !strcmp(s->preserve, "yes");
}

/* ---- saved form ----------------------------------------------------------------------
 * {"kind": "kho-tools-sd-stores", "version": 1, "kexec_count": N|null, "services": N,
 *  "stores": [{"unit", "preserve", "max", "fds": [{"name", "mode", "dev": [major, minor],
 *              "ino", "rdev": [major, minor], "path", "flags"}]}]}
 */
#define STORES_KIND "kho-tools-sd-stores"

void kt_sd_stores_export(const struct kt_sd_stores *st, uint8_t **buf, size_t *len)
{
	struct kt_json_mem m;
	struct kt_json j;
	size_t i, k;

	kt_json_mem_open(&j, &m);
	kt_json_obj_begin(&j, NULL);
	kt_json_str(&j, "kind", STORES_KIND);
	kt_json_u64(&j, "version", 1);
	if (st->has_kexec_count)
		kt_json_u64(&j, "kexec_count", st->kexec_count);
	else
		kt_json_null(&j, "kexec_count");
	kt_json_u64(&j, "services", st->services);
	kt_json_arr_begin(&j, "stores");
	for (i = 0; i < st->n; i++) {
		const struct kt_sd_store *x = &st->v[i];

		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "unit", x->unit);
		kt_json_str(&j, "preserve", x->preserve);
		kt_json_u64(&j, "max", x->max);
		kt_json_arr_begin(&j, "fds");
		for (k = 0; k < x->nr_fds; k++) {
			const struct kt_sd_stored_fd *fd = &x->fds[k];

			kt_json_obj_begin(&j, NULL);
			kt_json_str(&j, "name", fd->name);
			kt_json_u64(&j, "mode", fd->mode);
			kt_json_arr_begin(&j, "dev");
			kt_json_u64(&j, NULL, fd->dev_major);
			kt_json_u64(&j, NULL, fd->dev_minor);
			kt_json_arr_end(&j);
			kt_json_u64(&j, "ino", fd->ino);
			kt_json_arr_begin(&j, "rdev");
			kt_json_u64(&j, NULL, fd->rdev_major);
			kt_json_u64(&j, NULL, fd->rdev_minor);
			kt_json_arr_end(&j);
			kt_json_str(&j, "path", fd->path);
			kt_json_u64(&j, "flags", fd->flags);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_obj_end(&j);
	kt_json_mem_close(&j, &m, buf, len);
}

struct rd {
	char *err;
	size_t errlen;
};

static int get_num(json_t *o, const char *key, uint64_t max, const char *where, uint64_t *out, struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_INTEGER, false, where, r->err, r->errlen);
	char w[128];

	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (!v || kt_jr_u64(v, false, w, out, r->err, r->errlen))
		return -EBADMSG;
	return *out > max ? kt_fail(r->err, r->errlen, -EBADMSG, "%s: out of range", w) : 0;
}

static int get_text(json_t *o, const char *key, const char *where, char **out, struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_STRING, false, where, r->err, r->errlen);

	if (!v)
		return -EBADMSG;
	*out = kt_strdup(json_string_value(v));
	return 0;
}

static int get_devno(json_t *o, const char *key, const char *where, uint32_t *major, uint32_t *minor,
		     struct rd *r)
{
	json_t *v = kt_jr_get(o, key, JSON_ARRAY, false, where, r->err, r->errlen);
	json_t *a = v ? json_array_get(v, 0) : NULL, *b = v ? json_array_get(v, 1) : NULL;

	if (!a || !b || json_array_size(v) != 2 || !json_is_integer(a) || !json_is_integer(b) ||
	    json_integer_value(a) < 0 || json_integer_value(a) > UINT32_MAX || json_integer_value(b) < 0 ||
	    json_integer_value(b) > UINT32_MAX)
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s.%s: expected [major, minor]", where, key);
	*major = json_integer_value(a);
	*minor = json_integer_value(b);
	return 0;
}

static int read_fd(json_t *o, const char *where, struct kt_sd_stored_fd *f, struct rd *r)
{
	uint64_t mode, flags;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object", where);
	if (get_text(o, "name", where, &f->name, r) || get_text(o, "path", where, &f->path, r) ||
	    get_num(o, "mode", UINT32_MAX, where, &mode, r) ||
	    get_num(o, "ino", UINT64_MAX, where, &f->ino, r) ||
	    get_num(o, "flags", UINT32_MAX, where, &flags, r) ||
	    get_devno(o, "dev", where, &f->dev_major, &f->dev_minor, r) ||
	    get_devno(o, "rdev", where, &f->rdev_major, &f->rdev_minor, r))
		return -EBADMSG;
	f->mode = mode;
	f->flags = flags;
	return 0;
}

static int read_store(json_t *o, const char *where, struct kt_sd_store *s, struct rd *r)
{
	json_t *fds, *item;
	uint64_t max;
	size_t k;

	if (!json_is_object(o))
		return kt_fail(r->err, r->errlen, -EBADMSG, "%s: expected an object", where);
	if (get_text(o, "unit", where, &s->unit, r) || get_text(o, "preserve", where, &s->preserve, r) ||
	    get_num(o, "max", UINT32_MAX, where, &max, r) ||
	    !(fds = kt_jr_get(o, "fds", JSON_ARRAY, false, where, r->err, r->errlen)))
		return -EBADMSG;
	s->max = max;
	json_array_foreach(fds, k, item)
	{
		char w[64];

		snprintf(w, sizeof(w), "%s.fds[%zu]", where, k);
		KT_GROW(s->fds, s->cap_fds, s->nr_fds + 1);
		if (read_fd(item, w, &s->fds[s->nr_fds++], r))
			return -EBADMSG;
	}
	return 0;
}

int kt_sd_stores_import(const uint8_t *buf, size_t len, struct kt_sd_stores *st, char *err, size_t errlen)
{
	struct rd r = {err, errlen};
	json_t *root, *v, *item;
	uint64_t n;
	size_t i;
	int ret;

	memset(st, 0, sizeof(*st));
	if (errlen)
		err[0] = 0;
	ret = kt_jr_load(buf, len, 8, &root, err, errlen);
	if (ret)
		return ret;
	v = kt_jr_get(root, "kind", JSON_STRING, false, "stores", err, errlen);
	if (!v || strcmp(json_string_value(v), STORES_KIND) ||
	    get_num(root, "version", 1, "stores", &n, &r) || n != 1 ||
	    get_num(root, "services", UINT64_MAX, "stores", &st->services, &r) ||
	    !(v = json_object_get(root, "kexec_count")) ||
	    (!json_is_null(v) && kt_jr_u64(v, false, "stores.kexec_count", &st->kexec_count, err, errlen))) {
		ret = err[0] ? -EBADMSG
			     : kt_fail(err, errlen, -EBADMSG, "not a saved list of systemd's fd stores");
		goto out;
	}
	st->has_kexec_count = !json_is_null(v);
	v = kt_jr_get(root, "stores", JSON_ARRAY, false, "stores", err, errlen);
	if (!v) {
		ret = -EBADMSG;
		goto out;
	}
	json_array_foreach(v, i, item)
	{
		char w[32];

		snprintf(w, sizeof(w), "stores[%zu]", i);
		KT_GROW(st->v, st->cap, st->n + 1);
		ret = read_store(item, w, &st->v[st->n++], &r);
		if (ret)
			break;
	}
out:
	json_decref(root);
	if (ret)
		kt_sd_stores_free(st);
	return ret;
}
