/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the unit tests: blobs built in the test (FDTs with libfdt's
 * sequential-write API, packed structs), a sink that records what a decoder
 * says as lines, and temporary directories laid out like debugfs.
 *
 * KHO stores numbers in FDTs in the CPU's byte order (a memcpy of the integer,
 * not cpu_to_fdt64): fb_u32()/fb_u64() do the same.
 */
#ifndef KT_TEST_FDTBUILD_H
#define KT_TEST_FDTBUILD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/abi.h"
#include "decode/sink.h"
#include "snapshot/snapshot.h"

/* A blob owned by the test; data is allocated at exactly len bytes so ASan sees any read past it. */
struct fb_blob {
	uint8_t *data;
	size_t len;
};

void fb_free(struct fb_blob *b);
/* A kt_blob view of b under a name ("fdt", "LUO", ...). */
struct kt_blob fb_kt(const struct fb_blob *b, const char *name);
/* A copy of the first len bytes of b (len may be less than b->len: a cut blob). */
struct fb_blob fb_cut(const struct fb_blob *b, size_t len);

/* ---- FDTs, sequential-write API ------------------------------------------ */

struct fb {
	void *buf;
};

/* fdt_create, fdt_finish_reservemap, and the root node opened. */
void fb_start(struct fb *f);
void fb_begin(struct fb *f, const char *name);
void fb_end(struct fb *f);
void fb_prop(struct fb *f, const char *name, const void *p, size_t len);
void fb_str(struct fb *f, const char *name, const char *s);
void fb_u32(struct fb *f, const char *name, uint32_t v);
void fb_u64(struct fb *f, const char *name, uint64_t v);
/* Closes the root node and the FDT; f is spent. */
struct fb_blob fb_finish(struct fb *f);

/* ---- the formats --------------------------------------------------------- */

struct fb_sub {
	const char *name;
	uint64_t phys; /* preserved-data (kho-v4) or fdt (kho-v1) */
	uint64_t size; /* blob-size (kho-v4 only) */
};

/* kho-v4 root: compatible, preserved-memory-map, one node per sub-blob. */
struct fb_blob fb_kho_v4(uint64_t mem_map, const struct fb_sub *subs, size_t n);
/*
 * The same tree as the kernel lays it out: the root is written with the
 * sequential-write API, and each sub-node is added later with fdt_add_subnode and
 * fdt_setprop (kho_add_subtree), which append their property names to the
 * strings block. So the strings are in first-use order for the sub-nodes but
 * reversed for the root's two ("preserved-memory-map" at 0, then "compatible"),
 * as in the 7.3 captures.
 */
struct fb_blob fb_kho_v4_kernel(uint64_t mem_map, const struct fb_sub *subs, size_t n);
/* kho-v1 root: sub-nodes carry "fdt" (u64 phys). */
struct fb_blob fb_kho_v1(uint64_t mem_map, const struct fb_sub *subs, size_t n);

struct fb_region {
	const char *name;
	uint64_t start;
	uint64_t size;
};

/* memblock-v1 with one reserve-mem-v1 child per region. */
struct fb_blob fb_memblock(const struct fb_region *r, size_t n);

struct fb_kho_test {
	uint32_t magic;
	uint32_t nr_folios;
	struct kho_vmalloc_ser folios;
	uint32_t csum;
};

/* kho-test-v1: magic, node "data" with nr_folios, folios_info, csum (lib/test_kho.c's order). */
struct fb_blob fb_kho_test(const struct fb_kho_test *t);

/* A raw struct luo_ser; compat is copied into the 8-byte field without a terminator check. */
struct fb_blob fb_luo(const char *compat, uint64_t num, uint64_t sessions_pa, uint64_t flbs_pa);
/* A raw struct kho_kexec_metadata; release is copied up to 65 bytes. */
struct fb_blob fb_kexec_meta(uint32_t version, const char *release, uint32_t count);
/* A blob holding a copy of len bytes. */
struct fb_blob fb_bytes(const void *p, size_t len);

/* ---- a sink that records lines ------------------------------------------- */

