/* SPDX-License-Identifier: GPL-2.0-only */
/* Digests, sets of numbers, and strings kept once. */
#ifndef KT_HASH_H
#define KT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_SHA256_HEX 65

void kt_sha256_hex(const void *data, size_t len, char out[KT_SHA256_HEX]);

/* A set of u64 (open addressing, grown at half full): pages visited by the walkers. */
struct kt_u64set {
	uint64_t *slot; /* 0 = empty; the value 0 itself is kept in has_zero */
	size_t cap, n;
	bool has_zero;
};
/* true if v was added, false if it was there already. */
bool kt_u64set_add(struct kt_u64set *set, uint64_t v);
void kt_u64set_free(struct kt_u64set *set);

/* Strings kept once each, for many records to point at (a few names shared by millions). */
struct kt_strset {
	char **v;
	size_t n, cap;
};
/* s as kept in set (a copy made on first sight), valid until kt_strset_free. */
const char *kt_strset_add(struct kt_strset *set, const char *s);
void kt_strset_free(struct kt_strset *set);

#endif
