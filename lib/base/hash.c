// SPDX-License-Identifier: GPL-2.0-only
#include "base/hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void kt_sha256_hex(const void *data, size_t len, char out[KT_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		n = 0;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = '\0';
}

static size_t slot_of(uint64_t v, size_t mask)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return v & mask;
}

static void put(struct kt_u64set *set, uint64_t v)
{
	size_t mask = set->cap - 1, i;

	for (i = slot_of(v, mask); set->slot[i]; i = (i + 1) & mask)
		;
	set->slot[i] = v;
}

bool kt_u64set_add(struct kt_u64set *set, uint64_t v)
{
	size_t mask, i;

	if (!v) {
		if (set->has_zero)
			return false;
		set->has_zero = true;
		set->n++;
		return true;
	}
	if (2 * (set->n + 1) > set->cap) {
		struct kt_u64set bigger = {.cap = set->cap ? 2 * set->cap : 64};
		size_t k;

		bigger.slot = kt_calloc(bigger.cap, sizeof(*bigger.slot));
		for (k = 0; k < set->cap; k++)
			if (set->slot[k])
				put(&bigger, set->slot[k]);
		free(set->slot);
		set->slot = bigger.slot;
		set->cap = bigger.cap;
	}
	mask = set->cap - 1;
	for (i = slot_of(v, mask); set->slot[i]; i = (i + 1) & mask)
		if (set->slot[i] == v)
			return false;
	set->slot[i] = v;
	set->n++;
	return true;
}

void kt_u64set_free(struct kt_u64set *set)
{
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

const char *kt_strset_add(struct kt_strset *set, const char *s)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i], s))
			return set->v[i];
	KT_GROW(set->v, set->cap, set->n + 1);
	return set->v[set->n++] = kt_strdup(s);
}

void kt_strset_free(struct kt_strset *set)
{
	while (set->n)
		free(set->v[--set->n]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}
