// SPDX-License-Identifier: GPL-2.0-only
/*
 * luosession-test: the service of LUOSession= (systemd >= 262). PID 1 creates a LUO
 * session for the unit, keeps it in the unit's fd store and hands it over with the other
 * stored fds (LISTEN_FDS); the service preserves its own files in it.
 *
 * The session is found among the passed fds by its /proc/self/fd link
 * ("anon_inode:[luo_session] NAME"), whatever FDNAME it came under. Which boot this is,
 * the kernel says: RETRIEVE_FD is only valid on an incoming (retrieved) session and fails
 * with EINVAL on a new outgoing one.
 *   outgoing: a 256 KiB memfd holding its pattern is preserved with PRESERVE_FD under
 *             TOKEN ("store" results);
 *   incoming: RETRIEVE_FD(TOKEN), every byte checked, FINISH ("check" results).
 * Result lines: "fd FDNAME link=...", "session fdname=... kernel=...",
 * "memfd token=0x... SIZE PRESERVED|OK|BAD [why]", "finish OK|FAILED ...",
 * "summary ok=N bad=N". Then READY=1, and it holds its fds until stopped.
 */
#include <sys/ioctl.h>

#include "base/abi.h"
#include "sdtest.h"

#define TOKEN	 0x4b54000000000001ULL /* "KT" and 1: ours, any u64 would do */
#define MEM_NAME "luo1"
#define MEM_SIZE (256 << 10)

static int get_name(int sfd, char *name, size_t len)
{
	struct liveupdate_session_get_name a = {.size = sizeof(a)};

	if (ioctl(sfd, LIVEUPDATE_SESSION_GET_NAME, &a) < 0)
		return -errno;
	snprintf(name, len, "%.*s", (int)sizeof(a.name), (const char *)a.name);
	return 0;
}

static int preserve(int sfd, struct sdt_buf *out)
{
	struct liveupdate_session_fd_arg a = {.size = sizeof(a), .token = TOKEN};
	int fd = sdt_make_memfd(MEM_NAME, MEM_SIZE);

	if (fd < 0) {
		sdt_add(out, "memfd token=0x%llx - BAD create: %s\n", TOKEN, strerror(-fd));
		return -1;
	}
	a.fd = fd;
	if (ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &a) < 0) {
		sdt_add(out, "memfd token=0x%llx %d BAD PRESERVE_FD: %s\n", TOKEN, MEM_SIZE, strerror(errno));
		return -1;
	}
	/* fd stays open: the service holds what it preserved, as a real one would. */
	sdt_add(out, "memfd token=0x%llx %d PRESERVED\n", TOKEN, MEM_SIZE);
	return 0;
}

static int check(int fd, struct sdt_buf *out)
{
	char why[256], link[256];
	uint64_t size = 0;

	sdt_fd_link(fd, link, sizeof(link));
	if (sdt_check_memfd(fd, MEM_NAME, MEM_SIZE, &size, why, sizeof(why)) < 0) {
		sdt_add(out, "memfd token=0x%llx %llu BAD link=%s %s\n", TOKEN, (unsigned long long)size,
			link, why);
		return -1;
	}
	sdt_add(out, "memfd token=0x%llx %llu OK link=%s seals=0x%x\n", TOKEN, (unsigned long long)size, link,
		fcntl(fd, F_GET_SEALS));
	return 0;
}

int main(void)
{
	struct liveupdate_session_fd_arg r = {.size = sizeof(r), .token = TOKEN};
	struct liveupdate_session_finish fin = {.size = sizeof(fin)};
	struct sdt_buf out = {.len = 0};
	char link[256], kname[LUO_SESSION_NAME_LEN + 1] = "", status[128];
	const char *phase = "check", *fdname = NULL;
	struct sdt_listen l;
	int i, n, sfd = -1, ok = 0, bad = 0, err;

	n = sdt_listen_fds(&l);
	for (i = 0; i < n; i++) {
		sdt_fd_link(l.fd[i], link, sizeof(link));
		sdt_add(&out, "fd %s link=%s\n", l.name[i], link);
		if (strncmp(link, "anon_inode:[luo_session]", 24) == 0 && sfd < 0) {
			sfd = l.fd[i];
			fdname = l.name[i];
		}
	}
	if (sfd < 0) {
		sdt_add(&out, "session - BAD no LUO session among %d passed fds\n", n < 0 ? 0 : n);
		bad++;
		goto done;
	}
	err = get_name(sfd, kname, sizeof(kname));
	sdt_add(&out, "session fdname=%s kernel=%s%s%s\n", fdname, kname, err ? " GET_NAME: " : "",
		err ? strerror(-err) : "");

	if (ioctl(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &r) < 0) {
		if (errno != EINVAL) {
			sdt_add(&out, "memfd token=0x%llx - BAD RETRIEVE_FD: %s\n", TOKEN, strerror(errno));
			bad++;
			goto done;
		}
		/* A new outgoing session: this is the boot before the kexec. */
		phase = "store";
		if (preserve(sfd, &out) == 0)
			ok++;
		else
			bad++;
		goto done;
	}
	if (check(r.fd, &out) == 0)
		ok++;
	else
		bad++;
	if (ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &fin) < 0) {
		sdt_add(&out, "finish FAILED %s\n", strerror(errno));
		bad++;
	} else {
		sdt_add(&out, "finish OK\n");
		ok++;
	}
done:
	sdt_add(&out, "summary ok=%d bad=%d\n", ok, bad);
	fputs(out.s, stdout);
	fflush(stdout);
	sdt_write_result(phase, out.s);
	snprintf(status, sizeof(status), "%s: ok=%d bad=%d", phase, ok, bad);
	sdt_ready_and_wait(status);
	return 0;
}
