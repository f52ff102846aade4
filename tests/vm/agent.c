// SPDX-License-Identifier: GPL-2.0-only
/*
 * kho-agent: the LUO agent of the test VM.
 *
 * /dev/liveupdate admits one open at a time, so this one process creates (or
 * retrieves) every session of a scenario and holds all their fds.
 *
 *   kho-agent create   --sessions N --files M --size BYTES [layout] [--ready F] [--wait F]
 *                      [--kexec KERNEL INITRD CMDLINE]
 *   kho-agent retrieve --sessions N --files M --size BYTES [layout] [--ready F] [--wait F]
 *                      [--no-finish] [--skip-token T]
 *   kho-agent load     KERNEL INITRD CMDLINE
 *
 * load only loads the next kernel (kexec_file_load) and exits, so that checks made
 * before the reboot (kho-inspect preflight) see an image loaded; create --kexec
 * loads it again just before its reboot.
 *
 * Layout (both modes must be given the same one):
 *   session s is named PREFIX-s; the last --empty K sessions hold no memfd;
 *   session 0 holds --wide W memfds instead of M; its first memfd is --big BYTES long.
 *   File f of session s has token s * 100000 + f + 1 (unique across the whole VM,
 *   so a file handed to the wrong session is caught too).
 *
 * Contents: the 8-byte word at byte offset o (o a multiple of 8) of a memfd is the
 * native-endian u64 seed + o, seed = mix64(token); a trailing partial word holds
 * the first bytes of its word. Every page of every file is therefore distinct, and
 * a page moved within a file, between files, or zeroed is reported. The file
 * position is set to size / 2 before PRESERVE_FD and checked after RETRIEVE_FD.
 *
 * Output: one record per line on stdout, "KEYWORD key=value ...":
 *   create:   SESSION, FILE, READY, KEXEC
 *   retrieve: SESSION, OK | MISMATCH | MISSING | SKIP (per file), READY, FINISH, SUMMARY
 * --ready F is written (atomically, holding our pid) once every session is set up;
 * --wait F then blocks until F exists or SIGUSR1 arrives. create without --kexec
 * always waits (holding the sessions is its point) and exits afterwards, which
 * drops the sessions.
 *
 * Churn (create, while it waits): --churn N --churn-while F keeps, while F exists, N
 * more sessions churn-K (K counting up, one preserved 4 KiB memfd each) and replaces
 * the oldest about 200 times a second: closes it (LUO drops it and unpreserves its
 * memfd), then creates the next. Records "CHURN open name=..." and "CHURN close
 * name=...", so readers' listings can be checked against names that existed; at most
 * N exist at once. Once F is gone, or at the trigger, every churn session is closed
 * ("CHURN stopped opened=..."). /dev/liveupdate admits one open: the churn is ours.
 *
 * Exit status: 0 ok, 1 a kernel operation or a check failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/abi.h"

#define PROG	     "kho-agent"
#define TOKEN_STRIDE 100000u
#define FILL_CHUNK   (4UL << 20)
#define EXIT_CHECK   1
#define EXIT_USAGE   2

struct layout {
	const char *prefix;
	unsigned int sessions;
	unsigned int files;
	unsigned int empty;
	unsigned int wide;
	uint64_t size;
	uint64_t big;
};

struct opts {
	struct layout l;
	const char *ready;
	const char *wait;
	const char *kernel, *initrd, *cmdline;
	bool no_finish;
	bool have_skip;
	uint64_t skip_token;
	unsigned int churn;
	const char *churn_while;
};

static volatile sig_atomic_t triggered;

static void on_usr1(int sig)
{
	(void)sig;
	triggered = 1;
}

static unsigned int files_in(const struct layout *l, unsigned int s)
{
	if (s >= l->sessions - l->empty)
		return 0;
	if (s == 0 && l->wide)
		return l->wide;
	return l->files;
}

static uint64_t file_size(const struct layout *l, unsigned int s, unsigned int f)
{
	if (s == 0 && f == 0 && l->big)
		return l->big;
	return l->size;
}

static uint64_t token_of(unsigned int s, unsigned int f)
{
	return (uint64_t)s * TOKEN_STRIDE + f + 1;
}

static void session_name(const struct layout *l, unsigned int s, char name[LUO_SESSION_NAME_LEN])
{
	snprintf(name, LUO_SESSION_NAME_LEN, "%s-%u", l->prefix, s);
}

/* splitmix64's finalizer: neighbouring tokens get unrelated seeds. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Fill buf with the pattern of bytes [off, off + len) of a file; off is 8-aligned. */
static void pattern_fill(unsigned char *buf, uint64_t seed, uint64_t off, size_t len)
{
	size_t i;
	uint64_t w;

	for (i = 0; i + 8 <= len; i += 8) {
		w = seed + off + i;
		memcpy(buf + i, &w, 8);
	}
	if (i < len) {
		w = seed + off + i;
		memcpy(buf + i, &w, len - i);
	}
}

