// SPDX-License-Identifier: GPL-2.0-only
/* The LUO state as a snapshot carries it (KT_LUO_STATE_FILE): "kind key=value ..." lines. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/luo_state.h"

#define STATE_MAGIC "kt-luo-state 1"
#define MAX_KEYS    64 /* keys on one record line; records have under 20 */

/* ---- saved form: "kind key=value ..." lines, values %-encoded ---------------- */

static void put(FILE *f, const char *key, const char *v)
{
	fprintf(f, " %s=", key);
	for (; *v; v++)
		isalnum((unsigned char)*v) || strchr("._-:/", *v) ? fputc(*v, f)
								  : fprintf(f, "%%%02x", (unsigned char)*v);
}

static void putu(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, " %s=%" PRIu64, key, v);
}

void kt_luo_state_export(const struct kt_luo_state *st, uint8_t **buf, size_t *len)
{
	char *b = NULL;
	size_t i, k;
	FILE *f = open_memstream(&b, len);

	if (!f)
		kt_oom();
	fprintf(f, "%s\n", STATE_MAGIC);
	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *s = &st->sessions[i];

		fprintf(f, "session");
		put(f, "name", s->name);
		put(f, "state", kt_sess_state_name[s->state]);
		fprintf(f, " pid=%d fd=%d fds=%u", s->pid, s->fd, s->fds);
		put(f, "comm", s->comm);
		putu(f, "known", s->files_known);
		putu(f, "claimed", s->files_claimed);
		if (s->error)
			put(f, "error", s->error);
		fputc('\n', f);
		for (k = 0; k < s->nr_files; k++) {
			const struct kt_luo_file *x = &s->files[k];

			fprintf(f, "file");
			put(f, "handler", x->handler);
			putu(f, "token", x->token);
			putu(f, "data", x->data);
			fprintf(f, " rstatus=%d", x->retrieve_status);
			if (x->has_size)
				putu(f, "size", x->size);
			if (x->has_memfd)
				fprintf(f,
					" pos=%" PRIu64 " msize=%" PRIu64 " seals=%u flags=%u folios=%" PRIu64
					" first=%" PRIu64 " apages=%u order=%u",
					x->memfd.pos, x->memfd.size, x->memfd.seals, x->memfd.flags,
					x->memfd.nr_folios, x->memfd.folios_first,
					x->memfd.folios_total_pages, x->memfd.folios_order);
			if (x->error)
				put(f, "error", x->error);
			fputc('\n', f);
		}
	}
	for (i = 0; i < st->nr_flbs; i++) {
		fprintf(f, "flb");
		put(f, "name", st->flbs[i].name);
		putu(f, "data", st->flbs[i].data);
		putu(f, "count", st->flbs[i].count);
		putu(f, "incoming", st->flbs[i].incoming);
		fputc('\n', f);
	}
	if (st->incoming_settled)
		fprintf(f, "settled\n");
	if (st->kernel_note || st->procfs_note || st->serialized_note) {
		fprintf(f, "note");
		if (st->kernel_note)
			put(f, "kernel", st->kernel_note);
		if (st->procfs_note)
			put(f, "procfs", st->procfs_note);
		if (st->serialized_note)
			put(f, "serialized", st->serialized_note);
		fputc('\n', f);
	}
	if (fclose(f))
		kt_oom();
	*buf = (uint8_t *)b;
}

/* Decode %XX in place. */
static char *unescape(char *v)
{
	char *o = v, *r = v;

	for (; *r; r++) {
		if (*r == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
			char hex[3] = {r[1], r[2], 0};

			*o++ = (char)strtoul(hex, NULL, 16);
			r += 2;
		} else {
			*o++ = *r;
		}
	}
	*o = '\0';
	return v;
}

static const char *val(char **keys, char **vals, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return vals[i];
	return NULL;
}

static uint64_t num(char **k, char **v, int n, const char *key)
{
	const char *s = val(k, v, n, key);

	return s ? strtoull(s, NULL, 10) : 0;
}

