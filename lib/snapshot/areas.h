/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory areas the next kernel boots in: "scratch" up to 7.3, "bootmem" from 7.4
 * (the same areas under the kernel's new word). One "0x%llx" line per area in
 * DIR/<word>_phys and DIR/<word>_len (kernel/liveupdate/kexec_handover_debugfs.c).
 */
#ifndef KT_AREAS_H
#define KT_AREAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source/files.h"

struct kt_area {
	uint64_t phys;
	uint64_t len;
};

struct kt_areas {
	bool present;	  /* the two files exist */
	const char *word; /* the kernel's word for them: "scratch" or "bootmem" */
	struct kt_area *v;
	size_t n;
	uint64_t total;
};

/* The areas of direction dir ("out", "in") in fs (origin names it in messages); -EINVAL when malformed. */
int kt_areas_parse(const struct kt_files *fs, const char *origin, const char *dir, struct kt_areas *a,
		   char *err, size_t errlen);
void kt_areas_free(struct kt_areas *a);

#endif
