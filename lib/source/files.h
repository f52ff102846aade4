/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files as a source hands them over: a relative path and the whole content, read
 * once. Every source (debugfs, a directory, an archive) fills the same list under
 * the same bounds, so a snapshot never depends on where its bytes came from.
 */
#ifndef KT_FILES_H
#define KT_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"

/* One source holds at most this many files and bytes; one file at most KT_MAX_BLOB_SIZE. */
#define KT_MAX_FILES 65536
#define KT_MAX_TOTAL (4ULL << 30)

struct kt_file {
	char *path; /* relative: "out/fdt", "in/sub_fdts/LUO", ... */
	uint8_t *data;
	size_t len;
};

struct kt_files {
	struct kt_file *v;
	size_t n, cap;
	uint64_t total;
};

/* Take data (freed on failure) as rel; -E2BIG with err past the bounds (origin names the source). */
int kt_files_add(struct kt_files *fs, const char *origin, const char *rel, uint8_t *data, size_t len,
		 char *err, size_t errlen);
/* Every regular file below root (directories nested at most 8 deep), read to EOF. */
int kt_files_read_dir(struct kt_files *fs, const char *root, char *err, size_t errlen);
/* Sort by path (after reading), then look one up in the sorted list; NULL when absent. */
void kt_files_sort(struct kt_files *fs);
const struct kt_file *kt_files_find(const struct kt_files *fs, const char *path);
/* A relative path that stays below its root: no leading '/', no ".." component, not empty. */
bool kt_path_safe(const char *p);
void kt_files_free(struct kt_files *fs);

#endif
