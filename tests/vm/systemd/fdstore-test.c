// SPDX-License-Identifier: GPL-2.0-only
/*
 * fdstore-test: the service whose fd store systemd carries across a kexec through LUO
 * (FileDescriptorStoreMax= + FileDescriptorStorePreserve=yes).
 *
 * First start (no LISTEN_FDS): creates the memfds mem1 (64 KiB) and mem2 (1 MiB) filled
 * with their pattern and the eventfd evt, pushes each into the fd store
 * ("FDSTORE=1\nFDNAME=NAME" with the fd as SCM_RIGHTS), writes "store" results.
 * Later start (LISTEN_FDS set, e.g. after the kexec): checks every fd it got back and
 * writes "check" results, one line per name:
 *   NAME SIZE OK|BAD|MISSING|EXTRA link=... seals=0x.. [why]
 * and a last line "summary ok=N bad=N missing=N extra=N". LUO has no eventfd handler, so
 * evt is expected to be MISSING after a kexec; the verdict is the driver's business.
 * Either way it then reports READY=1 and stays up until it is stopped.
 */
#include <sys/eventfd.h>

#include "sdtest.h"

struct want {
	const char *name;
	uint64_t size; /* 0: the eventfd */
};

static const struct want wants[] = {
    {"mem1", 64 << 10},
    {"mem2", 1 << 20},
    {"evt", 0},
};
#define NWANT (sizeof(wants) / sizeof(wants[0]))

static int store(void)
{
	struct sdt_buf out = {.len = 0};
	char msg[128], link[256];
	size_t i;
	int fails = 0;

	for (i = 0; i < NWANT; i++) {
		int fd, err;

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
	sdt_add(&out, "summary stored=%zu failed=%d\n", NWANT - (size_t)fails, fails);
	fputs(out.s, stdout);
	fflush(stdout);
	sdt_write_result("store", out.s);
	sdt_ready_and_wait(fails ? "store failed" : "stored mem1 mem2 evt");
	return 0;
}

static int check(const struct sdt_listen *l)
{
	struct sdt_buf out = {.len = 0};
	int ok = 0, bad = 0, missing = 0, extra = 0, i;
	char link[256], why[256];
	size_t w;

	for (w = 0; w < NWANT; w++) {
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
		for (w = 0; w < NWANT && strcmp(l->name[i], wants[w].name); w++)
			;
		if (w < NWANT)
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

int main(void)
{
	struct sdt_listen l;
	int n;

	n = sdt_listen_fds(&l);
	if (n < 0) {
		kt_errmsg("LISTEN_FDS: %s", strerror(-n));
		return 1;
	}
	return n == 0 ? store() : check(&l);
}
