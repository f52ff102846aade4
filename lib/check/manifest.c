// SPDX-License-Identifier: GPL-2.0-only
#include "check/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/json_read.h"
#include "base/json_write.h"
#include "base/util.h"
#include "decode/memblock.h"
#include "model/facts.h"

#define MAX_DEPTH 16
/*
 * A name of n bytes reads back as at most 2n: each byte that is not UTF-8 is written as
 * \u00XX, which reads back as a two-byte character (kt_json_text).
 */
#define READ_BACK(n) (2 * (n))

/* ---- building and writing ------------------------------------------------------------ */

static void add_region(void *ctx, const char *name, uint64_t start, uint64_t size)
{
	struct kt_manifest *m = ctx;

	KT_GROW(m->regions, m->cap_regions, m->nr_regions + 1);
	m->regions[m->nr_regions++] = (struct kt_mf_region){kt_strdup(name), start, size};
}

/*
 * What systemd will carry: the fds LUO can keep in the stores of FileDescriptorStorePreserve=yes
 * services. No systemd (or none saved in an offline snapshot): nothing to list.
 */
static int add_units(struct kt_state *st, struct kt_manifest *m, char *err, size_t errlen)
{
	const char *why;
	const struct kt_sd_stores *sd = kt_state_sd_stores(st, &why);
	size_t i, k;

	if (!sd)
		return st->sd_stores_ret == -ENOENT
			   ? 0
			   : kt_fail(err, errlen, -ENODATA, "cannot list systemd's fd stores: %s", why);
	for (i = 0; i < sd->n; i++) {
		const struct kt_sd_store *s = &sd->v[i];
		struct kt_mf_unit *u;

		if (!kt_sd_store_preserved(s))
			continue;
		KT_GROW(m->units, m->cap_units, m->nr_units + 1);
		u = &m->units[m->nr_units++];
		u->unit = kt_strdup(s->unit);
		for (k = 0; k < s->nr_fds; k++) {
			enum kt_sd_fate fate = kt_sd_fate(&s->fds[k]);

			if (fate == KT_SD_LOST)
				continue;
			KT_GROW(u->fds, u->cap_fds, u->nr_fds + 1);
			u->fds[u->nr_fds++] =
			    (struct kt_mf_sd_fd){kt_strdup(s->fds[k].name), kt_strdup(kt_sd_fate_name[fate])};
		}
	}
	return 0;
}

