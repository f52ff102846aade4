/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KHO root FDT (include/linux/kho/abi/kexec_handover.h).
 * kho-v4 (7.x): "preserved-memory-map" is the radix tree root; each sub-node names
 * a sub-blob by "preserved-data" (phys) and "blob-size".
 * kho-v1 (6.16-6.19): sub-nodes carry "fdt" (phys of a sub-FDT).
 */
#ifndef KT_KHO_ROOT_H
#define KT_KHO_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decoder.h"
#include "decode/fdt.h"

struct kt_kho_sub {
	char *name;
	bool has_data, has_size;
	uint64_t data; /* phys of the blob (v1: of the sub-FDT) */
	uint64_t size; /* v4 only */
};

struct kt_kho_root {
	char *compat;	    /* the root's compatible string */
	int version;	    /* 4 (kho-v4), 1 (kho-v1), 0 another */
	bool has_mem_map;   /* a valid preserved-memory-map */
	uint64_t mem_map;   /* v4: radix tree root; v1: the bitmap list */
	size_t have, total; /* bytes readable and the header's size (have < total: the live out/fdt is cut) */
	struct kt_kho_sub *subs;
	size_t nr_subs;
};

/* Parse the root FDT (salvaging a truncated one). -EINVAL with why when it is no usable FDT. */
int kt_kho_root_parse(const struct kt_blob *b, struct kt_kho_root *r, char *why, size_t whylen);
void kt_kho_root_free(struct kt_kho_root *r);

/* Property names and types of the KHO root FDT, for rebuilding a truncated one. */
extern const struct kt_prop_schema kt_kho_root_names[];
extern const struct kt_decoder kt_dec_kho_v4, kt_dec_kho_v1;

#endif