/* Compare one page (or the file's last part of one) with the pattern. */
static bool pattern_page_ok(const unsigned char *p, uint64_t seed, uint64_t off, size_t len,
			    uint64_t *bad_off, uint64_t *want, uint64_t *got)
{
	size_t i;
	uint64_t w, e;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		e = seed + off + i;
		if (w != e)
			goto bad;
	}
	if (i == len)
		return true;
	e = seed + off + i;
	w = 0;
	memcpy(&w, p + i, len - i);
	if (!memcmp(&w, &e, len - i))
		return true;
bad:
	*bad_off = off + i;
	*want = e;
	*got = w;
	return false;
}

static int raise_nofile(uint64_t need)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return -errno;
	if (r.rlim_cur >= need)
		return 0;
	r.rlim_cur = need;
	if (r.rlim_max < need)
		r.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &r))
		return -errno;
	return 0;
}

static int write_ready(const char *path)
{
	char tmp[PATH_MAX], buf[32];
	int fd, n, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	return err;
}

static int luo_session_ioctl(int luo, unsigned long cmd, const char *name)
{
	struct liveupdate_ioctl_session arg = {.size = sizeof(arg)};

	snprintf((char *)arg.name, sizeof(arg.name), "%s", name);
	if (ioctl(luo, cmd, &arg))
		return -errno;
	return arg.fd;
}

static int session_fd_ioctl(int sfd, unsigned long cmd, int fd, uint64_t token)
{
	struct liveupdate_session_fd_arg arg = {.size = sizeof(arg), .fd = fd, .token = token};

	if (ioctl(sfd, cmd, &arg))
		return -errno;
	return cmd == LIVEUPDATE_SESSION_RETRIEVE_FD ? arg.fd : 0;
}

static int session_finish(int sfd)
{
	struct liveupdate_session_finish arg = {.size = sizeof(arg)};

	if (ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &arg))
		return -errno;
	return 0;
}

static int pwrite_all(int fd, const unsigned char *buf, size_t len, uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

/* A memfd of size bytes holding the pattern of token, its position at size / 2. */
static int make_memfd(uint64_t token, uint64_t size, unsigned char *buf)
{
	char name[48];
	uint64_t seed = mix64(token), off;
	size_t n;
	int fd, err;

	snprintf(name, sizeof(name), "kt-%" PRIu64, token);
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		err = -errno;
		goto fail;
	}
	for (off = 0; off < size; off += n) {
		n = size - off < FILL_CHUNK ? size - off : FILL_CHUNK;
		pattern_fill(buf, seed, off, n);
		err = pwrite_all(fd, buf, n, off);
		if (err)
			goto fail;
	}
	if (lseek(fd, size / 2, SEEK_SET) < 0) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

/* The churn sessions (see the header): a ring of n slots, the oldest at next % n. */
struct churner {
	int luo;
	unsigned int n, next, stops;
	int *sfd;	    /* -1: empty */
	unsigned int *name; /* K of churn-K */
};

static void churn_close(struct churner *c, unsigned int slot)
{
	if (c->sfd[slot] < 0)
		return;
	close(c->sfd[slot]);
	c->sfd[slot] = -1;
	printf("CHURN close name=churn-%u\n", c->name[slot]);
}

/* Replace the oldest churn session by a new one; 0 or -errno. */
static int churn_step(struct churner *c)
{
	unsigned int slot = c->next % c->n;
	unsigned char page[4096];
	char name[LUO_SESSION_NAME_LEN];
	int sfd, mfd, err;

	churn_close(c, slot);
	snprintf(name, sizeof(name), "churn-%u", c->next);
	sfd = luo_session_ioctl(c->luo, LIVEUPDATE_IOCTL_CREATE_SESSION, name);
	if (sfd < 0)
		return sfd;
	mfd = make_memfd(c->next, sizeof(page), page);
	err = mfd < 0 ? mfd : session_fd_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, mfd, 1);
	/* The preserved file is LUO's now: our fd of it is not needed. */
	if (mfd >= 0)
		close(mfd);
	if (err) {
		close(sfd);
		return err;
	}
	c->sfd[slot] = sfd;
	c->name[slot] = c->next++;
	printf("CHURN open name=%s\n", name);
	return 0;
}

