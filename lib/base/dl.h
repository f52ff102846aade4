/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Libraries opened on first use (dlopen): a library only some commands call (libarchive
 * for snapshots in archives, libsystemd for PID 1's fd stores) is not mapped, relocated
 * and initialised at every start, with everything it pulls in.
 *
 * A user lists the functions it calls, X(name) each, and calls them through dl_NAME:
 *   #define FNS(X) X(archive_read_new) X(archive_read_free)
 *   FNS(KT_DL_SLOT)
 *   static const struct kt_dl_sym syms[] = {FNS(KT_DL_ENTRY)};
 *   static struct kt_dl lib = {"libarchive.so.13", syms, KT_ARRAY_SIZE(syms)};
 * then kt_dl_open(&lib, ...) before the first call.
 */
#ifndef KT_DL_H
#define KT_DL_H

#include <stdbool.h>
#include <stddef.h>

struct kt_dl_sym {
	const char *name;
	void **addr;
};

struct kt_dl {
	const char *soname;
	const struct kt_dl_sym *syms;
	size_t n;
	bool tried;
	int ret; /* of the first try: every later call says the same */
	char why[256];
};

#define KT_DL_SLOT(f)  static __typeof__(f) *dl_##f;
#define KT_DL_ENTRY(f) {#f, (void **)&dl_##f},

/* 0 once the library is open and every symbol resolved; -ENOENT with err naming what is missing. */
int kt_dl_open(struct kt_dl *l, char *err, size_t errlen);

#endif
