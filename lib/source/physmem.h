/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Read-only access to physical memory (and, from kcore, kernel virtual memory),
 * behind one interface with three backends:
 *  - live: /proc/kcore (PT_LOAD segments carry p_paddr for RAM and kernel text),
 *    reads allowed only inside "System RAM" ranges of /proc/iomem;
 *  - image: a file laid out like kcore plus an iomem text (fabricated in tests);
 *  - saved: the pages a saved snapshot carries (its file KT_PHYSMEM_FILE).
 * Every read is bounds-checked; a page never captured or outside RAM is -EFAULT.
 */
#ifndef KT_PHYSMEM_H
#define KT_PHYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"

#define KT_IOMEM "/proc/iomem"
/*
 * In a saved snapshot: "KTPHYS1\0", u64 count, count sorted u64 page addresses, count pages,
 * then u64 nr_ram and nr_ram {u64 start, u64 end (exclusive)}: System RAM when saved, sorted
 * and disjoint, so the RAM checks work offline. Native (little-endian) u64s.
 */
#define KT_PHYSMEM_FILE	 "physmem"
#define KT_PHYSMEM_MAGIC "KTPHYS1"
/* One read at most (-E2BIG beyond). */
#define KT_PHYSMEM_MAX_READ (64UL << 20)
/* System RAM ranges kept (iomem, saved image). */
#define KT_PHYSMEM_MAX_RAM 16384
/* Pages a saved image holds at most: it must load as one snapshot file (KT_MAX_BLOB_SIZE). */
#define KT_PHYSMEM_MAX_PAGES ((KT_MAX_BLOB_SIZE - 16 - 8 - 16 * KT_PHYSMEM_MAX_RAM) / (KT_PAGE_SIZE + 8))

struct kt_physmem;

/* kcore/iomem paths: NULL for /proc/kcore and /proc/iomem. */
int kt_physmem_open_kcore(const char *kcore, const char *iomem, struct kt_physmem **pm, char *err,
			  size_t errlen);
/* Saved pages (a KT_PHYSMEM_FILE image held in data, which must outlive pm); name is for messages. */
int kt_physmem_open_saved(const uint8_t *data, size_t len, const char *name, struct kt_physmem **pm,
			  char *err, size_t errlen);
void kt_physmem_close(struct kt_physmem *pm);

/* 0, or -EFAULT (not RAM / not captured), -EIO (truncated image), -E2BIG (> KT_PHYSMEM_MAX_READ). */
int kt_physmem_read(struct kt_physmem *pm, uint64_t pa, void *buf, size_t len);
/* Kernel virtual addresses (kcore only; -EOPNOTSUPP for saved pages). */
int kt_physmem_read_virt(struct kt_physmem *pm, uint64_t va, void *buf, size_t len);
/*
 * Reads of kcore (physical and kernel virtual) through a page cache from now on (each
 * page read whole once: one read instead of one per struct), or not (off). Either way what was cached is
 * dropped: a reader of lists that change turns it on afresh for each read of a list, and checks what it read
 * against kt_physmem_read_virt_fresh, which always reads kcore.
 */
void kt_physmem_cache(struct kt_physmem *pm, bool on);
int kt_physmem_read_virt_fresh(struct kt_physmem *pm, uint64_t va, void *buf, size_t len);
/*
 * fn(ctx) before every kernel virtual read: the tests' kernel changes between the reads
 * of a list, as a live one does while kcore is read.
 */
void kt_physmem_before_read(struct kt_physmem *pm, void (*fn)(void *ctx), void *ctx);
bool kt_physmem_is_ram(const struct kt_physmem *pm, uint64_t pa, uint64_t len);
/* The physical address of a kernel virtual one (the direct map, kernel text): kcore only, -EFAULT otherwise.
 */
int kt_physmem_virt_to_phys(const struct kt_physmem *pm, uint64_t va, uint64_t *pa);

/* Remember every page read from now on, so save can carry what the views needed. */
void kt_physmem_record(struct kt_physmem *pm, bool on);
/* The recorded pages as one KT_PHYSMEM_FILE image (malloc'd); -E2BIG past KT_PHYSMEM_MAX_PAGES. */
int kt_physmem_export(struct kt_physmem *pm, uint8_t **buf, size_t *len);

/* RAM ranges (System RAM of iomem, or as saved), sorted, merged. */
struct kt_range {
	uint64_t start;
	uint64_t end; /* exclusive */
};
size_t kt_physmem_ram(const struct kt_physmem *pm, const struct kt_range **ranges);

#endif
