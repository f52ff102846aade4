/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * preflight: go/no-go checks of the running system before a live-update reboot:
 * debugfs, KHO, LUO, kcore, the boot areas and their overlap with preserved memory,
 * sessions and the processes holding them, systemd's fd stores (what a kexec keeps and
 * what it loses), the kexec image, the finalize control.
 */
#ifndef KT_PREFLIGHT_H
#define KT_PREFLIGHT_H

#include <stddef.h>

#include "check/status.h"
#include "view/rows.h"

struct kt_vmlinux;

struct kt_check {
	const char *name;
	enum kt_check_status status;
	char *msg;
};

struct kt_preflight {
	struct kt_check *checks;
	size_t n, cap;
	size_t count[KT_CHECK_NR];
};

/* Where the system is read; NULL members take the real paths (tests point them elsewhere). */
struct kt_preflight_env {
	const char *proc;	  /* /proc */
	const char *kexec_loaded; /* /sys/kernel/kexec_loaded */
	const char *liveupdate;	  /* /dev/liveupdate (never opened: one open at a time) */
	/* Stored fds a kexec may lose without failing: "UNIT" (all of its fds) or "UNIT:FDNAME". */
	const char *const *accept_loss;
	size_t nr_accept_loss;
	/* --target: the image to be kexec'd, checked against what is handed over (check/compat.h). */
	const struct kt_vmlinux *target;
};

/* Run every check on the running system (debugfs as KHO_TOOLS_DEBUGFS may redirect it). */
void kt_preflight_run(const struct kt_preflight_env *env, struct kt_preflight *p);
/* 0 go, 1 no-go (a check failed), 2 cannot tell (a check could not be made, none failed). */
int kt_preflight_verdict(const struct kt_preflight *p);
void kt_preflight_free(struct kt_preflight *p);
/* The checks as rows: STATUS, CHECK, MESSAGE. */
extern const struct kt_table_def kt_checks_table;
void kt_preflight_rows(const struct kt_preflight *p, struct kt_rows *r);

#endif
