// SPDX-License-Identifier: GPL-2.0-only
/*
 * kt-trace-bench: the in-VM half of bench/trace.sh (run by tests/vm/init with kt.bench=trace).
 *
 *   kt-trace-bench [--size BYTES] [--rounds N] [--sessions N] [--cpu-seconds S] [--luo-top PATH]
 *
 * 1. Tracing overhead: one memfd of --size, filled, is preserved (PRESERVE_FD into a new
 *    session) and unpreserved (the session closed) --rounds times in each mode: "off" (no
 *    tracing), "batch" (luo-top -b -d 1 attached: every call traced, events kept in memory),
 *    "trace" (luo-top --trace -J: every call also printed as a JSON line) and "pages"
 *    (luo-top --trace -J --pages: also one call per folio). The order of the modes reverses
 *    every other round; the median PRESERVE_FD time of each mode is compared with "off" in
 *    the same run.
 * 2. luo-top's own cost: luo-top -b -d 1 runs (tracing on, then --no-bpf) while --sessions
 *    sessions are open (created after it attached, so its maps hold them all); its CPU time
 *    (utime + stime from /proc/PID/stat) over --cpu-seconds of steady state, as a share of
 *    one core.
 *
 * Output: key=value records, one per line (PRESERVE, RESULT, CPU); exit 0, or 1 when a
 * kernel operation failed, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/util.h"

#define PROG	   "kt-trace-bench"
#define MAX_ROUNDS 64

enum mode { M_OFF, M_BATCH, M_TRACE, M_PAGES, NR_MODES };
static const char *const mode_name[NR_MODES] = {"off", "batch", "trace", "pages"};

static const char *luo_top = "/bin/luo-top";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int create_session(int luo, const char *name)
{
	struct liveupdate_ioctl_session a = {.size = sizeof(a)};

	snprintf((char *)a.name, sizeof(a.name), "%s", name);
	if (ioctl(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &a))
		return -errno;
	return a.fd;
}

static int preserve(int sfd, int fd, uint64_t token)
{
	struct liveupdate_session_fd_arg a = {.size = sizeof(a), .fd = fd, .token = token};

	return ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &a) ? -errno : 0;
}

/* Start luo-top with argv, stdout to out, stderr to err; wait until ready_file holds ready. */
static pid_t start_luo_top(char *const argv[], const char *out, const char *err, const char *ready_file,
			   const char *ready)
{
	double t0 = now();
	pid_t pid;

	/* A ready line left by the previous run must not count for this one. */
	unlink(ready_file);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644),
		    e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		execv(luo_top, argv);
		_exit(127);
	}
	/* Attaching dozens of trampolines takes seconds under TCG. */
	while (now() - t0 < 300) {
		uint8_t *buf = NULL;
		size_t len = 0;
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, PROG ": %s exited before it was ready (status %d)\n", luo_top, st);
			return -1;
		}
		if (!kt_read_file(ready_file, 1 << 20, &buf, &len) &&
		    memmem(buf, len, ready, strlen(ready))) {
			free(buf);
			return pid;
		}
		free(buf);
		usleep(50000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return -1;
}

/* The "tracing on: ..." line luo-top wrote, for the record. */
static void print_status(enum mode m)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *p, *nl;

	if (kt_read_file("/tmp/lt.err", 1 << 16, &buf, &len))
		return;
	buf[len ? len - 1 : 0] = 0;
	p = strstr((char *)buf, "tracing on");
	if (p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		printf("STATUS mode=%s %s\n", mode_name[m], p);
	}
	free(buf);
}

static void stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static pid_t start_mode(enum mode m)
{
	static char *batch[] = {"luo-top", "-b", "-d", "1", NULL};
	static char *trace[] = {"luo-top", "--trace", "-J", NULL};
	static char *pages[] = {"luo-top", "--trace", "-J", "--pages", NULL};

	switch (m) {
	case M_BATCH:
		return start_luo_top(batch, "/tmp/lt.out", "/tmp/lt.err", "/tmp/lt.out", "luo-top - ");
	case M_TRACE:
		return start_luo_top(trace, "/dev/null", "/tmp/lt.err", "/tmp/lt.err", "tracing on");
	case M_PAGES:
		return start_luo_top(pages, "/dev/null", "/tmp/lt.err", "/tmp/lt.err", "tracing on");
	default:
		return 0;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int bench_preserve(int luo, uint64_t size, int rounds)
{
	double pres[NR_MODES][MAX_ROUNDS], unpres[NR_MODES][MAX_ROUNDS], base;
	size_t chunk = 1 << 20, off;
	char *buf = malloc(chunk);
	int fd, r, k;

	if (!buf)
		return 1;
	memset(buf, 0x5a, chunk);
	fd = memfd_create("kt-bench", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size)) {
		fprintf(stderr, PROG ": memfd of %" PRIu64 " bytes: %s\n", size, strerror(errno));
		return 1;
	}
	for (off = 0; off < size; off += chunk)
		if (pwrite(fd, buf, size - off < chunk ? size - off : chunk, off) < 0) {
			fprintf(stderr, PROG ": fill: %s\n", strerror(errno));
			return 1;
		}
	free(buf);
	printf("PRESERVE size=%" PRIu64 " rounds=%d\n", size, rounds);
	fflush(stdout);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < NR_MODES; k++) {
			enum mode m = r % 2 ? NR_MODES - 1 - k : k;
			char name[64];
			double t0, t1, t2;
			pid_t pid = start_mode(m);
			int sfd, err;

			if (pid < 0)
				return 1;
			if (!r && m == M_TRACE)
				print_status(m);
			if (!r && m == M_PAGES)
				print_status(m);
			snprintf(name, sizeof(name), "bench-%d-%s", r, mode_name[m]);
			sfd = create_session(luo, name);
			if (sfd < 0) {
				fprintf(stderr, PROG ": CREATE_SESSION %s: %s\n", name, strerror(-sfd));
				stop(pid);
				return 1;
			}
			t0 = now();
			err = preserve(sfd, fd, r * 10 + m + 1);
			t1 = now();
			close(sfd); /* unpreserves the memfd */
			t2 = now();
			stop(pid);
			if (err) {
				fprintf(stderr, PROG ": PRESERVE_FD (%s): %s\n", mode_name[m],
					strerror(-err));
				return 1;
			}
			pres[m][r] = t1 - t0;
			unpres[m][r] = t2 - t1;
			printf("ROUND r=%d mode=%s preserve_ms=%.1f unpreserve_ms=%.1f\n", r, mode_name[m],
			       pres[m][r] * 1e3, unpres[m][r] * 1e3);
			fflush(stdout);
		}
	}
	/* Other guests and host load only ever add time: the minimum is the steadiest. */
	base = median(pres[M_OFF], rounds); /* sorts: [0] is the minimum from here on */
	for (k = 0; k < NR_MODES; k++) {
		double p = median(pres[k], rounds), u = median(unpres[k], rounds), lo = pres[k][0];

		printf(
		    "RESULT mode=%s preserve_median_ms=%.1f preserve_min_ms=%.1f unpreserve_median_ms=%.1f "
		    "ratio=%.3f ratio_min=%.3f\n",
		    mode_name[k], p * 1e3, lo * 1e3, u * 1e3, p / base, lo / pres[M_OFF][0]);
	}
	fflush(stdout);
	close(fd);
	return 0;
}

