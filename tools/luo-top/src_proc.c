// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sessions from /proc: a LUO session fd is an anon inode whose link reads
 * "anon_inode:[luo_session] NAME" (kernel/liveupdate/luo_session.c, luo_session_getfile).
 * Its holder (pid, comm, fd) is the agent that created or retrieved it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "luo-top.h"

#define SESSION_LINK "anon_inode:[luo_session] "

struct lt_session *lt_sessions_add(struct lt_sessions *s)
{
	struct lt_session *r;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct lt_session *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	r = &s->v[s->n++];
	memset(r, 0, sizeof(*r));
	r->pid = -1;
	r->fd = -1;
	r->files = -1;
	r->bytes = -1;
	snprintf(r->state, sizeof(r->state), "-");
	return r;
}

void lt_sessions_free(struct lt_sessions *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void read_comm(const char *procdir, const char *pid, char *comm, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "%s/%s/comm", procdir, pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
}

static int scan_pid(const char *procdir, const char *pid, struct lt_sessions *s)
{
	char path[512], link[256], comm[KT_COMM_LEN + 1] = "";
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/fd", procdir, pid);
	d = opendir(path);
	if (!d)
		return -errno; /* gone, or not ours to read */
	while ((de = readdir(d))) {
		struct lt_session *r;
		ssize_t n;

		if (!all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd/%s", procdir, pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= (ssize_t)strlen(SESSION_LINK))
			continue;
		link[n] = 0;
		if (strncmp(link, SESSION_LINK, strlen(SESSION_LINK)))
			continue;
		if (!comm[0])
			read_comm(procdir, pid, comm, sizeof(comm));
		r = lt_sessions_add(s);
		if (!r) {
			closedir(d);
			return -ENOMEM;
		}
		snprintf(r->name, sizeof(r->name), "%.63s", link + strlen(SESSION_LINK));
		r->pid = atoi(pid);
		snprintf(r->comm, sizeof(r->comm), "%s", comm);
		r->fd = atoi(de->d_name);
		snprintf(r->state, sizeof(r->state), "open");
		r->src = LT_SRC_PROC;
	}
	closedir(d);
	return 0;
}

int lt_sessions_from_proc(const char *procdir, struct lt_sessions *s)
{
	struct dirent *de;
	DIR *d = opendir(procdir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		if (scan_pid(procdir, de->d_name, s) == -ENOMEM) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct lt_session *)a)->name, ((const struct lt_session *)b)->name);
}

void lt_sessions_merge_bpf(struct lt_sessions *s, const struct kt_trace_session *v, size_t n)
{
	size_t i, nproc = s->n;

	/* Sort the /proc rows by name so each traced session is found in log time. */
	qsort(s->v, nproc, sizeof(*s->v), cmp_name);
	for (i = 0; i < n; i++) {
		const struct kt_session_stat *st = &v[i].st;
		struct lt_session key, *r;
		char name[KT_NAME_LEN];
		uint64_t bytes;

		memcpy(name, v[i].name, sizeof(name));
		name[sizeof(name) - 1] = 0;
		snprintf(key.name, sizeof(key.name), "%s", name);
		r = bsearch(&key, s->v, nproc, sizeof(*s->v), cmp_name);
		if (!r) {
			r = lt_sessions_add(s);
			if (!r)
				return;
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