static void churn_stop(struct churner *c)
{
	unsigned int i, live = 0;

	for (i = 0; i < c->n; i++)
		live += c->sfd[i] >= 0;
	if (!live && c->stops)
		return;
	for (i = 0; i < c->n; i++)
		churn_close(c, i);
	if (c->next)
		printf("CHURN stopped opened=%u\n", c->next);
	c->stops += c->next > 0;
}

/*
 * Block until the file at path exists (if path) or SIGUSR1 arrived; with a churner,
 * churn while its file exists. 0, or -errno when a churn step failed.
 */
static int wait_trigger(const char *path, struct churner *c, const char *churn_while)
{
	const struct timespec tick = {0, 20 * 1000 * 1000}, churn_tick = {0, 5 * 1000 * 1000};
	int err = 0;

	printf("WAITING pid=%d file=%s\n", (int)getpid(), path ? path : "-");
	fflush(stdout);
	while (!err && !triggered && !(path && access(path, F_OK) == 0)) {
		if (c && access(churn_while, F_OK) == 0) {
			err = churn_step(c);
			nanosleep(&churn_tick, NULL);
			continue;
		}
		if (c)
			churn_stop(c);
		nanosleep(&tick, NULL);
	}
	if (err)
		fprintf(stderr, PROG ": churn-%u: %s\n", c->next, strerror(-err));
	if (c)
		churn_stop(c);
	return err;
}

static int pause_point(const struct opts *o, bool always, struct churner *c)
{
	int err;

	if (o->ready) {
		err = write_ready(o->ready);
		if (err) {
			fprintf(stderr, PROG ": %s: %s\n", o->ready, strerror(-err));
			return err;
		}
	}
	if (o->wait || always)
		return wait_trigger(o->wait, c, o->churn_while);
	return 0;
}

static long sys_kexec_file_load(int kfd, int ifd, const char *cmdline)
{
	return syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, 0UL);
}

/* Load the next kernel (kexec_file_load, as KHO needs); 0 or a negative errno after saying why. */
static int load_kernel(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd, ifd, err = 0;

	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		err = -errno;
		fprintf(stderr, PROG ": %s: %s\n", kernel, strerror(-err));
		return err;
	}
	ifd = open(initrd, O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		err = -errno;
		fprintf(stderr, PROG ": %s: %s\n", initrd, strerror(-err));
		close(kfd);
		return err;
	}
	if (sys_kexec_file_load(kfd, ifd, cmdline)) {
		err = -errno;
		fprintf(stderr, PROG ": kexec_file_load %s %s: %s\n", kernel, initrd, strerror(-err));
	}
	close(ifd);
	close(kfd);
	return err;
}

/* Load the next kernel and reboot into it; returns only on failure. */
static int do_kexec(const struct opts *o)
{
	int err = load_kernel(o->kernel, o->initrd, o->cmdline);

	if (err)
		return err;

	printf("KEXEC kernel=%s initrd=%s cmdline=\"%s\"\n", o->kernel, o->initrd, o->cmdline);
	fflush(stdout);
	fflush(stderr);
	sync();
	/* Every session fd is still open here: LUO serializes them in this call. */
	reboot(RB_KEXEC);
	err = -errno;
	fprintf(stderr, PROG ": reboot(LINUX_REBOOT_CMD_KEXEC): %s\n", strerror(-err));
	return err;
}

