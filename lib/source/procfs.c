// SPDX-License-Identifier: GPL-2.0-only
#include "source/procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

int kt_procfs_fds(const char *proc, void (*fn)(void *ctx, int pid, int fd, const char *link), void *ctx,
		  unsigned int *unreadable)
{
	struct dirent *de;
	DIR *d = opendir(proc);

	*unreadable = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[512], link[512];
		struct dirent *fe;
		DIR *fds;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd", proc, de->d_name);
		fds = opendir(path);
		if (!fds) {
			*unreadable += errno == EACCES;
			continue;
		}
		while ((fe = readdir(fds))) {
			char fdp[1024];
			ssize_t n;

			if (!isdigit((unsigned char)fe->d_name[0]))
				continue;
			snprintf(fdp, sizeof(fdp), "%s/%s", path, fe->d_name);
			n = readlink(fdp, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			fn(ctx, atoi(de->d_name), atoi(fe->d_name), link);
		}
		closedir(fds);
	}
	closedir(d);
	return 0;
}

int kt_procfs_info(const char *proc, int pid, struct kt_proc_info *pi)
{
	char path[256], buf[1024], *rp, *lp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* "pid (comm) S ppid pgrp session tty_nr": comm may hold spaces and parentheses. */
	rp = strrchr(buf, ')');
	lp = strchr(buf, '(');
	if (!rp || !lp || lp > rp || sscanf(rp + 1, " %c %*d %*d %d %d", &pi->state, &pi->sid, &pi->tty) != 3)
		return -EBADMSG;
	kt_cstr(pi->comm, sizeof(pi->comm), lp + 1, rp - lp - 1);
	return 0;
}

void kt_procfs_comm(const char *proc, int pid, char comm[KT_PROC_COMM_LEN])
{
	char path[256];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, KT_PROC_COMM_LEN, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

char *kt_procfs_unit(const char *proc, int pid)
{
	char path[256], line[4096], *unit = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc, pid);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	/* cgroup v2 "0::/PATH", or v1's "N:name=systemd:/PATH": the innermost unit on the path. */
	while (fgets(line, sizeof(line), f)) {
		char *p, *comp, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) && !strstr(line, ":name=systemd:"))
			continue;
		p = strchr(strchr(line, ':') + 1, ':') + 1;
		for (comp = strtok_r(p, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
			size_t n = strlen(comp);

			if ((n > 8 && !strcmp(comp + n - 8, ".service")) ||
			    (n > 6 && !strcmp(comp + n - 6, ".scope"))) {
				free(unit);
				unit = kt_strdup(comp);
			}
		}
		if (!strncmp(line, "0::", 3) && unit)
			break;
	}
	fclose(f);
	return unit;
}

bool kt_is_shell(const char *comm)
{
	static const char *const shells[] = {"sh",   "bash", "dash", "ash",  "zsh",    "ksh",
					     "mksh", "fish", "csh",  "tcsh", "busybox"};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(shells); i++)
		if (!strcmp(comm, shells[i]))
			return true;
	return false;
}
