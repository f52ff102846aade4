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

/*
 * What one process held at the last look: its fd set (count and two sums of the fd
 * numbers) and its session rows. While the fd set stays the same its links are not read
 * again: a thousand session fds would cost a thousand readlink calls per refresh.
 */
struct proc_pid {
	int pid;
	size_t nfds;
	uint64_t sum, sum2;
	size_t first, n; /* rows in lt_proc_cache.rows */
	char comm[KT_COMM_LEN + 1];
};

struct lt_proc_cache {
	struct proc_pid *pids; /* sorted by pid */
	size_t npids, cap;
	struct lt_session *rows;
	size_t nrows, rcap;
	int *fds; /* scratch: the fd numbers of one process */
	size_t fcap;
};

struct lt_proc_cache *lt_proc_cache_new(void)
{
	return calloc(1, sizeof(struct lt_proc_cache));
}

void lt_proc_cache_free(struct lt_proc_cache *c)
{
	if (!c)
		return;
	free(c->pids);
	free(c->rows);
	free(c->fds);
	free(c);
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc_pid *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int push_pid(struct lt_proc_cache *c, const struct proc_pid *p)
{
	if (c->npids == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct proc_pid *v = realloc(c->pids, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->pids = v;
		c->cap = cap;
	}
	c->pids[c->npids++] = *p;
	return 0;
}

static int push_row(struct lt_proc_cache *c, const struct lt_session *r)
{
	if (c->nrows == c->rcap) {
		size_t cap = c->rcap ? c->rcap * 2 : 64;
		struct lt_session *v = realloc(c->rows, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->rows = v;
		c->rcap = cap;
	}
	c->rows[c->nrows++] = *r;
	return 0;
}

/* The fd numbers of one process into c->fds; returns their count or -errno. */
static ssize_t list_fds(DIR *d, struct lt_proc_cache *c)
{
	struct dirent *de;
	size_t n = 0;

	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		if (n == c->fcap) {
			size_t cap = c->fcap ? c->fcap * 2 : 256;
			int *v = realloc(c->fds, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			c->fds = v;
			c->fcap = cap;
		}
		c->fds[n++] = atoi(de->d_name);
	}
	return n;
}

/* The session links among the fds of one process (c->fds), as rows of c. */
static int read_links(const char *procdir, const char *pid, DIR *d, struct proc_pid *p,
		      struct lt_proc_cache *c)
{
	char link[256], name[16];
	size_t i;
	int err = 0;

	for (i = 0; i < p->nfds && !err; i++) {
		struct lt_session r;
		ssize_t n;

		snprintf(name, sizeof(name), "%d", c->fds[i]);
		/* Relative to the open fd directory: one lookup, not a walk from /. */
		n = readlinkat(dirfd(d), name, link, sizeof(link) - 1);
		if (n <= (ssize_t)strlen(SESSION_LINK))
			continue;
		link[n] = 0;
		if (strncmp(link, SESSION_LINK, strlen(SESSION_LINK)))
			continue;
		if (!p->comm[0])
			read_comm(procdir, pid, p->comm, sizeof(p->comm));
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%.63s", link + strlen(SESSION_LINK));
		r.pid = p->pid;
		snprintf(r.comm, sizeof(r.comm), "%s", p->comm);
		r.fd = c->fds[i];
		r.files = r.bytes = -1;
		snprintf(r.state, sizeof(r.state), "open");
		r.src = LT_SRC_PROC;
		err = push_row(c, &r);
	}
	return err;
}

/* One process: its session rows into next (the new cache), from old when its fd set is unchanged. */
static int scan_pid(const char *procdir, const char *pid, const struct lt_proc_cache *old,
		    struct lt_proc_cache *next, bool full)
{
	struct proc_pid p = {.pid = atoi(pid)}, *o = NULL;
	char path[512];
	ssize_t nfds;
	size_t i;
	DIR *d;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s/fd", procdir, pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone, or not ours to read */
	nfds = list_fds(d, next);
	if (nfds < 0) {
		closedir(d);
		return nfds;
	}
	p.nfds = nfds;
	for (i = 0; i < p.nfds; i++) {
		p.sum += next->fds[i];
		p.sum2 += (uint64_t)next->fds[i] * next->fds[i];
	}
	p.first = next->nrows;
	if (old && old->npids)
		o = bsearch(&p, old->pids, old->npids, sizeof(p), cmp_pid);
	if (!full && o && o->nfds == p.nfds && o->sum == p.sum && o->sum2 == p.sum2) {
		memcpy(p.comm, o->comm, sizeof(p.comm));
		for (i = 0; i < o->n && !err; i++)
			err = push_row(next, &old->rows[o->first + i]);
	} else {
		err = read_links(procdir, pid, d, &p, next);
	}
	closedir(d);
	p.n = next->nrows - p.first;
	return err ? err : push_pid(next, &p);
}

int lt_sessions_from_proc(const char *procdir, struct lt_sessions *s, struct lt_proc_cache *c, bool full)
{
	struct lt_proc_cache next = {0};
	struct dirent *de;
	DIR *d = opendir(procdir);
	size_t i;
	int err = 0;

	if (!d)
		return -errno;
	if (c) {
		/* The scratch buffer carries over; the pid and row tables are rebuilt. */
		next.fds = c->fds;
		next.fcap = c->fcap;
		c->fds = NULL;
		c->fcap = 0;
	}
	while (!err && (de = readdir(d)))
		if (all_digits(de->d_name))
			err = scan_pid(procdir, de->d_name, c, &next, full || !c);
	closedir(d);
	for (i = 0; i < next.nrows && !err; i++) {
		struct lt_session *r = lt_sessions_add(s);

		if (!r)
			err = -ENOMEM;
		else
			*r = next.rows[i];
	}
	if (next.npids > 1)
		qsort(next.pids, next.npids, sizeof(*next.pids), cmp_pid);
	if (c && !err) {
		free(c->pids);
		free(c->rows);
		*c = next;
		return 0;
	}
	free(next.pids);
	free(next.rows);
	if (c) {
		c->fds = next.fds;
		c->fcap = next.fcap;
	} else {
		free(next.fds);
	}
	return err;
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
