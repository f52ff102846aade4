/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two test services of the systemd scenario share: the sd_notify datagram
 * protocol (written here, no libsystemd: the helpers are static and tiny), the
 * LISTEN_FDS/LISTEN_FDNAMES hand-over, a position-dependent fill pattern and the
 * result file. Everything is static inline: each service is one translation unit, linked
 * with lib/base's util.c and alloc.c for the messages and file writes every tool uses.
 */
#ifndef KT_SDTEST_H
#define KT_SDTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/util.h"

#define SD_LISTEN_FDS_START 3
#define SDT_MAX_FDS	    64
#define SDT_RUN_DIR	    "/run/kt"
/* The 9p share of the test VM; run-systemd.sh marks its output directory with this file. */
#define SDT_SHARE      "/mnt"
#define SDT_SHARE_MARK SDT_SHARE "/.kt-vm-out"

/*
 * sd_notify: one datagram to $NOTIFY_SOCKET (a path, or an abstract name when it starts
 * with '@'), the fds riding along as SCM_RIGHTS. PID 1 learns the sender from the
 * socket's credentials, which the kernel attaches because its socket has SO_PASSCRED.
 */
static inline int sdt_notify_fds(const char *msg, const int *fds, size_t nfds)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t plen;
	socklen_t salen;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SDT_MAX_FDS)];
	} c;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = strlen(msg)};
	struct msghdr mh = {.msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1};
	int s, err = 0;

	if (!path || !*path)
		return -ENOENT;
	plen = strlen(path);
	if (plen >= sizeof(sa.sun_path) || nfds > SDT_MAX_FDS)
		return -EINVAL;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	/* An abstract name has no terminating NUL: the length is the name's. */
	salen = offsetof(struct sockaddr_un, sun_path) + plen + (path[0] == '@' ? 0 : 1);
	mh.msg_namelen = salen;
	if (nfds) {
		struct cmsghdr *ch;

		memset(&c, 0, sizeof(c));
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		ch = CMSG_FIRSTHDR(&mh);
		ch->cmsg_level = SOL_SOCKET;
		ch->cmsg_type = SCM_RIGHTS;
		ch->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(ch), fds, sizeof(int) * nfds);
	}
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
		err = -errno;
	close(s);
	return err;
}

static inline int sdt_notify(const char *msg)
{
	return sdt_notify_fds(msg, NULL, 0);
}

/* The fds PID 1 passed: LISTEN_FDS of them from fd 3, named by LISTEN_FDNAMES (':'). */
struct sdt_listen {
	int n;
	int fd[SDT_MAX_FDS];
	char *name[SDT_MAX_FDS];
};

static inline int sdt_listen_fds(struct sdt_listen *l)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	char *copy = NULL, *save = NULL, *tok;
	int i;

	memset(l, 0, sizeof(*l));
	if (!pid || !n || strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	l->n = (int)strtol(n, NULL, 10);
	if (l->n < 0 || l->n > SDT_MAX_FDS)
		return -E2BIG;
	if (names)
		copy = strdup(names);
	tok = copy ? strtok_r(copy, ":", &save) : NULL;
	for (i = 0; i < l->n; i++) {
		l->fd[i] = SD_LISTEN_FDS_START + i;
		l->name[i] = strdup(tok ? tok : "unknown");
		tok = tok ? strtok_r(NULL, ":", &save) : NULL;
		/* Ours now: keep them out of anything we might exec. */
		fcntl(l->fd[i], F_SETFD, FD_CLOEXEC);
	}
	free(copy);
	return l->n;
}

/* /proc/self/fd/N's link: "/memfd:mem1 (deleted)", "anon_inode:[eventfd]", ... */
static inline void sdt_fd_link(int fd, char *buf, size_t len)
{
	char p[64];
	ssize_t r;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	r = readlink(p, buf, len - 1);
	buf[r < 0 ? 0 : r] = '\0';
}

/*
 * Fill pattern: byte o of a file = byte (o % 8) of mix64(seed + o / 8), seed from the
 * file's name. Position-dependent, so a page moved, dropped or zeroed is caught.
 */