/* utime + stime of pid, in seconds. */
static double cpu_of(pid_t pid)
{
	char path[64], *p;
	uint8_t *buf = NULL;
	size_t len;
	unsigned long ut, st;
	double v = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (kt_read_file(path, 4096, &buf, &len))
		return -1;
	buf[len ? len - 1 : 0] = 0;
	/* After the ")" that ends comm: state is field 3, utime 14, stime 15. */
	p = strrchr((char *)buf, ')');
	if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
		v = (double)(ut + st) / sysconf(_SC_CLK_TCK);
	free(buf);
	return v;
}

static int bench_cpu(int luo, int sessions, int seconds, bool bpf)
{
	static char *with[] = {"luo-top", "-b", "-d", "1", NULL};
	static char *without[] = {"luo-top", "-b", "-d", "1", "--no-bpf", NULL};
	double c0, c1, t0, t1;
	int *fds = calloc(sessions, sizeof(*fds)), i, rc = 0;
	pid_t pid;

	if (!fds)
		return 1;
	pid = start_luo_top(bpf ? with : without, "/dev/null", "/tmp/lt.err", "/tmp/lt.err", "");
	/* -b says nothing on stderr: give the first frame time instead. */
	if (pid < 0)
		return 1;
	sleep(bpf ? 5 : 2);
	for (i = 0; i < sessions; i++) {
		char name[64];

		snprintf(name, sizeof(name), "cpu-%s-%d", bpf ? "bpf" : "nobpf", i);
		fds[i] = create_session(luo, name);
		if (fds[i] < 0) {
			fprintf(stderr, PROG ": CREATE_SESSION %s: %s\n", name, strerror(-fds[i]));
			rc = 1;
			sessions = i;
			goto out;
		}
	}
	sleep(2); /* a frame or two with every session in it */
	c0 = cpu_of(pid);
	t0 = now();
	sleep(seconds);
	c1 = cpu_of(pid);
	t1 = now();
	printf("CPU mode=%s sessions=%d delay_s=1 wall_s=%.1f cpu_s=%.3f cpu_pct=%.2f\n",
	       bpf ? "bpf" : "no-bpf", sessions, t1 - t0, c1 - c0, 100 * (c1 - c0) / (t1 - t0));
	fflush(stdout);
out:
	stop(pid);
	for (i = 0; i < sessions; i++)
		close(fds[i]);
	free(fds);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"size", required_argument, NULL, 's'},	{"rounds", required_argument, NULL, 'r'},
	    {"sessions", required_argument, NULL, 'n'}, {"cpu-seconds", required_argument, NULL, 'c'},
	    {"luo-top", required_argument, NULL, 'l'},	{NULL, 0, NULL, 0},
	};
	uint64_t size = 512ULL << 20;
	int rounds = 5, sessions = 1000, seconds = 20, c, luo, rc;
	struct rlimit rl;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (kt_parse_size(optarg, &size) || !size)
				goto usage;
			break;
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				goto usage;
			break;
		case 'n':
			sessions = atoi(optarg);
			if (sessions < 0)
				goto usage;
			break;
		case 'c':
			seconds = atoi(optarg);
			if (seconds < 1)
				goto usage;
			break;
		case 'l':
			luo_top = optarg;
			break;
		default:
			goto usage;
		}
	}
	rl.rlim_cur = rl.rlim_max = sessions + 256;
	setrlimit(RLIMIT_NOFILE, &rl);
	luo = open(LIVEUPDATE_DEV, O_RDWR | O_CLOEXEC);
	if (luo < 0) {
		fprintf(stderr, PROG ": " LIVEUPDATE_DEV ": %s\n", strerror(errno));
		return 1;
	}
	rc = bench_preserve(luo, size, rounds);
	if (!rc && sessions)
		rc = bench_cpu(luo, sessions, seconds, true) || bench_cpu(luo, sessions, seconds, false);
	close(luo);
	return rc;
usage:
	fprintf(stderr, "usage: " PROG
			" [--size BYTES] [--rounds N] [--sessions N] [--cpu-seconds S] [--luo-top PATH]\n");
	return 2;
}