int kt_manifest_build(struct kt_state *st, struct kt_manifest *m, char *err, size_t errlen)
{
	const struct kt_snapshot *s = st->snap;
	const struct kt_kho_dir *out = &s->dir[KT_OUT];
	const struct kt_blob *mb = kt_snapshot_sub(s, KT_OUT, MEMBLOCK_SUBTREE_NAME);
	const struct kt_luo_state *luo = NULL;
	char why[512], now[32];
	time_t t = time(NULL);
	size_t i, k;

	memset(m, 0, sizeof(*m));
	if (!out->present)
		return kt_fail(err, errlen, -ENODATA, "%s: no out/ direction: nothing will be handed over",
			       s->origin);
	if (kt_fact_luo_present(st)) {
		luo = kt_fact_luo(st, why, sizeof(why));
		if (!luo)
			return kt_fail(err, errlen, -ENODATA, "cannot list the LUO sessions to preserve: %s",
				       why);
	}
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	m->release = s->release ? kt_strdup(s->release) : NULL;
	m->taken = kt_strdup(s->kind == KT_SRC_LIVE || !s->taken ? now : s->taken);
	for (i = 0; luo && i < luo->nr_sessions; i++) {
		const struct kt_luo_session *x = &luo->sessions[i];
		struct kt_mf_session *ms;

		if (x->state != KT_SESS_OUTGOING)
			continue;
		if (!x->files_known) {
			kt_manifest_free(m);
			return kt_fail(err, errlen, -ENODATA,
				       "session %s: its files are unknown (only procfs saw it)", x->name);
		}
		KT_GROW(m->sessions, m->cap_sessions, m->nr_sessions + 1);
		ms = &m->sessions[m->nr_sessions++];
		ms->name = kt_strdup(x->name);
		ms->files = kt_calloc(x->nr_files, sizeof(*ms->files));
		for (k = 0; k < x->nr_files; k++)
			ms->files[k] = (struct kt_mf_file){x->files[k].token, kt_strdup(x->files[k].handler),
							   x->files[k].has_size, x->files[k].size};
		ms->nr_files = x->nr_files;
		/* Held in a unit's fd store (not merely by a process of the unit). */
		if (x->unit && x->fdname) {
			ms->unit = kt_strdup(x->unit);
			ms->fdname = kt_strdup(x->fdname);
		}
	}
	if (add_units(st, m, err, errlen)) {
		kt_manifest_free(m);
		return -ENODATA;
	}
	for (i = 0; luo && i < luo->nr_flbs; i++) {
		const struct kt_luo_flb *f = &luo->flbs[i];

		/* What the kexec reboot will serialize: the FLBs files depend on. */
		if (f->incoming || !f->count)
			continue;
		KT_GROW(m->flbs, m->cap_flbs, m->nr_flbs + 1);
		m->flbs[m->nr_flbs++] = (struct kt_mf_flb){kt_strdup(f->name), f->count, f->data};
	}
	if (mb && kt_memblock_regions(mb, add_region, m)) {
		kt_manifest_free(m);
		return kt_fail(err, errlen, -EBADMSG, "%s: not a %s FDT", mb->path, MEMBLOCK_COMPATIBLE);
	}
	m->blobs = kt_calloc(out->nr_subs, sizeof(*m->blobs));
	for (i = 0; i < out->nr_subs; i++) {
		struct kt_mf_blob *b = &m->blobs[m->nr_blobs++];

		b->name = kt_strdup(out->subs[i].name);
		b->size = out->subs[i].len;
		kt_sha256_hex(out->subs[i].data, out->subs[i].len, b->sha256);
		/* LUO writes its header's session and FLB addresses at the reboot. */
		b->content = strcmp(b->name, LUO_SUBTREE_NAME);
	}
	return 0;
}

void kt_manifest_write(const struct kt_manifest *m, FILE *f)
{
	struct kt_json j;
	size_t i, k;

	kt_json_init(&j, f, true);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_str(&j, "kind", KT_MANIFEST_KIND);
	kt_json_str(&j, "kernel_release", m->release);
	kt_json_str(&j, "taken", m->taken);
	kt_json_arr_begin(&j, "sessions");
	for (i = 0; i < m->nr_sessions; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->sessions[i].name);
		kt_json_arr_begin(&j, "files");
		for (k = 0; k < m->sessions[i].nr_files; k++) {
			const struct kt_mf_file *x = &m->sessions[i].files[k];

			kt_json_obj_begin(&j, NULL);
			kt_json_u64_exact(&j, "token", x->token);
			kt_json_str(&j, "handler", x->handler);
			if (x->has_size)
				kt_json_u64(&j, "size", x->size);
			else
				kt_json_null(&j, "size");
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		if (m->sessions[i].unit) {
			kt_json_str(&j, "unit", m->sessions[i].unit);
			kt_json_str(&j, "fdname", m->sessions[i].fdname);
		}
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "systemd");
	for (i = 0; i < m->nr_units; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "unit", m->units[i].unit);
		kt_json_arr_begin(&j, "fds");
		for (k = 0; k < m->units[i].nr_fds; k++) {
			kt_json_obj_begin(&j, NULL);
			kt_json_str(&j, "name", m->units[i].fds[k].name);
			kt_json_str(&j, "kind", m->units[i].fds[k].kind);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "flbs");
	for (i = 0; i < m->nr_flbs; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->flbs[i].name);
		kt_json_u64(&j, "files", m->flbs[i].files);
		kt_json_addr(&j, "data", m->flbs[i].data);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "reserve_mem");
	for (i = 0; i < m->nr_regions; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->regions[i].name);
		kt_json_addr(&j, "start", m->regions[i].start);
		kt_json_u64(&j, "size", m->regions[i].size);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "subtrees");
	for (i = 0; i < m->nr_blobs; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->blobs[i].name);
		kt_json_u64(&j, "size", m->blobs[i].size);
		kt_json_str(&j, "sha256", m->blobs[i].sha256);
		kt_json_bool(&j, "content", m->blobs[i].content);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

