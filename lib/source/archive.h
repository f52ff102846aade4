/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Snapshot archives through libarchive: tar, plain or compressed as the name says
 * (.tar, .tar.gz/.tgz, .tar.xz, .tar.zst, .tar.bz2, .tar.lz4). Reading accepts any of
 * them whatever the name; only regular files with safe relative paths are kept.
 */
#ifndef KT_ARCHIVE_H
#define KT_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "source/files.h"

/* The name asks for an archive (one of the suffixes above). */
bool kt_archive_name(const char *path);
int kt_archive_read(const char *path, struct kt_files *fs, char *err, size_t errlen);
/*
 * Write files to path (created, never replaced: the caller renames it into place),
 * compressed as the name `as` asks.
 */
int kt_archive_write(const char *path, const char *as, const struct kt_file *files, size_t n, char *err,
		     size_t errlen);

#endif
