// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sessions and handlers rows from lib's LUO state (kt_luo_gather: the kernel's session
 * and FLB lists through BTF + kcore, owners from /proc, or what a saved snapshot
 * carries), merged with the traced per-session and per-handler totals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo-top.h"
#include "base/util.h"

static struct lt_session *sessions_add(struct lt_sessions *s)
{
	struct lt_session *r;

	KT_GROW(s->v, s->cap, s->n + 1);
	r = &s->v[s->n++];
	memset(r, 0, sizeof(*r));
	r->pid = -1;
	r->fd = -1;
	r->files = -1;
	r->bytes = -1;
	strcpy(r->state, "-");
	return r;
}

void lt_sessions_free(struct lt_sessions *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void lt_sessions_from_luo(const struct kt_luo_state *st, struct lt_sessions *s)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];
		struct lt_session *r = sessions_add(s);
		kt_cstr(r->name, sizeof(r->name), x->name, sizeof(x->name)); /* the kernel's names fit 64 */
		r->pid = x->pid;
		r->fd = x->fd;
		kt_cstr(r->comm, sizeof(r->comm), x->comm, sizeof(x->comm));
		if (x->files_known) {
			r->files = x->nr_files;
			r->bytes = kt_luo_session_bytes(x);
		}
		kt_cstr(r->state, sizeof(r->state), kt_sess_state_name[x->state], sizeof(r->state));
		r->unit = x->unit && x->unit[0] ? x->unit : NULL;
		r->fdname = x->fdname && x->fdname[0] ? x->fdname : NULL;
		r->src |= LT_SRC_LUO;
	}
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct lt_session *)a)->name, ((const struct lt_session *)b)->name);
}

void lt_sessions_merge_bpf(struct lt_sessions *s, const struct kt_trace_session *v, size_t n,
			   uint64_t since_ns, uint64_t now_ns)
{
	size_t i, nluo = s->n;

	/* Sort the LUO rows by name so each traced session is found in log time. */
	qsort(s->v, nluo, sizeof(*s->v), cmp_name);
	for (i = 0; i < n; i++) {
		const struct kt_session_stat *st = &v[i].st;
		struct lt_session key, *r;
		char name[KT_NAME_LEN];
		uint64_t bytes;

		memcpy(name, v[i].name, sizeof(name));
		name[sizeof(name) - 1] = 0;
		snprintf(key.name, sizeof(key.name), "%s", name);
		r = bsearch(&key, s->v, nluo, sizeof(*s->v), cmp_name);
		if (!r && st->state != KT_SS_RELEASED && st->last_ns < since_ns)
			continue;
		if (!r && st->state == KT_SS_RELEASED && st->last_ns <= now_ns &&
		    now_ns - st->last_ns > LT_RELEASED_NS)
			continue;
		if (!r) {
			r = sessions_add(s);
			snprintf(r->name, sizeof(r->name), "%s", name);
			r->pid = st->pid;
			memcpy(r->comm, st->comm, KT_COMM_LEN);
			r->comm[KT_COMM_LEN] = 0;
		}
		r->src |= LT_SRC_BPF;
		r->files = st->files;
		/* Preserved here: the files' sizes; after a kexec: the retrieved files' sizes. */
		bytes = st->file_bytes ? st->file_bytes : st->file_bytes_retrieved;
		r->bytes = bytes;
		r->calls = st->calls;
		r->errors = st->errors;
		if (st->state != KT_SS_UNKNOWN && st->state <= KT_SS_RELEASED)
			snprintf(r->state, sizeof(r->state), "%s", kt_sstate_name[st->state]);
	}
}

static struct lt_handler *handlers_add(struct lt_handlers *h, const char *name)
{
	struct lt_handler *r;

	KT_GROW(h->v, h->cap, h->n + 1);
	r = &h->v[h->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->sessions = r->files = r->bytes = -1;
	return r;
}

void lt_handlers_from_luo(const struct kt_luo_state *st, struct lt_handlers *h)
{
	struct kt_luo_handler *v;
	size_t i, n, k;

	v = kt_luo_handlers(st, &n);
	for (i = 0; i < n; i++) {
		struct lt_handler *r = handlers_add(h, v[i].name);

		r->sessions = v[i].sessions;
		r->files = v[i].files[KT_OUT] + v[i].files[KT_IN];
		r->bytes = v[i].bytes[KT_OUT] + v[i].bytes[KT_IN];
	}
	free(v);
	for (k = 0; k < h->n; k++) {
		char *list = h->v[k].flbs;
		size_t len = kt_luo_handler_flbs(st, h->v[k].name, false, list, sizeof(h->v[k].flbs)), j;

		for (j = 0; j < len; j++)
			list[j] = list[j] ? list[j] : ',';
		list[len] = 0;
	}
}

void lt_handlers_merge_bpf(struct lt_handlers *h, const struct kt_trace_handler *v, size_t n)
{
	size_t i, k, nluo = h->n;

	for (i = 0; i < n; i++) {
		char name[KT_COMPAT_LEN + 1];

		kt_cstr(name, sizeof(name), v[i].compat, KT_COMPAT_LEN);
		for (k = 0; k < nluo && strcmp(h->v[k].name, name); k++)
			;
		(k < nluo ? &h->v[k] : handlers_add(h, name))->traced = &v[i].st;
	}
}

void lt_handlers_free(struct lt_handlers *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}
