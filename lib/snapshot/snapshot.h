/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A snapshot of /sys/kernel/debug/kho: every file read once, whole, with a size
 * bound, from one of three sources (live debugfs, a directory, a tarball), so
 * every view of one command sees the same state.
 */
#ifndef KT_SNAPSHOT_H
#define KT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_DEBUGFS_KHO "/sys/kernel/debug/kho"
#define KT_MANIFEST "MANIFEST"
#define KT_MANIFEST_MAGIC "kho-tools-snapshot"
#define KT_MAX_FILES 65536
#define KT_MAX_TOTAL (4ULL << 30)

struct kt_file {
	char *path; /* relative: "out/fdt", "in/sub_fdts/LUO", ... */
	uint8_t *data;
	size_t len;
};

struct kt_blob {
	const char *name; /* "fdt" or the sub-blob name */
	const char *path; /* relative path in the snapshot */
	const uint8_t *data;
	size_t len;
};

struct kt_scratch {
	uint64_t phys;
	uint64_t len;
};

enum kt_dirn { KT_OUT, KT_IN, KT_NR_DIRS };

struct kt_kho_dir {
	bool present;
	bool has_fdt;
	struct kt_blob fdt;
	bool has_scratch;
	struct kt_scratch *scratch;
	size_t nr_scratch;
	struct kt_blob *subs; /* sorted by name */
	size_t nr_subs;
};

enum kt_src_kind { KT_SRC_LIVE, KT_SRC_DIR, KT_SRC_TAR };

struct kt_snapshot {
	enum kt_src_kind kind;
	char *origin;	 /* path it was read from */
	char *release;	 /* kernel release, NULL when unknown */
	char *taken;	 /* UTC time of capture, NULL when unknown */
	bool has_finalize; /* out/finalize exists (6.16-6.19) */
	int finalize;	 /* its value, -1 when unreadable */
	struct kt_kho_dir dir[KT_NR_DIRS];
	struct kt_file *files;
	size_t nr_files;
};

extern const char *const kt_dirn_name[KT_NR_DIRS];

/*
 * spec: NULL or "live" for debugfs, else a directory (saved snapshot, or a plain
 * `cp -r` copy of debugfs' kho/) or a tarball. On error returns -errno and writes
 * a one-line reason naming the path into err.
 */
int kt_snapshot_load(const char *spec, struct kt_snapshot *s, char *err, size_t errlen);
void kt_snapshot_free(struct kt_snapshot *s);
const struct kt_file *kt_snapshot_file(const struct kt_snapshot *s, const char *path);
const struct kt_blob *kt_snapshot_sub(const struct kt_snapshot *s, enum kt_dirn d, const char *name);

/* Add (or replace) a file; takes ownership of data. */
int kt_snapshot_add_file(struct kt_snapshot *s, const char *path, uint8_t *data, size_t len);

/* Write s (with a MANIFEST) atomically to a directory or, for *.tar, a tarball. */
int kt_snapshot_save(const struct kt_snapshot *s, const char *dest, char *err, size_t errlen);

/* tar.c: ustar, the subset we write (regular files, directories). */
int kt_tar_write(const char *path, const struct kt_file *files, size_t n);
int kt_tar_read(const char *path, struct kt_file **files, size_t *n, char *err, size_t errlen);
bool kt_is_tar(const char *path);

#endif
