/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What /proc tells about processes: their open fds (LUO session fds are anon inodes
 * named "[luo_session] NAME"; /dev/liveupdate holders), their state, terminal
 * session and systemd unit. proc is the procfs root ("/proc", or a fabricated tree
 * in tests).
 */
#ifndef KT_PROCFS_H
#define KT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

#define KT_PROC_SESSION_LINK "anon_inode:[luo_session] "
#define KT_PROC_COMM_LEN     17

/*
 * Every fd of every process: fn(ctx, pid, fd, link target). *unreadable counts the
 * processes whose fds could not be listed for lack of permission. -errno when proc
 * itself cannot be read.
 */
int kt_procfs_fds(const char *proc, void (*fn)(void *ctx, int pid, int fd, const char *link), void *ctx,
		  unsigned int *unreadable);

struct kt_proc_info {
	char comm[KT_PROC_COMM_LEN];
	char state; /* R S D T t Z X ... */
	int sid;    /* terminal session leader */
	int tty;
};
/* From PROC/PID/stat; -errno when the process is gone, -EBADMSG when the line is odd. */
int kt_procfs_info(const char *proc, int pid, struct kt_proc_info *pi);
/* PROC/PID/comm, "" when unreadable. */
void kt_procfs_comm(const char *proc, int pid, char comm[KT_PROC_COMM_LEN]);
/* The systemd unit (".service" or ".scope") of a process from PROC/PID/cgroup; NULL if none. */
char *kt_procfs_unit(const char *proc, int pid);
/* The comm is one of the usual shells. */
bool kt_is_shell(const char *comm);

#endif
