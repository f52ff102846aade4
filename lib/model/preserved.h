/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The preserved memory of one direction: its radix tree walked through physical
 * memory, and the checks the next kernel relies on: nothing preserved inside a boot
 * (scratch/bootmem) area, everything inside System RAM, every sub-blob preserved.
 * Problems are kept as messages, the first KT_MEM_MAX_NOTES of each kind one by one.
 */
#ifndef KT_PRESERVED_H
#define KT_PRESERVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/kho_radix.h"
#include "decode/kho_root.h"
#include "snapshot/snapshot.h"
#include "source/physmem.h"

#define KT_MEM_MAX_NOTES 16

struct kt_notes {
	char *msg[KT_MEM_MAX_NOTES];
	size_t n;
	uint64_t more; /* beyond the first KT_MEM_MAX_NOTES */
};

struct kt_mem_dir {
	int ret; /* 0 walked; -ENOENT nothing to walk (why says so); another -errno: why */
	char why[256];
	struct kt_radix_result r;
	const struct kt_areas *areas; /* checked against (NULL: none in this snapshot) */
	char areas_from[32];	      /* "out/scratch_phys" */
	uint64_t area_bytes;	      /* preserved inside the areas */
	uint64_t outside_bytes;	      /* preserved outside System RAM */
	struct kt_notes walk, area_notes, ram_notes, blob_notes;
	/*
	 * in/ exists only when the kernel walked the incoming tree at boot, but it does not
	 * keep the tree's pages: a tree that no longer walks, or no longer holds the
	 * sub-blobs in/fdt names, has been reused since.
	 */
	bool stale;
};

/*
 * Walk direction d's tree and run the checks; m->ret says whether it could. root is
 * d's parsed root FDT, NULL when it is absent or unusable (root_why says why).
 */
void kt_mem_walk(const struct kt_snapshot *s, enum kt_dirn d, struct kt_physmem *pm,
		 const struct kt_kho_root *root, const char *root_why, struct kt_mem_dir *m);
void kt_mem_dir_free(struct kt_mem_dir *m);

#endif