static uint64_t total_files(const struct layout *l)
{
	uint64_t n = 0;

	for (unsigned int s = 0; s < l->sessions; s++)
		n += files_in(l, s);
	return n;
}

/*
 * Room for every session and memfd fd at once, then the device. Returns its fd, or a
 * negative errno after saying what failed.
 */
static int open_luo(const struct layout *l)
{
	uint64_t need = 64 + l->sessions + total_files(l);
	int fd, err;

	err = raise_nofile(need);
	if (err) {
		fprintf(stderr, PROG ": RLIMIT_NOFILE %" PRIu64 ": %s\n", need, strerror(-err));
		return err;
	}
	fd = open(LIVEUPDATE_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, PROG ": " LIVEUPDATE_DEV ": %s\n", strerror(-err));
	}
	return fd < 0 ? err : fd;
}

static int cmd_create(const struct opts *o)
{
	const struct layout *l = &o->l;
	char name[LUO_SESSION_NAME_LEN];
	uint64_t nfiles = total_files(l), bytes = 0, token, size;
	unsigned char *buf;
	int luo, sfd, mfd, err;
	struct churner churn = {.n = o->churn};

	luo = open_luo(l);
	if (luo < 0)
		return EXIT_CHECK;
	churn.luo = luo;
	buf = malloc(FILL_CHUNK);
	if (!buf) {
		fprintf(stderr, PROG ": %s\n", strerror(ENOMEM));
		return EXIT_CHECK;
	}

	/* Nothing is closed on the way: the fds must be open at reboot. */
	for (unsigned int s = 0; s < l->sessions; s++) {
		session_name(l, s, name);
		sfd = luo_session_ioctl(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, name);
		if (sfd < 0) {
			fprintf(stderr, PROG ": CREATE_SESSION %s: %s\n", name, strerror(-sfd));
			goto fail;
		}
		printf("SESSION name=%s index=%u fd=%d files=%u\n", name, s, sfd, files_in(l, s));
		for (unsigned int f = 0; f < files_in(l, s); f++) {
			token = token_of(s, f);
			size = file_size(l, s, f);
			mfd = make_memfd(token, size, buf);
			if (mfd < 0) {
				fprintf(stderr, PROG ": memfd %s token %" PRIu64 " (%" PRIu64 " bytes): %s\n",
					name, token, size, strerror(-mfd));
				goto fail;
			}
			err = session_fd_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, mfd, token);
			if (err) {
				fprintf(stderr, PROG ": PRESERVE_FD %s token %" PRIu64 ": %s\n", name, token,
					strerror(-err));
				goto fail;
			}
			bytes += size;
			printf("FILE session=%s token=%" PRIu64 " size=%" PRIu64 " fd=%d pos=%" PRIu64 "\n",
			       name, token, size, mfd, size / 2);
		}
	}
	free(buf);
	printf("READY sessions=%u files=%" PRIu64 " bytes=%" PRIu64 " pid=%d\n", l->sessions, nfiles, bytes,
	       (int)getpid());
	fflush(stdout);

	if (o->churn) {
		churn.sfd = calloc(o->churn, sizeof(*churn.sfd));
		churn.name = calloc(o->churn, sizeof(*churn.name));
		if (!churn.sfd || !churn.name)
			return EXIT_CHECK;
		memset(churn.sfd, -1, o->churn * sizeof(*churn.sfd));
	}
	err = pause_point(o, !o->kernel, o->churn ? &churn : NULL);
	free(churn.sfd);
	free(churn.name);
	if (err)
		return EXIT_CHECK;
	if (!o->kernel)
		return 0;
	do_kexec(o);
	return EXIT_CHECK;
fail:
	free(buf);
	return EXIT_CHECK;
}

struct tally {
	uint64_t ok, mismatch, missing, skipped, bytes;
	unsigned int sessions_missing, finished, finish_failed;
};

