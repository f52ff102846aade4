// SPDX-License-Identifier: GPL-2.0-only
/*
 * fdstore-test: the service whose fd store systemd carries across a kexec through LUO
 * (FileDescriptorStoreMax= + FileDescriptorStorePreserve=yes).
 *
 *   fdstore-test [NAME:SIZE]...
 * The fds it stores: a memfd of SIZE bytes for each NAME, an eventfd when SIZE is 0;
 * without arguments mem1 (64 KiB), mem2 (1 MiB) and the eventfd evt. The same program
 * serves units of other FileDescriptorStorePreserve= settings under another name (a
 * link): its results are named after argv[0].
 *
 * First start (no LISTEN_FDS): creates every fd (memfds filled with their pattern) and
 * pushes each into the fd store ("FDSTORE=1\nFDNAME=NAME" with the fd as SCM_RIGHTS),
 * writes "store" results. On SIGUSR1 it removes them all from the store again
 * (FDSTOREREMOVE=1) and adds a line "NAME - REMOVED" for each to those results.
 * Later start (LISTEN_FDS set, e.g. after the kexec, or none set but its "store" results
 * already on the 9p share: a second boot that got nothing back): checks every fd it got
 * back and writes "check" results, one line per name:
 *   NAME SIZE OK|BAD|MISSING|EXTRA link=... seals=0x.. [why]
 * and a last line "summary ok=N bad=N missing=N extra=N". LUO has no eventfd handler, so
 * evt is expected to be MISSING after a kexec; the verdict is the driver's business.
 * Either way it then reports READY=1 and stays up until it is stopped.
 */
#include <signal.h>
#include <sys/eventfd.h>

#include "sdtest.h"

struct want {
	const char *name;
	uint64_t size; /* 0: an eventfd */
};

static const struct want default_wants[] = {
    {"mem1", 64 << 10},
    {"mem2", 1 << 20},
    {"evt", 0},
};

static struct want wants[SDT_MAX_FDS];
static size_t nwant;

/* The fds to store, from NAME:SIZE arguments or the defaults. */
static int parse_wants(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		nwant = sizeof(default_wants) / sizeof(default_wants[0]);
		memcpy(wants, default_wants, sizeof(default_wants));
		return 0;
	}
	if (argc - 1 > SDT_MAX_FDS) {
		kt_errmsg("at most %d fds", SDT_MAX_FDS);
		return -E2BIG;
	}
	for (i = 1; i < argc; i++) {
		char *colon = strchr(argv[i], ':'), *end;

		if (!colon || colon == argv[i]) {
			kt_errmsg("%s: expected NAME:SIZE", argv[i]);
			return -EINVAL;
		}
		*colon = '\0';
		errno = 0;
		wants[nwant].size = strtoull(colon + 1, &end, 0);
		if (errno || end == colon + 1 || *end) {
			kt_errmsg("%s: bad size '%s'", argv[i], colon + 1);
			return -EINVAL;
		}
		wants[nwant++].name = argv[i];
	}
	return 0;
}

/* Our "store" results on the 9p share, written by a start of an earlier boot. */
static bool stored_before(void)
{
	char path[256];

	snprintf(path, sizeof(path), SDT_SHARE "/services/%s.store.result", program_invocation_short_name);
	return access(SDT_SHARE_MARK, F_OK) == 0 && access(path, F_OK) == 0;
}

static volatile sig_atomic_t drop;

static void on_usr1(int sig)
{
	(void)sig;
	drop = 1;
}

/*
 * SIGUSR1: take every fd out of the store again (FDSTOREREMOVE=1), one "NAME REMOVED" line
 * each added to the "store" results: what a service does with state it no longer needs.
 */
static void drop_all(struct sdt_buf *out)
{
	char msg[128];
	size_t i;

	for (i = 0; i < nwant; i++) {
		int err;

		snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s", wants[i].name);
		err = sdt_notify(msg);
		if (err)
			sdt_add(out, "%s - FAILED remove: %s\n", wants[i].name, strerror(-err));
		else
			sdt_add(out, "%s - REMOVED\n", wants[i].name);
	}
	sdt_write_result("store", out->s);
	sdt_notify("STATUS=removed every fd from the store");
}

