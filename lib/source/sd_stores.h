/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * systemd's file-descriptor stores, asked of PID 1 over D-Bus (sd-bus, libsystemd): every
 * service with a store, its FileDescriptorStorePreserve= setting and each stored fd (the
 * org.freedesktop.systemd1.Manager.DumpUnitFileDescriptorStore call behind
 * `systemd-analyze fdstore UNIT`), and the manager's KExecCount. Before a kexec this is
 * the only place that shows what systemd will try to carry through LUO: its "systemd"
 * session exists only from the moment systemd-shutdown creates it.
 *
 * PID 1 is reached on its private socket (/run/systemd/private, root only), as systemctl
 * does, with no dbus-daemon needed; $KHO_TOOLS_SYSTEMD_BUS names another address (tests).
 */
#ifndef KT_SD_STORES_H
#define KT_SD_STORES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_SD_PRIVATE_BUS "unix:path=/run/systemd/private"

/* One stored fd, as DumpUnitFileDescriptorStore gives it: a(suuutuusu). */
struct kt_sd_stored_fd {
	char *name;
	uint32_t mode; /* st_mode */
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	uint32_t rdev_major, rdev_minor;
	char *path; /* its /proc/PID/fd link: "/memfd:mem1 (deleted)", "anon_inode:[eventfd]" */
	uint32_t flags;
};

struct kt_sd_store {
	char *unit;
	char *preserve; /* FileDescriptorStorePreserve=: "no", "yes", "restart" */
	uint32_t max;	/* FileDescriptorStoreMax= */
	struct kt_sd_stored_fd *fds;
	size_t nr_fds, cap_fds;
};

struct kt_sd_stores {
	struct kt_sd_store *v; /* services with a store (fds in it, or Preserve=yes) */
	size_t n, cap;
	bool has_kexec_count;
	uint64_t kexec_count; /* the manager's KExecCount */
	uint64_t services;    /* services asked */
};

/*
 * Ask PID 1. -ENOENT when systemd is not running (no private socket), -EACCES when not
 * permitted (root only), another -errno when the bus fails; err says which.
 */
int kt_sd_stores_read(struct kt_sd_stores *st, char *err, size_t errlen);
void kt_sd_stores_free(struct kt_sd_stores *st);
/* The store of unit, NULL when it has none. */
const struct kt_sd_store *kt_sd_store_of(const struct kt_sd_stores *st, const char *unit);

#endif
