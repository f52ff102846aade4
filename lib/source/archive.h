/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Everything libarchive does for us. Snapshot archives: tar, plain or compressed as the
 * name says (.tar, .tar.gz/.tgz, .tar.xz, .tar.zst, .tar.bz2, .tar.lz4); reading accepts
 * any of them whatever the name; only regular files with safe relative paths are kept.
 * And single compressed streams held in memory (a kernel image's payload, its embedded
 * config), read through libarchive's raw format.
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

/* The longest filter name kt_decompress reports ("gzip", "bzip2", "lzma", "xz", "lz4", "zstd", ...). */
#define KT_FILTER_NAME_LEN 16

/*
 * Decompress the one stream in in[0..len) with whichever libarchive filter reads it, into
 * *out (malloc'ed, *outlen bytes, at most max), naming the filter in filter. -ENOMSG when
 * no filter takes it (not compressed, or a kind libarchive lacks), -EFBIG past max, -EBADMSG
 * when the stream is corrupt or cut short (or its filter cannot run here); err says which.
 */
int kt_decompress(const void *in, size_t len, size_t max, uint8_t **out, size_t *outlen,
		  char filter[KT_FILTER_NAME_LEN], char *err, size_t errlen);

#endif
