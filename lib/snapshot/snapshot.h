/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A snapshot of /sys/kernel/debug/kho: every file read once, whole, with a size
 * bound, from one of three sources (live debugfs, a directory, an archive), and
 * indexed as the debugfs layout has it: two directions, each with its root FDT,
 * its sub-blobs and the areas the next kernel boots in. Every view of one command
 * sees the same state.
 */
#ifndef KT_SNAPSHOT_H
#define KT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot/areas.h"
#include "snapshot/checksums.h"
#include "source/files.h"

#define KT_DEBUGFS_KHO "/sys/kernel/debug/kho"

struct kt_blob {
	const char *name; /* "fdt" or the sub-blob name */
	const char *path; /* relative path in the snapshot */
	const uint8_t *data;
	size_t len;
};

enum kt_dirn { KT_OUT, KT_IN, KT_NR_DIRS };
extern const char *const kt_dirn_name[KT_NR_DIRS];

struct kt_kho_dir {
	bool present;
	bool has_fdt;
	struct kt_blob fdt;
	struct kt_areas areas;
	struct kt_blob *subs; /* sorted by name */
	size_t nr_subs;
};

enum kt_src_kind { KT_SRC_LIVE, KT_SRC_DIR, KT_SRC_TAR, KT_NR_SRC_KINDS };
extern const char *const kt_src_kind_name[KT_NR_SRC_KINDS];

struct kt_snapshot {
	enum kt_src_kind kind;
	char *origin;	   /* path it was read from */
	char *release;	   /* kernel release, NULL when unknown */
	char *taken;	   /* UTC time of capture, NULL when unknown */
	bool has_finalize; /* out/finalize exists (6.16-6.19) */
	int finalize;	   /* its value, -1 when unreadable */
	struct kt_kho_dir dir[KT_NR_DIRS];
	struct kt_files files; /* sorted by path */
};

/*
 * spec: NULL or "live" for debugfs ($KHO_TOOLS_DEBUGFS when set, for tests), else a
 * directory (saved snapshot, or a plain `cp -r` copy of debugfs' kho/) or an archive.
 * On error returns -errno and writes a one-line reason naming the path into err.
 */
int kt_snapshot_load(const char *spec, struct kt_snapshot *s, char *err, size_t errlen);
void kt_snapshot_free(struct kt_snapshot *s);
const struct kt_file *kt_snapshot_file(const struct kt_snapshot *s, const char *path);
const struct kt_blob *kt_snapshot_sub(const struct kt_snapshot *s, enum kt_dirn d, const char *name);
/* The areas of this kernel: out's when it has them (they are where it runs), else in's. */
const struct kt_areas *kt_snapshot_areas(const struct kt_snapshot *s);

/* Add (or replace) a file; takes ownership of data. Blob and area views are not updated. */
void kt_snapshot_add_file(struct kt_snapshot *s, const char *path, uint8_t *data, size_t len);

/* Write s (with its checksum list) atomically to a directory or, for an archive name, an archive. */
int kt_snapshot_save(const struct kt_snapshot *s, const char *dest, char *err, size_t errlen);

#endif