/* Retrieve one file by token and compare it with its pattern; updates t. */
static int verify_file(int sfd, const char *name, uint64_t token, uint64_t size, struct tally *t)
{
	uint64_t seed = mix64(token), bad_pages = 0, first = 0, want = 0, got = 0;
	uint64_t b = 0, e = 0, w = 0, off;
	unsigned char *map = NULL;
	struct stat st;
	off_t pos;
	int fd;

	fd = session_fd_ioctl(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, -1, token);
	if (fd < 0) {
		printf("MISSING session=%s token=%" PRIu64 " error=\"%s\"\n", name, token, strerror(-fd));
		t->missing++;
		return fd;
	}
	if (fstat(fd, &st)) {
		printf("MISMATCH session=%s token=%" PRIu64 " what=fstat error=\"%s\"\n", name, token,
		       strerror(errno));
		goto bad;
	}
	if ((uint64_t)st.st_size != size) {
		printf("MISMATCH session=%s token=%" PRIu64 " what=size expected=%" PRIu64 " got=%" PRIu64
		       "\n",
		       name, token, size, (uint64_t)st.st_size);
		goto bad;
	}
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0 || (uint64_t)pos != size / 2) {
		printf("MISMATCH session=%s token=%" PRIu64 " what=pos expected=%" PRIu64 " got=%lld\n", name,
		       token, size / 2, (long long)pos);
		goto bad;
	}
	if (size) {
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			printf("MISMATCH session=%s token=%" PRIu64 " what=mmap error=\"%s\"\n", name, token,
			       strerror(errno));
			goto bad;
		}
	}
	for (off = 0; off < size; off += KT_PAGE_SIZE) {
		size_t n = size - off < KT_PAGE_SIZE ? size - off : KT_PAGE_SIZE;

		if (pattern_page_ok(map + off, seed, off, n, &b, &e, &w))
			continue;
		if (!bad_pages++) {
			first = b;
			want = e;
			got = w;
		}
	}
	if (map)
		munmap(map, size);
	if (bad_pages) {
		printf("MISMATCH session=%s token=%" PRIu64 " what=data size=%" PRIu64 " offset=0x%" PRIx64
		       " expected=0x%016" PRIx64 " got=0x%016" PRIx64 " bad_pages=%" PRIu64 "\n",
		       name, token, size, first, want, got, bad_pages);
		goto bad;
	}
	printf("OK session=%s token=%" PRIu64 " size=%" PRIu64 "\n", name, token, size);
	t->ok++;
	t->bytes += size;
	/* Kept open until after FINISH, so a capture in the pause sees it. */
	return fd;
bad:
	t->mismatch++;
	close(fd);
	return -EIO;
}

