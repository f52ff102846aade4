/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * physmem's kcore backend: an ELF64 core laid out as fs/proc/kcore.c writes it (or an
 * image so laid out), its PT_LOAD segments, and reads of them by physical or virtual
 * address, through a page cache when it is on.
 */
#ifndef KT_KCORE_H
#define KT_KCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_KCORE "/proc/kcore"

struct kt_kcore_seg {
	uint64_t vaddr, paddr, off, size;
	bool has_paddr;
};

struct kt_kcore {
	int fd; /* -1: not open */
	struct kt_kcore_seg *segs;
	size_t nr_segs;
	/* pages of the file read whole, direct-mapped by file offset (tag: offset + 1, 0 empty) */
	uint64_t *cache_tag;
	uint8_t *cache;
	uint64_t next_fill; /* the file offset after the pages the cache last read */
};

/* Open path and read its program headers; -errno with err (root, lockdown, format). */
int kt_kcore_open(struct kt_kcore *k, const char *path, char *err, size_t errlen);
void kt_kcore_close(struct kt_kcore *k);
/*
 * len bytes at addr (physical when phys, else virtual) into buf, through the cache unless
 * fresh or it is off: 0, or -EFAULT where no segment holds them, -EIO past the file's end.
 */
int kt_kcore_read(struct kt_kcore *k, uint64_t addr, void *buf, size_t len, bool phys, bool fresh);
/* The cache on (emptied when it was on already) or off (its memory let go). */
void kt_kcore_cache(struct kt_kcore *k, bool on);
/* The physical address of a virtual one, where its segment has one. */
int kt_kcore_virt_to_phys(const struct kt_kcore *k, uint64_t va, uint64_t *pa);

#endif
