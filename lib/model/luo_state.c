// SPDX-License-Identifier: GPL-2.0-only
/* The LUO state model: building it, reading totals off it, freeing it. */
#include "model/luo_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct kt_luo_session *kt_luo_add_session(struct kt_luo_state *st, const char *name, enum kt_sess_state state)
{
	struct kt_luo_session *s;

	KT_GROW(st->sessions, st->cap_sessions, st->nr_sessions + 1);
	s = &st->sessions[st->nr_sessions++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->state = state;
	s->pid = s->fd = -1;
	return s;
}

struct kt_luo_file *kt_luo_add_file(struct kt_luo_session *s)
{
	struct kt_luo_file *f;

	KT_GROW(s->files, s->cap_files, s->nr_files + 1);
	f = &s->files[s->nr_files++];
	f->handler = "";
	return f;
}

const char *kt_luo_handler_name(struct kt_luo_state *st, const char *name)
{
	return kt_strset_add(&st->handler_names, name);
}

const char *const kt_flb_state_name[KT_FLB_NR_STATES] = {
    "registered", "preserved", "serialized", "incoming", "retrieved", "failed", "finished", "unclaimed",
};

struct kt_luo_flb *kt_luo_add_flb(struct kt_luo_state *st, const char *name, bool incoming)
{
	struct kt_luo_flb *f;

	KT_GROW(st->flbs, st->cap_flbs, st->nr_flbs + 1);
	f = &st->flbs[st->nr_flbs++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->incoming = incoming;
	return f;
}

const struct kt_luo_flb *kt_luo_find_flb(const struct kt_luo_state *st, const char *name, bool incoming)
{
	size_t i;

	for (i = 0; i < st->nr_flbs; i++)
		if (st->flbs[i].incoming == incoming && !strcmp(st->flbs[i].name, name))
			return &st->flbs[i];
	return NULL;
}

/* Is name one of the NUL-separated strings of list (len bytes without the last NUL)? */
static bool in_list(const char *list, size_t len, const char *name)
{
	size_t i;

	for (i = 0; list && i <= len; i += strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return true;
	return false;
}

size_t kt_luo_handler_flbs(const struct kt_luo_state *st, const char *handler, bool incoming, char *buf,
			   size_t len)
{
	size_t i, used = 0;

	for (i = 0; i < st->nr_flbs; i++) {
		const struct kt_luo_flb *f = &st->flbs[i];
		size_t n = strlen(f->name) + 1;

		if (f->incoming != incoming || !in_list(f->handlers, f->handlers_len, handler) ||
		    used + n > len)
			continue;
		memcpy(buf + used, f->name, n);
		used += n;
	}
	return used ? used - 1 : 0;
}

void kt_luo_note(char **note, char *msg)
{
	free(*note);
	*note = msg;
}

void kt_luo_file_detail(struct kt_physmem *pm, struct kt_luo_file *f)
{
	char err[256];

	/* A retrieve consumes the handler's serialized state: only the live file is left. */
	if (strcmp(f->handler, MEMFD_V2_COMPATIBLE) || !f->data || !pm || f->retrieve_status)
		return;
	if (kt_memfd_read(pm, f->data, &f->memfd, err, sizeof(err))) {
		f->error = kt_strdup(err);
		return;
	}
	f->has_memfd = true;
	f->has_size = true;
	f->size = f->memfd.size;
}

void kt_luo_session_free(struct kt_luo_session *s)
{
	size_t i;

	for (i = 0; i < s->nr_files; i++) {
		free(s->files[i].error);
		free(s->files[i].unit);
		free(s->files[i].fdname);
	}
	free(s->files);
	free(s->error);
	free(s->unit);
	free(s->fdname);
	memset(s, 0, sizeof(*s));
}

void kt_luo_state_free(struct kt_luo_state *st)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		kt_luo_session_free(&st->sessions[i]);
	free(st->sessions);
	for (i = 0; i < st->nr_flbs; i++)
		free(st->flbs[i].handlers);
	free(st->flbs);
	free(st->flb_note);
	free(st->procfs_note);
	free(st->kernel_note);
	free(st->serialized_note);
	free(st->sd.mapping_note);
	free(st->sd.stores_note);
	kt_strset_free(&st->handler_names);
	memset(st, 0, sizeof(*st));
}

uint64_t kt_luo_session_bytes(const struct kt_luo_session *x)
{
	uint64_t b = 0;
	size_t k;

	for (k = 0; k < x->nr_files; k++)
		b += x->files[k].has_size ? x->files[k].size : 0;
	return b;
}

enum kt_dirn kt_luo_session_dir(const struct kt_luo_session *s)
{
	return s->state == KT_SESS_OUTGOING ? KT_OUT : KT_IN;
}

struct kt_luo_handler *kt_luo_handlers(const struct kt_luo_state *st, size_t *n)
{
	struct kt_luo_handler *v = NULL;
	size_t cap = 0, i, k, h = 0;

	*n = 0;
	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];
		enum kt_dirn d = kt_luo_session_dir(x);
		/* Handlers this session was counted under; its files can add at most nr_files more. */
		bool *counted = kt_calloc(*n + x->nr_files, sizeof(*counted));

		for (k = 0; k < x->nr_files; k++) {
			const struct kt_luo_file *f = &x->files[k];

			/* Most files share the handler of the file before. */
			if (h >= *n || strcmp(v[h].name, f->handler))
				for (h = 0; h < *n && strcmp(v[h].name, f->handler); h++)
					;
			if (h == *n) {
				KT_GROW(v, cap, *n + 1);
				v[(*n)++].name = f->handler;
			}
			v[h].files[d]++;
			v[h].bytes[d] += f->has_size ? f->size : 0;
			if (!counted[h]) {
				counted[h] = true;
				v[h].sessions++;
			}
		}
		free(counted);
	}
	/* Handlers with FLBs registered but no file: a row each. */
	for (i = 0; i < st->nr_flbs; i++) {
		const struct kt_luo_flb *f = &st->flbs[i];
		const char *p;

		for (p = f->handlers; p && p <= f->handlers + f->handlers_len; p += strlen(p) + 1) {
			for (h = 0; h < *n && strcmp(v[h].name, p); h++)
				;
			if (h == *n) {
				KT_GROW(v, cap, *n + 1);
				v[(*n)++].name = p;
			}
		}
	}
	return v;
}