static int cmd_retrieve(const struct opts *o)
{
	const struct layout *l = &o->l;
	char name[LUO_SESSION_NAME_LEN];
	struct tally t = {0};
	uint64_t nfiles = total_files(l), token;
	int luo, err, *sfds;
	bool pass;

	luo = open_luo(l);
	if (luo < 0)
		return EXIT_CHECK;
	sfds = calloc(l->sessions, sizeof(*sfds));
	if (!sfds) {
		fprintf(stderr, PROG ": %s\n", strerror(ENOMEM));
		return EXIT_CHECK;
	}

	for (unsigned int s = 0; s < l->sessions; s++) {
		session_name(l, s, name);
		sfds[s] = luo_session_ioctl(luo, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, name);
		if (sfds[s] < 0) {
			printf("MISSING session=%s error=\"%s\"\n", name, strerror(-sfds[s]));
			t.sessions_missing++;
			t.missing += files_in(l, s);
			continue;
		}
		printf("SESSION name=%s index=%u fd=%d files=%u\n", name, s, sfds[s], files_in(l, s));
		for (unsigned int f = 0; f < files_in(l, s); f++) {
			token = token_of(s, f);
			if (o->have_skip && token == o->skip_token) {
				printf("SKIP session=%s token=%" PRIu64 "\n", name, token);
				t.skipped++;
				continue;
			}
			verify_file(sfds[s], name, token, file_size(l, s, f), &t);
		}
	}
	printf("READY sessions=%u retrieved=%u pid=%d\n", l->sessions, l->sessions - t.sessions_missing,
	       (int)getpid());
	fflush(stdout);
	if (pause_point(o, false, NULL)) {
		free(sfds);
		return EXIT_CHECK;
	}

	for (unsigned int s = 0; s < l->sessions && !o->no_finish; s++) {
		if (sfds[s] < 0)
			continue;
		session_name(l, s, name);
		err = session_finish(sfds[s]);
		if (err) {
			printf("FINISH session=%s result=FAIL error=\"%s\"\n", name, strerror(-err));
			t.finish_failed++;
		} else {
			printf("FINISH session=%s result=OK\n", name);
			t.finished++;
		}
	}
	free(sfds);

	pass = !t.mismatch && !t.missing && !t.sessions_missing && !t.finish_failed;
	printf("SUMMARY sessions=%u files=%" PRIu64 " ok=%" PRIu64 " mismatch=%" PRIu64 " missing=%" PRIu64
	       " skipped=%" PRIu64 " sessions_missing=%u finished=%u"
	       " finish_failed=%u bytes=%" PRIu64 " result=%s\n",
	       l->sessions, nfiles, t.ok, t.mismatch, t.missing, t.skipped, t.sessions_missing, t.finished,
	       t.finish_failed, t.bytes, pass ? "PASS" : "FAIL");
	fflush(stdout);
	return pass ? 0 : EXIT_CHECK;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " create   --sessions N --files M --size BYTES [LAYOUT] [--ready FILE]\n"
		"                         [--wait FILE] [--churn N --churn-while FILE]\n"
		"                         [--kexec KERNEL INITRD CMDLINE]\n"
		"       " PROG " retrieve --sessions N --files M --size BYTES [LAYOUT] [--ready FILE]\n"
		"                         [--wait FILE] [--no-finish] [--skip-token T]\n"
		"       " PROG " load     KERNEL INITRD CMDLINE\n"
		"LAYOUT: [--prefix NAME] [--empty K] [--wide W] [--big BYTES]\n"
		"  session s is NAME-s (default vm-s); the last K sessions hold no memfd;\n"
		"  session 0 holds W memfds; its first memfd is BYTES long.\n"
		"  token of file f in session s = s * %u + f + 1.\n"
		"BYTES accept a K, M or G suffix (powers of 1024).\n"
		"--wait FILE: after --ready, block until FILE exists or SIGUSR1 arrives.\n"
		"--churn N --churn-while FILE: while waiting, as long as FILE exists, replace the\n"
		"  oldest of N sessions churn-K (one memfd each), about 200 times a second.\n"
		"Exit status: 0 ok, 1 a kernel operation or check failed, 2 usage error.\n",
		TOKEN_STRIDE);
}

static int parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;
	int shift = 0;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	switch (*end) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (*end || (shift && x > (UINT64_MAX >> shift)))
		return -EINVAL;
	*v = (uint64_t)x << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned int *v)
{
	uint64_t x;

	if (parse_u64(s, &x) || x > UINT_MAX)
		return -EINVAL;
	*v = x;
	return 0;
}

enum {
	OPT_SESSIONS = 256,
	OPT_FILES,
	OPT_SIZE,
	OPT_PREFIX,
	OPT_EMPTY,
	OPT_WIDE,
	OPT_BIG,
	OPT_READY,
	OPT_WAIT,
	OPT_KEXEC,
	OPT_NO_FINISH,
	OPT_SKIP,
	OPT_CHURN,
	OPT_CHURN_WHILE
};