int kt_manifest_save(const struct kt_manifest *m, const char *path, char *err, size_t errlen)
{
	char *tmp = kt_asprintf("%s.tmp.%d", path, (int)getpid());
	struct stat st;
	FILE *f;
	int ret = 0;

	if (!lstat(path, &st)) {
		free(tmp);
		return kt_fail(err, errlen, -EEXIST, "%s: exists; not overwritten", path);
	}
	f = fopen(tmp, "wx");
	if (!f) {
		ret = kt_fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return ret;
	}
	kt_manifest_write(m, f);
	if (fflush(f) || fsync(fileno(f)))
		ret = kt_fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (fclose(f) && !ret)
		ret = kt_fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path))
		ret = kt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

void kt_manifest_free(struct kt_manifest *m)
{
	size_t i, k;

	for (i = 0; i < m->nr_sessions; i++) {
		for (k = 0; k < m->sessions[i].nr_files; k++)
			free(m->sessions[i].files[k].handler);
		free(m->sessions[i].files);
		free(m->sessions[i].name);
		free(m->sessions[i].unit);
		free(m->sessions[i].fdname);
	}
	for (i = 0; i < m->nr_units; i++) {
		for (k = 0; k < m->units[i].nr_fds; k++) {
			free(m->units[i].fds[k].name);
			free(m->units[i].fds[k].kind);
		}
		free(m->units[i].fds);
		free(m->units[i].unit);
	}
	free(m->units);
	for (i = 0; i < m->nr_flbs; i++)
		free(m->flbs[i].name);
	for (i = 0; i < m->nr_regions; i++)
		free(m->regions[i].name);
	for (i = 0; i < m->nr_blobs; i++)
		free(m->blobs[i].name);
	free(m->sessions);
	free(m->flbs);
	free(m->regions);
	free(m->blobs);
	free(m->release);
	free(m->taken);
	memset(m, 0, sizeof(*m));
}

/* ---- reading --------------------------------------------------------------------------- */

static int want_object(const json_t *v, const char *where, char *err, size_t errlen)
{
	return json_is_object(v) ? 0 : kt_fail(err, errlen, -EBADMSG, "%s: expected an object", where);
}

/* Optional "unit" and "fdname", both or neither. */
static int read_unit_of(json_t *v, const char *where, char **unit, char **fdname, char *err, size_t errlen)
{
	const char *u, *f;

	if (!json_object_get(v, "unit") && !json_object_get(v, "fdname"))
		return 0;
	u = kt_jr_name(v, "unit", KT_SD_UNIT_MAX, where, err, errlen);
	f = u ? kt_jr_name(v, "fdname", KT_SD_NAME_MAX, where, err, errlen) : NULL;
	if (!f)
		return -EBADMSG;
	*unit = kt_strdup(u);
	*fdname = kt_strdup(f);
	return 0;
}

static int read_unit(json_t *v, const char *where, struct kt_mf_unit *u, char *err, size_t errlen)
{
	const char *name;
	json_t *fds, *item;
	char w[96];
	size_t i, k;

	if (want_object(v, where, err, errlen))
		return -EBADMSG;
	name = kt_jr_name(v, "unit", KT_SD_UNIT_MAX, where, err, errlen);
	fds = name ? kt_jr_get(v, "fds", JSON_ARRAY, false, where, err, errlen) : NULL;
	if (!fds)
		return -EBADMSG;
	u->unit = kt_strdup(name);
	json_array_foreach(fds, i, item)
	{
		const char *n, *kind;

		snprintf(w, sizeof(w), "%s.fds[%zu]", where, i);
		if (want_object(item, w, err, errlen))
			return -EBADMSG;
		n = kt_jr_name(item, "name", KT_SD_NAME_MAX, w, err, errlen);
		kind = n ? kt_jr_name(item, "kind", 32, w, err, errlen) : NULL;
		if (!kind)
			return -EBADMSG;
		if (strcmp(kind, kt_sd_fate_name[KT_SD_KEPT_MEMFD]) &&
		    strcmp(kind, kt_sd_fate_name[KT_SD_KEPT_SESSION]))
			return kt_fail(err, errlen, -EBADMSG,
				       "%s.kind: \"%s\" is neither memfd nor luo_session", w, kind);
		for (k = 0; k < u->nr_fds; k++)
			if (!strcmp(u->fds[k].name, n))
				return kt_fail(err, errlen, -EBADMSG, "%s.name: \"%s\" listed twice", w, n);
		KT_GROW(u->fds, u->cap_fds, u->nr_fds + 1);
		u->fds[u->nr_fds++] = (struct kt_mf_sd_fd){kt_strdup(n), kt_strdup(kind)};
	}
	return 0;
}