/*
 * Every sink call becomes one line: "begin NAME FORMAT" (or "begin NAME" without
 * a format), "field KEY=VALUE" (VALUE as kt_val_text writes it), "error MSG",
 * "warning MSG", "info MSG", "end". Each line also remembers the path of the node
 * it belongs to ("fdt/LUO"), so a test can ask about one node.
 */
struct cap {
	struct kt_sink sink;
	char **lines;
	char **where;
	size_t n;
	size_t alloc;
	char path[1024];
};

void cap_init(struct cap *c);
void cap_free(struct cap *c);
/* Index of the first line equal to line in node path (NULL: any node), or -1. */
long cap_find(const struct cap *c, const char *path, const char *line);
/* Lines that start with prefix, in node path (NULL: any node). */
size_t cap_count(const struct cap *c, const char *path, const char *prefix);
/* The first line in path that starts with prefix, or NULL. */
const char *cap_first(const struct cap *c, const char *path, const char *prefix);
void cap_print(const struct cap *c);

void cap_check(const struct cap *c, const char *path, const char *line, bool want, const char *file,
	       int lineno);
void cap_check_prefix(const struct cap *c, const char *path, const char *prefix, size_t want,
		      const char *file, int lineno);

/* Fail with the recorded lines printed, naming what was (not) expected. */
#define assert_cap_has(c, path, line)	cap_check((c), (path), (line), true, __FILE__, __LINE__)
#define assert_cap_lacks(c, path, line) cap_check((c), (path), (line), false, __FILE__, __LINE__)
/* Exactly want lines starting with prefix in path. */
#define assert_cap_count(c, path, prefix, want)                                                              \
	cap_check_prefix((c), (path), (prefix), (want), __FILE__, __LINE__)

/* Decode b through the decoder table (kt_decode_blob) into c; snap NULL: an empty snapshot. */
void cap_decode(struct cap *c, const struct kt_blob *b, const struct kt_snapshot *snap, enum kt_dirn dirn);

/* ---- crash isolation ----------------------------------------------------- */

/*
 * Run fn(arg) in a child process, so a decoder that crashes (or trips a
 * sanitizer) fails one test instead of ending the whole binary. fn must not use
 * cmocka's asserts; it returns 0 when its checks hold. Fails the calling test
 * with why (and the child's fate) otherwise.
 */
#define FB_CHILD_FAILED 97
void fb_in_child(int (*fn)(void *), void *arg, const char *why, const char *file, int lineno);
#define assert_in_child(fn, arg, why) fb_in_child((fn), (arg), (why), __FILE__, __LINE__)

/* ---- temporary directories ----------------------------------------------- */

/* A new empty directory under $TMPDIR (or /tmp); free the result with td_remove(). */
char *td_make(void);
/* Write root/rel, creating the directories in between. */
void td_write(const char *root, const char *rel, const void *data, size_t len);
void td_write_str(const char *root, const char *rel, const char *s);
void td_write_blob(const char *root, const char *rel, const struct fb_blob *b);
/* Remove root and everything under it, then free root. */
void td_remove(char *root);
/* A path under root (malloc'd). */
char *td_path(const char *root, const char *rel);

/* ---- memory images laid out like /proc/kcore ------------------------------ */

#include <sys/types.h>

struct kt_physmem;

/* One PT_LOAD segment of an image. */
struct fb_seg {
	uint64_t paddr; /* (uint64_t)-1: none, as kcore gives vmalloc and modules */
	uint64_t vaddr;
	uint64_t size;
	const void *data; /* size bytes; NULL: zeros (a hole in the file) */
	/*
	 * Where its bytes are, counted from the start of the data area: 0 means
	 * right after the previous segment. Segments may share bytes this way.
	 */
	uint64_t off;
	bool fixed; /* use off, even when 0 */
};

/*
 * Write an ELF64 core the way fs/proc/kcore.c lays one out: ELF header, a
 * PT_NOTE, one PT_LOAD per segment, the data area page aligned after the
 * headers. cut: the file's length (0 = whole), to fabricate a truncated image.
 */
void fb_write_core(const char *path, const struct fb_seg *segs, size_t n, off_t cut);
/* Write root/kcore (cut as above) and root/iomem, and open them; the test fails if the open does. */
struct kt_physmem *fb_open_image(const char *root, const struct fb_seg *segs, size_t n, const char *iomem,
				 off_t cut);

#endif