static const struct option long_opts[] = {
    {"sessions", required_argument, NULL, OPT_SESSIONS},
    {"files", required_argument, NULL, OPT_FILES},
    {"size", required_argument, NULL, OPT_SIZE},
    {"prefix", required_argument, NULL, OPT_PREFIX},
    {"empty", required_argument, NULL, OPT_EMPTY},
    {"wide", required_argument, NULL, OPT_WIDE},
    {"big", required_argument, NULL, OPT_BIG},
    {"ready", required_argument, NULL, OPT_READY},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"kexec", required_argument, NULL, OPT_KEXEC},
    {"no-finish", no_argument, NULL, OPT_NO_FINISH},
    {"skip-token", required_argument, NULL, OPT_SKIP},
    {"churn", required_argument, NULL, OPT_CHURN},
    {"churn-while", required_argument, NULL, OPT_CHURN_WHILE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Returns 0, or -EINVAL after printing what is wrong. */
static int parse_opts(int argc, char **argv, bool create, struct opts *o)
{
	struct layout *l = &o->l;
	bool have_sessions = false, have_files = false, have_size = false;
	char probe[LUO_SESSION_NAME_LEN + 1];
	int c, bad = 0;

	l->prefix = "vm";
	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SESSIONS:
			bad |= parse_uint(optarg, &l->sessions);
			have_sessions = true;
			break;
		case OPT_FILES:
			bad |= parse_uint(optarg, &l->files);
			have_files = true;
			break;
		case OPT_SIZE:
			bad |= parse_u64(optarg, &l->size);
			have_size = true;
			break;
		case OPT_PREFIX:
			l->prefix = optarg;
			break;
		case OPT_EMPTY:
			bad |= parse_uint(optarg, &l->empty);
			break;
		case OPT_WIDE:
			bad |= parse_uint(optarg, &l->wide);
			break;
		case OPT_BIG:
			bad |= parse_u64(optarg, &l->big);
			break;
		case OPT_READY:
			o->ready = optarg;
			break;
		case OPT_WAIT:
			o->wait = optarg;
			break;
		case OPT_NO_FINISH:
			o->no_finish = true;
			break;
		case OPT_SKIP:
			bad |= parse_u64(optarg, &o->skip_token);
			o->have_skip = true;
			break;
		case OPT_CHURN:
			bad |= parse_uint(optarg, &o->churn);
			break;
		case OPT_CHURN_WHILE:
			o->churn_while = optarg;
			break;
		case OPT_KEXEC:
			/* Three operands: the kernel (optarg), then the initrd and the command line. */
			if (optind + 1 >= argc) {
				fprintf(stderr, PROG ": --kexec needs KERNEL INITRD CMDLINE\n");
				return -EINVAL;
			}
			o->kernel = optarg;
			o->initrd = argv[optind++];
			o->cmdline = argv[optind++];
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
		if (bad) {
			fprintf(stderr, PROG ": invalid value: %s\n", optarg);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument: %s\n", argv[optind]);
		return -EINVAL;
	}
	if (!have_sessions || !have_files || !have_size) {
		fprintf(stderr, PROG ": --sessions, --files and --size are required\n");
		return -EINVAL;
	}
	if (l->files >= TOKEN_STRIDE - 1 || l->wide >= TOKEN_STRIDE - 1) {
		fprintf(stderr, PROG ": at most %u files per session\n", TOKEN_STRIDE - 2);
		return -EINVAL;
	}
	if (l->empty > l->sessions) {
		fprintf(stderr, PROG ": --empty %u exceeds --sessions %u\n", l->empty, l->sessions);
		return -EINVAL;
	}
	if (snprintf(probe, sizeof(probe), "%s-%u", l->prefix, l->sessions) >= LUO_SESSION_NAME_LEN) {
		fprintf(stderr, PROG ": --prefix too long for a %d-byte session name\n",
			LUO_SESSION_NAME_LEN);
		return -EINVAL;
	}
	if (!create && o->kernel) {
		fprintf(stderr, PROG ": --kexec is for create\n");
		return -EINVAL;
	}
	if (!o->churn != !o->churn_while || (!create && o->churn)) {
		fprintf(stderr, PROG ": --churn N and --churn-while FILE go together, with create\n");
		return -EINVAL;
	}
	if (create && (o->no_finish || o->have_skip)) {
		fprintf(stderr, PROG ": --no-finish and --skip-token are for retrieve\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	struct opts o = {0};
	bool create;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "load")) {
		if (argc != 5) {
			usage(stderr);
			return EXIT_USAGE;
		}
		return load_kernel(argv[2], argv[3], argv[4]) ? EXIT_CHECK : 0;
	}
	if (!strcmp(argv[1], "create"))
		create = true;
	else if (!strcmp(argv[1], "retrieve"))
		create = false;
	else {
		fprintf(stderr, PROG ": unknown mode: %s\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (parse_opts(argc - 1, argv + 1, create, &o))
		return EXIT_USAGE;

	/* Records go to a log file on the 9p share: flush each, a kexec may come next. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	return create ? cmd_create(&o) : cmd_retrieve(&o);
}
