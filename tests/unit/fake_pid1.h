/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stand-in for PID 1 on D-Bus, for the tests of what kho-tools asks systemd
 * (source/sd_stores.c): sd-bus's own server side, in a child process, serving the
 * org.freedesktop.systemd1.Manager calls the tools make (ListUnits,
 * DumpUnitFileDescriptorStore, the KExecCount property) and each service's fd-store
 * properties, from a table of units the test writes. The listening socket plays
 * /run/systemd/private: $KHO_TOOLS_SYSTEMD_BUS points at it while the fake runs.
 */
#ifndef KT_TEST_FAKE_PID1_H
#define KT_TEST_FAKE_PID1_H

#include <stdint.h>
#include <sys/types.h>

struct fake_fd {
	const char *name;
	uint32_t mode;
	uint64_t ino;
	const char *path;
};

struct fake_unit {
	const char *name, *load, *path, *preserve; /* path: its D-Bus object */
	uint32_t n, max;			   /* NFileDescriptorStore, FileDescriptorStoreMax */
	struct fake_fd fds[4];
};

/*
 * The units of the tests: a.service, a store with a memfd, an eventfd and a LUOSession=
 * session (luosession-te-x), kept across kexec; b.service, an empty store kept across
 * restarts only; c.service, an empty store kept across kexec; d.socket and a unit that
 * did not load. KExecCount 2.
 */
extern const struct fake_unit fake_pid1_units[];
extern const size_t fake_pid1_nr_units;

struct fake_pid1 {
	char *dir, *addr;
	char *prev; /* $KHO_TOOLS_SYSTEMD_BUS before, put back by fake_pid1_stop */
	pid_t pid;
};

/* Serve units (the table above when NULL) on DIR/private; sets $KHO_TOOLS_SYSTEMD_BUS. */
struct fake_pid1 *fake_pid1_start(const struct fake_unit *units, size_t n, uint32_t kexec_count);
void fake_pid1_stop(struct fake_pid1 *p);
/* Serve on the socket at path until killed (test_sd --serve, for the shell tests). */
int fake_pid1_serve(const char *path);

#endif
