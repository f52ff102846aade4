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
	KT_GROW(s->files, s->cap_files, s->nr_files + 1);
	return &s->files[s->nr_files++];
}

struct kt_luo_flb *kt_luo_add_flb(struct kt_luo_state *st, const char *name)
{
	struct kt_luo_flb *f;

	KT_GROW(st->flbs, st->cap_flbs, st->nr_flbs + 1);
	f = &st->flbs[st->nr_flbs++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
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

	for (i = 0; i < s->nr_files; i++)
		free(s->files[i].error);
	free(s->files);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

void kt_luo_state_free(struct kt_luo_state *st)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		kt_luo_session_free(&st->sessions[i]);
	free(st->sessions);
	free(st->flbs);
	free(st->procfs_note);
	free(st->kernel_note);
	free(st->serialized_note);
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
	size_t cap = 0, i, k, h;

	*n = 0;
	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];
		enum kt_dirn d = kt_luo_session_dir(x);
		/* Handlers this session was counted under; its files can add at most nr_files more. */
		bool *counted = kt_calloc(*n + x->nr_files, sizeof(*counted));

		for (k = 0; k < x->nr_files; k++) {
			const struct kt_luo_file *f = &x->files[k];

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
	return v;
}