static int read_session(json_t *v, const char *where, struct kt_mf_session *ms, char *err, size_t errlen)
{
	const char *name;
	json_t *files, *f;
	char w[128], wt[160];
	size_t k, i;

	if (want_object(v, where, err, errlen))
		return -EBADMSG;
	name = kt_jr_name(v, "name", READ_BACK(LUO_SESSION_NAME_LEN - 1), where, err, errlen);
	files = name ? kt_jr_get(v, "files", JSON_ARRAY, false, where, err, errlen) : NULL;
	if (!files)
		return -EBADMSG;
	if (read_unit_of(v, where, &ms->unit, &ms->fdname, err, errlen))
		return -EBADMSG;
	ms->name = kt_strdup(name);
	ms->files = kt_calloc(json_array_size(files), sizeof(*ms->files));
	json_array_foreach(files, k, f)
	{
		struct kt_mf_file *mf;
		json_t *tok, *size;
		const char *h;
		uint64_t token;

		snprintf(w, sizeof(w), "%s.files[%zu]", where, k);
		snprintf(wt, sizeof(wt), "%s.token", w);
		if (want_object(f, w, err, errlen))
			return -EBADMSG;
		tok = json_object_get(f, "token");
		if (!tok)
			return kt_fail(err, errlen, -EBADMSG, "%s: no \"token\"", w);
		if (kt_jr_u64(tok, true, wt, &token, err, errlen))
			return -EBADMSG;
		h = kt_jr_name(f, "handler", READ_BACK(LUO_HANDLER_COMPAT_LEN - 1), w, err, errlen);
		if (!h)
			return -EBADMSG;
		for (i = 0; i < ms->nr_files; i++)
			if (ms->files[i].token == token)
				return kt_fail(err, errlen, -EBADMSG, "%s: %" PRIu64 " listed twice", wt,
					       token);
		size = json_object_get(f, "size");
		if (size && !json_is_null(size) && !json_is_number(size))
			return kt_fail(err, errlen, -EBADMSG, "%s.size: expected a number or null", w);
		mf = &ms->files[ms->nr_files++];
		*mf = (struct kt_mf_file){token, kt_strdup(h), size && !json_is_null(size), 0};
		snprintf(wt, sizeof(wt), "%s.size", w);
		if (mf->has_size && kt_jr_u64(size, false, wt, &mf->size, err, errlen))
			return -EBADMSG;
	}
	return 0;
}