static inline uint64_t sdt_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t sdt_seed(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return h;
}

static inline void sdt_pattern(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++, off++)
		buf[i] = (unsigned char)(sdt_mix64(seed + off / 8) >> (8 * (off % 8)));
}

#define SDT_CHUNK 65536

/* A memfd of SIZE bytes holding NAME's pattern, sealable so its seals can be looked at. */
static inline int sdt_make_memfd(const char *name, uint64_t size)
{
	static unsigned char buf[SDT_CHUNK];
	uint64_t off;
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	for (off = 0; off < size; off += SDT_CHUNK) {
		size_t n = size - off < SDT_CHUNK ? size - off : SDT_CHUNK;

		sdt_pattern(sdt_seed(name), off, buf, n);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			goto fail;
	}
	return fd;
fail : {
	int err = errno ? -errno : -EIO;

	close(fd);
	return err;
}
}

/*
 * Check every byte of FD against NAME's pattern for EXPECT bytes. Returns 0 when it all
 * matches; otherwise writes what is wrong into WHY.
 */
static inline int sdt_check_memfd(int fd, const char *name, uint64_t expect, uint64_t *size, char *why,
				  size_t whylen)
{
	static unsigned char got[SDT_CHUNK], want[SDT_CHUNK];
	struct stat st;
	uint64_t off;

	why[0] = '\0';
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "fstat: %s", strerror(errno));
		return -1;
	}
	*size = (uint64_t)st.st_size;
	if (*size != expect) {
		snprintf(why, whylen, "size %llu, expected %llu", (unsigned long long)*size,
			 (unsigned long long)expect);
		return -1;
	}
	for (off = 0; off < expect; off += SDT_CHUNK) {
		size_t n = expect - off < SDT_CHUNK ? expect - off : SDT_CHUNK, i;
		ssize_t r = pread(fd, got, n, (off_t)off);

		if (r != (ssize_t)n) {
			snprintf(why, whylen, "read at %llu: %s", (unsigned long long)off,
				 r < 0 ? strerror(errno) : "short");
			return -1;
		}
		sdt_pattern(sdt_seed(name), off, want, n);
		if (memcmp(got, want, n) == 0)
			continue;
		for (i = 0; i < n && got[i] == want[i]; i++)
			;
		snprintf(why, whylen, "byte %llu is 0x%02x, expected 0x%02x", (unsigned long long)(off + i),
			 got[i], want[i]);
		return -1;
	}
	return 0;
}

/* path gets text; a failure is said on stderr. Returns 0 or -errno. */
static inline int sdt_write(const char *path, const char *text)
{
	int err = kt_write_file(path, text, strlen(text));

	if (err)
		kt_errmsg("%s: %s", path, strerror(-err));
	return err;
}

/*
 * The result file: /run/kt/PROG.result, and a copy on the 9p share as
 * /mnt/services/PROG.PHASE.result when the share is there. Returns 0 or -errno.
 */
static inline int sdt_write_result(const char *phase, const char *text)
{
	char path[256];
	int err, e;

	mkdir(SDT_RUN_DIR, 0755);
	snprintf(path, sizeof(path), SDT_RUN_DIR "/%s.result", program_invocation_short_name);
	err = sdt_write(path, text);
	if (access(SDT_SHARE_MARK, F_OK) == 0) {
		mkdir(SDT_SHARE "/services", 0755);
		snprintf(path, sizeof(path), SDT_SHARE "/services/%s.%s.result",
			 program_invocation_short_name, phase);
		e = sdt_write(path, text);
		if (e)
			err = e;
	}
	return err;
}

/* A growing text buffer for the result. */
struct sdt_buf {
	char s[16384];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static inline void sdt_add(struct sdt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < sizeof(b->s) - b->len ? (size_t)n : sizeof(b->s) - 1 - b->len;
}

/* A service's job is done: tell PID 1, then hold our state until we are stopped. */
static inline void sdt_ready_and_wait(const char *status)
{
	char msg[512];
	int err;

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	err = sdt_notify(msg);
	if (err)
		kt_errmsg("READY=1: %s", strerror(-err));
	for (;;)
		pause();
}

#endif