int kt_luo_state_import(const uint8_t *buf, size_t len, struct kt_luo_state *st, char *err, size_t errlen)
{
	char *text = kt_calloc(1, len + 1), *line, *rest;
	struct kt_luo_session *cur = NULL;
	int lineno = 0, ret = 0;

	memcpy(text, buf, len);
	/* strsep, not strtok: blank lines count, so messages name the right line. */
	for (rest = text; (line = strsep(&rest, "\n")) && !ret;) {
		char *keys[MAX_KEYS], *vals[MAX_KEYS], *tok, *tsave = NULL, *kind;
		const char *v;
		int n = 0, st_i;

		if (!rest && !*line)
			break; /* the final newline */
		if (++lineno == 1) {
			if (strcmp(line, STATE_MAGIC)) {
				snprintf(err, errlen, "not a LUO state file");
				ret = -EBADMSG;
			}
			continue;
		}
		kind = strtok_r(line, " ", &tsave);
		while ((tok = strtok_r(NULL, " ", &tsave)) && n < MAX_KEYS) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			keys[n] = tok;
			vals[n++] = unescape(eq + 1);
		}
		if (!kind)
			continue;
		if (!strcmp(kind, "session")) {
			v = val(keys, vals, n, "state");
			for (st_i = 0; v && st_i < KT_SESS_NR_STATES; st_i++)
				if (!strcmp(v, kt_sess_state_name[st_i]))
					break;
			if (!v || st_i == KT_SESS_NR_STATES || !val(keys, vals, n, "name")) {
				snprintf(err, errlen, "line %d: bad session record", lineno);
				ret = -EBADMSG;
				break;
			}
			cur = kt_luo_add_session(st, val(keys, vals, n, "name"), st_i);
			cur->pid = (int)strtol(val(keys, vals, n, "pid") ?: "-1", NULL, 10);
			cur->fd = (int)strtol(val(keys, vals, n, "fd") ?: "-1", NULL, 10);
			cur->fds = num(keys, vals, n, "fds");
			snprintf(cur->comm, sizeof(cur->comm), "%s", val(keys, vals, n, "comm") ?: "");
			cur->files_known = num(keys, vals, n, "known");
			cur->files_claimed = num(keys, vals, n, "claimed");
			if ((v = val(keys, vals, n, "error")))
				cur->error = kt_strdup(v);
		} else if (!strcmp(kind, "file") && cur) {
			struct kt_luo_file *f = kt_luo_add_file(cur);

			snprintf(f->handler, sizeof(f->handler), "%s", val(keys, vals, n, "handler") ?: "");
			f->token = num(keys, vals, n, "token");
			f->data = num(keys, vals, n, "data");
			f->retrieve_status = (int)strtol(val(keys, vals, n, "rstatus") ?: "0", NULL, 10);
			f->has_size = val(keys, vals, n, "size");
			f->size = num(keys, vals, n, "size");
			f->has_memfd = val(keys, vals, n, "msize");
			f->memfd = (struct kt_memfd){
			    .pos = num(keys, vals, n, "pos"),
			    .size = num(keys, vals, n, "msize"),
			    .seals = num(keys, vals, n, "seals"),
			    .flags = num(keys, vals, n, "flags"),
			    .nr_folios = num(keys, vals, n, "folios"),
			    .folios_first = num(keys, vals, n, "first"),
			    .folios_total_pages = num(keys, vals, n, "apages"),
			    .folios_order = num(keys, vals, n, "order"),
			};
			if ((v = val(keys, vals, n, "error")))
				f->error = kt_strdup(v);
		} else if (!strcmp(kind, "flb")) {
			struct kt_luo_flb *b = kt_luo_add_flb(st, val(keys, vals, n, "name") ?: "");

			b->data = num(keys, vals, n, "data");
			b->count = num(keys, vals, n, "count");
			b->incoming = num(keys, vals, n, "incoming");
		} else if (!strcmp(kind, "settled")) {
			st->incoming_settled = true;
		} else if (!strcmp(kind, "note")) {
			if ((v = val(keys, vals, n, "kernel")))
				kt_luo_note(&st->kernel_note, kt_strdup(v));
			if ((v = val(keys, vals, n, "procfs")))
				kt_luo_note(&st->procfs_note, kt_strdup(v));
			if ((v = val(keys, vals, n, "serialized")))
				kt_luo_note(&st->serialized_note, kt_strdup(v));
		}
	}
	if (!ret && lineno == 0) {
		snprintf(err, errlen, "empty, not a LUO state file");
		ret = -EBADMSG;
	}
	free(text);
	return ret;
}