static int parse_addr(const char *s, uint64_t *v)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return -EINVAL;
	*v = 0;
	for (i = 2; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		*v = *v << 4 |
		     (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0'
							     : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return 0;
}

static int read_region(json_t *v, const char *where, struct kt_mf_region *r, char *err, size_t errlen)
{
	json_t *start, *size;
	const char *name;
	char w[96];

	if (want_object(v, where, err, errlen))
		return -EBADMSG;
	name = kt_jr_name(v, "name", 255, where, err, errlen);
	start = name ? kt_jr_get(v, "start", JSON_STRING, false, where, err, errlen) : NULL;
	size = start ? kt_jr_get(v, "size", JSON_INTEGER, false, where, err, errlen) : NULL;
	snprintf(w, sizeof(w), "%s.size", where);
	if (!size || kt_jr_u64(size, false, w, &r->size, err, errlen))
		return -EBADMSG;
	if (parse_addr(json_string_value(start), &r->start))
		return kt_fail(err, errlen, -EBADMSG, "%s.start: expected \"0x...\", found \"%s\"", where,
			       json_string_value(start));
	r->name = kt_strdup(name);
	return 0;
}

static int read_flb(json_t *v, const char *where, struct kt_mf_flb *f, char *err, size_t errlen)
{
	json_t *files, *data;
	const char *name;
	char w[96];

	if (want_object(v, where, err, errlen))
		return -EBADMSG;
	name = kt_jr_name(v, "name", READ_BACK(LUO_FLB_COMPAT_LEN - 1), where, err, errlen);
	files = name ? kt_jr_get(v, "files", JSON_INTEGER, false, where, err, errlen) : NULL;
	data = files ? kt_jr_get(v, "data", JSON_STRING, false, where, err, errlen) : NULL;
	snprintf(w, sizeof(w), "%s.files", where);
	if (!data || kt_jr_u64(files, false, w, &f->files, err, errlen))
		return -EBADMSG;
	if (parse_addr(json_string_value(data), &f->data))
		return kt_fail(err, errlen, -EBADMSG, "%s.data: expected \"0x...\", found \"%s\"", where,
			       json_string_value(data));
	f->name = kt_strdup(name);
	return 0;
}

static int read_blob(json_t *v, const char *where, struct kt_mf_blob *b, char *err, size_t errlen)
{
	json_t *size, *sha, *content;
	const char *name, *hex;
	char w[96];
	size_t i;

	if (want_object(v, where, err, errlen))
		return -EBADMSG;
	name = kt_jr_name(v, "name", 255, where, err, errlen);
	size = name ? kt_jr_get(v, "size", JSON_INTEGER, false, where, err, errlen) : NULL;
	sha = size ? kt_jr_get(v, "sha256", JSON_STRING, false, where, err, errlen) : NULL;
	content = sha ? kt_jr_get(v, "content", JSON_TRUE, false, where, err, errlen) : NULL;
	snprintf(w, sizeof(w), "%s.size", where);
	if (!content || kt_jr_u64(size, false, w, &b->size, err, errlen))
		return -EBADMSG;
	if (strchr(name, '/'))
		return kt_fail(err, errlen, -EBADMSG, "%s.name: \"%s\" holds a '/'", where, name);
	hex = json_string_value(sha);
	for (i = 0; hex[i] && (isdigit((unsigned char)hex[i]) || (hex[i] >= 'a' && hex[i] <= 'f')); i++)
		;
	if (i != 64 || hex[i])
		return kt_fail(err, errlen, -EBADMSG, "%s.sha256: expected 64 lowercase hex digits", where);
	b->name = kt_strdup(name);
	memcpy(b->sha256, hex, KT_SHA256_HEX);
	b->content = json_is_true(content);
	return 0;
}

static int read_manifest(json_t *root, struct kt_manifest *m, char *err, size_t errlen)
{
	json_t *ver, *kind, *rel, *taken, *sessions, *regions, *blobs, *flbs, *units, *item;
	char where[64];
	uint64_t version;
	size_t i, k;

	ver = kt_jr_get(root, "schema_version", JSON_INTEGER, false, "manifest", err, errlen);
	if (!ver || kt_jr_u64(ver, false, "manifest.schema_version", &version, err, errlen))
		return -EBADMSG;
	if (version != KT_JSON_SCHEMA_VERSION)
		return kt_fail(err, errlen, -EBADMSG, "schema_version %" PRIu64 " (this tool reads %d)",
			       version, KT_JSON_SCHEMA_VERSION);
	kind = kt_jr_get(root, "kind", JSON_STRING, false, "manifest", err, errlen);
	if (!kind)
		return -EBADMSG;
	if (strcmp(json_string_value(kind), KT_MANIFEST_KIND))
		return kt_fail(err, errlen, -EBADMSG, "kind \"%s\": not a %s", json_string_value(kind),
			       KT_MANIFEST_KIND);
	rel = kt_jr_get(root, "kernel_release", JSON_STRING, true, "manifest", err, errlen);
	taken = rel ? kt_jr_get(root, "taken", JSON_STRING, true, "manifest", err, errlen) : NULL;
	sessions = taken ? kt_jr_get(root, "sessions", JSON_ARRAY, false, "manifest", err, errlen) : NULL;
	regions =
	    sessions ? kt_jr_get(root, "reserve_mem", JSON_ARRAY, false, "manifest", err, errlen) : NULL;
	blobs = regions ? kt_jr_get(root, "subtrees", JSON_ARRAY, false, "manifest", err, errlen) : NULL;
	if (!blobs)
		return -EBADMSG;
	m->release = json_is_string(rel) ? kt_strdup(json_string_value(rel)) : NULL;
	m->taken = json_is_string(taken) ? kt_strdup(json_string_value(taken)) : NULL;
	m->sessions = kt_calloc(json_array_size(sessions), sizeof(*m->sessions));
	m->cap_sessions = json_array_size(sessions);
	json_array_foreach(sessions, i, item)
	{
		snprintf(where, sizeof(where), "sessions[%zu]", i);
		if (read_session(item, where, &m->sessions[m->nr_sessions++], err, errlen))
			return -EBADMSG;
		for (k = 0; k < i; k++)
			if (!strcmp(m->sessions[k].name, m->sessions[i].name))
				return kt_fail(err, errlen, -EBADMSG, "%s.name: \"%s\" listed twice", where,
					       m->sessions[i].name);
	}
	json_array_foreach(regions, i, item)
	{
		snprintf(where, sizeof(where), "reserve_mem[%zu]", i);
		KT_GROW(m->regions, m->cap_regions, m->nr_regions + 1);
		if (read_region(item, where, &m->regions[m->nr_regions], err, errlen))
			return -EBADMSG;
		m->nr_regions++;
	}
	/* Optional: manifests written before FLBs were recorded have none. */
	flbs = json_object_get(root, "flbs");
	if (flbs && !json_is_array(flbs))
		return kt_fail(err, errlen, -EBADMSG, "manifest.flbs: expected an array, found %s",
			       kt_jr_type_name(flbs));
	json_array_foreach(flbs, i, item)
	{
		snprintf(where, sizeof(where), "flbs[%zu]", i);
		KT_GROW(m->flbs, m->cap_flbs, m->nr_flbs + 1);
		if (read_flb(item, where, &m->flbs[m->nr_flbs], err, errlen))
			return -EBADMSG;
		m->nr_flbs++;
		for (k = 0; k < i; k++)
			if (!strcmp(m->flbs[k].name, m->flbs[i].name))
				return kt_fail(err, errlen, -EBADMSG, "%s.name: \"%s\" listed twice", where,
					       m->flbs[i].name);
	}
	/* Optional: manifests written before systemd's stores were recorded have none. */
	units = json_object_get(root, "systemd");
	if (units && !json_is_array(units))
		return kt_fail(err, errlen, -EBADMSG, "manifest.systemd: expected an array, found %s",
			       kt_jr_type_name(units));
	json_array_foreach(units, i, item)
	{
		snprintf(where, sizeof(where), "systemd[%zu]", i);
		KT_GROW(m->units, m->cap_units, m->nr_units + 1);
		if (read_unit(item, where, &m->units[m->nr_units++], err, errlen))
			return -EBADMSG;
		for (k = 0; k < i; k++)
			if (!strcmp(m->units[k].unit, m->units[i].unit))
				return kt_fail(err, errlen, -EBADMSG, "%s.unit: \"%s\" listed twice", where,
					       m->units[i].unit);
	}
	m->blobs = kt_calloc(json_array_size(blobs), sizeof(*m->blobs));
	json_array_foreach(blobs, i, item)
	{
		snprintf(where, sizeof(where), "subtrees[%zu]", i);
		if (read_blob(item, where, &m->blobs[m->nr_blobs], err, errlen))
			return -EBADMSG;
		m->nr_blobs++;
	}
	return 0;
}

int kt_manifest_parse(const uint8_t *buf, size_t len, struct kt_manifest *m, char *err, size_t errlen)
{
	json_t *root;
	int ret;

	memset(m, 0, sizeof(*m));
	if (len > KT_MANIFEST_MAX)
		return kt_fail(err, errlen, -EFBIG, "larger than %lu MiB", KT_MANIFEST_MAX >> 20);
	ret = kt_jr_load(buf, len, MAX_DEPTH, &root, err, errlen);
	if (ret)
		return ret;
	ret = read_manifest(root, m, err, errlen);
	json_decref(root);
	if (ret)
		kt_manifest_free(m);
	return ret;
}