static int store(void)
{
	struct sdt_buf out = {.len = 0};
	struct sigaction sa = {.sa_handler = on_usr1};
	char msg[128], link[256];
	size_t i;
	int fails = 0, err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	for (i = 0; i < nwant; i++) {
		int fd;

		if (wants[i].size) {
			fd = sdt_make_memfd(wants[i].name, wants[i].size);
		} else {
			fd = eventfd(0, EFD_CLOEXEC);
			if (fd < 0)
				fd = -errno;
		}
		if (fd < 0) {
			kt_errmsg("%s: cannot create: %s", wants[i].name, strerror(-fd));
			sdt_add(&out, "%s - FAILED create: %s\n", wants[i].name, strerror(-fd));
			fails++;
			continue;
		}
		snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", wants[i].name);
		err = sdt_notify_fds(msg, &fd, 1);
		sdt_fd_link(fd, link, sizeof(link));
		if (err) {
			kt_errmsg("%s: FDSTORE=1: %s", wants[i].name, strerror(-err));
			sdt_add(&out, "%s %llu FAILED notify: %s\n", wants[i].name,
				(unsigned long long)wants[i].size, strerror(-err));
			fails++;
		} else {
			sdt_add(&out, "%s %llu STORED link=%s\n", wants[i].name,
				(unsigned long long)wants[i].size, link);
		}
		/* The store holds its own reference; ours is kept so /proc/PID/fd shows it too. */
	}
	sdt_add(&out, "summary stored=%zu failed=%d\n", nwant - (size_t)fails, fails);
	fputs(out.s, stdout);
	fflush(stdout);
	sdt_write_result("store", out.s);
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=stored %zu fd(s)", nwant - (size_t)fails);
	err = sdt_notify(fails ? "READY=1\nSTATUS=store failed" : msg);
	if (err)
		kt_errmsg("READY=1: %s", strerror(-err));
	for (;;) {
		pause();
		if (!drop)
			continue;
		drop = 0;
		drop_all(&out);
	}
	return 0;
}

static int check(const struct sdt_listen *l)
{
	struct sdt_buf out = {.len = 0};
	int ok = 0, bad = 0, missing = 0, extra = 0, i;
	char link[256], why[256];
	size_t w;

	for (w = 0; w < nwant; w++) {
		int fd = -1, seals;
		uint64_t size = 0;

		for (i = 0; i < l->n; i++)
			if (strcmp(l->name[i], wants[w].name) == 0)
				fd = l->fd[i];
		if (fd < 0) {
			sdt_add(&out, "%s - MISSING\n", wants[w].name);
			missing++;
			continue;
		}
		sdt_fd_link(fd, link, sizeof(link));
		seals = fcntl(fd, F_GET_SEALS);
		if (wants[w].size) {
			if (sdt_check_memfd(fd, wants[w].name, wants[w].size, &size, why, sizeof(why)) == 0) {
				sdt_add(&out, "%s %llu OK link=%s seals=0x%x\n", wants[w].name,
					(unsigned long long)size, link, seals);
				ok++;
			} else {
				sdt_add(&out, "%s %llu BAD link=%s seals=0x%x %s\n", wants[w].name,
					(unsigned long long)size, link, seals, why);
				bad++;
			}
		} else if (strcmp(link, "anon_inode:[eventfd]") == 0) {
			sdt_add(&out, "%s 0 OK link=%s\n", wants[w].name, link);
			ok++;
		} else {
			sdt_add(&out, "%s 0 BAD link=%s not an eventfd\n", wants[w].name, link);
			bad++;
		}
	}
	for (i = 0; i < l->n; i++) {
		for (w = 0; w < nwant && strcmp(l->name[i], wants[w].name); w++)
			;
		if (w < nwant)
			continue;
		sdt_fd_link(l->fd[i], link, sizeof(link));
		sdt_add(&out, "%s - EXTRA link=%s\n", l->name[i], link);
		extra++;
	}
	sdt_add(&out, "summary ok=%d bad=%d missing=%d extra=%d\n", ok, bad, missing, extra);
	fputs(out.s, stdout);
	fflush(stdout);
	sdt_write_result("check", out.s);
	snprintf(why, sizeof(why), "checked: ok=%d bad=%d missing=%d", ok, bad, missing);
	sdt_ready_and_wait(why);
	return 0;
}

int main(int argc, char **argv)
{
	struct sdt_listen l;
	int n;

	if (parse_wants(argc, argv))
		return 2;
	n = sdt_listen_fds(&l);
	if (n < 0) {
		kt_errmsg("LISTEN_FDS: %s", strerror(-n));
		return 1;
	}
	return n == 0 && !stored_before() ? store() : check(&l);
}
