/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KHO preserved-memory radix tree (include/linux/kho/abi/kexec_handover.h,
 * kernel/liveupdate/kexec_handover.c), walked through a kt_physmem.
 *
 * Every node is one page. Levels 5 (the root) to 1 are tables of 512 u64
 * physical addresses of the next level (0 = none); level 0 is a 4096-byte
 * bitmap. A preserved block of order o at pa has the key
 * (1 << (64 - (12 + o))) | (pa >> (12 + o)): the highest set bit gives the
 * order, the rest the address. Bits 14:0 of the key index the bitmap, and
 * level l's table with bits 15 + 9(l-1) up. The walk meets keys in ascending
 * order: orders from the highest down, addresses ascending within an order.
 */
#ifndef KT_KHO_RADIX_H
#define KT_KHO_RADIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"
#include "snapshot/snapshot.h"
#include "source/physmem.h"

#define KT_RADIX_ROOT_LEVEL    (KHO_RADIX_MAX_DEPTH - 1) /* 5 */
#define KT_RADIX_TABLE_ENTRIES (1u << KHO_RADIX_TABLE_LOG2)
/* Tree pages read at most: 16 GiB of tree, far beyond any real one. */
#define KT_RADIX_MAX_NODES (1ULL << 22)
/* Orders whose blocks have a 64-bit address and size: 12 + order < 64. */
#define KT_RADIX_NR_ORDERS (64 - KT_PAGE_SHIFT)

struct kt_radix_order {
	uint64_t count; /* blocks of this order */
	uint64_t bytes;
};

struct kt_radix_result {
	uint64_t root;
	uint64_t blocks; /* preserved blocks (keys), any order */
	uint64_t pages;	 /* in 4 KiB pages */
	uint64_t bytes;
	uint64_t tables;	/* table pages read (levels 5..1) */
	uint64_t leaves;	/* bitmap pages read */
	uint64_t overlap_bytes; /* preserved under more than one order */
	struct kt_radix_order order[KT_RADIX_NR_ORDERS];
	struct kt_range *ranges; /* every block, coalesced: sorted, disjoint, not adjacent */
	size_t nr_ranges;
	unsigned int errors; /* malformed nodes and entries met */
	bool stopped;	     /* a bound ended the walk early (see errors) */
};

struct kt_radix_ops {
	/*
	 * A malformed node or entry: the walk reports it and goes on with the rest.
	 * node is the page the problem is about (the bad pointer itself when it
	 * cannot be followed), level where it sits in the tree (5 root .. 0 leaf).
	 */
	void (*error)(void *ctx, unsigned int level, uint64_t node, const char *msg);
	/* Each preserved block as met (optional); a negative errno stops the walk and is returned. */
	int (*block)(void *ctx, uint64_t pa, unsigned int order);
};

/*
 * Walk the tree at root. Bounds: the tree's depth, each node page visited once
 * (a loop or a shared node is an error on that node, never a hang), child
 * pointers page aligned and in RAM, no more preserved pages than RAM holds
 * (KHO's own scale), no more tree pages than RAM or KT_RADIX_MAX_NODES.
 * Returns 0 (malformed parts counted in r->errors) or what ops->block
 * returned; free r with kt_radix_result_free.
 */
int kt_radix_walk(struct kt_physmem *pm, uint64_t root, const struct kt_radix_ops *ops, void *ctx,
		  struct kt_radix_result *r);
void kt_radix_result_free(struct kt_radix_result *r);

/* The kernel's key for a block; 0 when no key exists (order too large). */
uint64_t kt_radix_key(uint64_t pa, unsigned int order);
/* A key back to block; -EINVAL when no block has this key. */
int kt_radix_decode(uint64_t key, uint64_t *pa, unsigned int *order);

/* Checks of coalesced ranges. Each calls bad (may be NULL) per offending piece. */
typedef void (*kt_radix_bad_fn)(void *ctx, uint64_t start, uint64_t end, const char *what);
/* Bytes of the ranges inside the boot (scratch/bootmem) areas: the next kernel boots there. */
uint64_t kt_radix_check_areas(const struct kt_range *r, size_t n, const struct kt_area *sc, size_t nsc,
			      kt_radix_bad_fn bad, void *ctx);
/* Bytes of the ranges outside RAM (ram sorted and disjoint). */
uint64_t kt_radix_check_ram(const struct kt_range *r, size_t n, const struct kt_range *ram, size_t nram,
			    kt_radix_bad_fn bad, void *ctx);
/* The range holding pa, NULL when none does. */
const struct kt_range *kt_radix_range_of(const struct kt_range *r, size_t n, uint64_t pa);
/* Is [start, end) inside the ranges? */
bool kt_radix_covers(const struct kt_range *r, size_t n, uint64_t start, uint64_t end);

#endif
