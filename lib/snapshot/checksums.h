/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The checksum list of a saved snapshot (KT_CHECKSUMS_FILE): its first line, then
 * "release R", "time T", "source S" and "file PATH SIZE SHA256" per file. Written by
 * save, checked on every load, so an altered, added or missing file is refused rather
 * than decoded. The file keeps the name earlier versions gave it.
 */
#ifndef KT_CHECKSUMS_H
#define KT_CHECKSUMS_H

#include <stddef.h>

#include "source/files.h"

#define KT_CHECKSUMS_FILE  "MANIFEST"
#define KT_CHECKSUMS_MAGIC "kho-tools-snapshot"

/* The list's text for fs (its own entry left out); source says where the files came from. */
char *kt_checksums_text(const struct kt_files *fs, const char *release, const char *taken, const char *source,
			size_t *len);
/*
 * Check the sorted fs against the list it carries (none: nothing to check); *release and
 * *taken get what the list says (malloc'ed) when they are NULL.
 */
int kt_checksums_verify(const struct kt_files *fs, const char *origin, char **release, char **taken,
			char *err, size_t errlen);

#endif
