/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every FDT format shares: validation (fdt_check_full plus the alignment and
 * version checks libfdt 1.6.1 lacks), salvage of the truncated live root FDT, typed
 * properties, and one streaming walk that describes a blob to a sink.
 */
#ifndef KT_FDT_H
#define KT_FDT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decoder.h"

/* Property typing: how a format's properties are shown. */
enum kt_ptype {
	KT_P_AUTO, /* guessed: string list, u32, u64, or bytes */
	KT_P_STR,
	KT_P_U32,
	KT_P_U64,
	KT_P_ADDR,
	KT_P_SIZE,
	KT_P_HEX,
	KT_P_KHO_VMALLOC, /* struct kho_vmalloc: first, total_pages, flags, order */
};
struct kt_prop_schema {
	const char *name;
	enum kt_ptype type;
};

bool kt_fdt_is(const struct kt_blob *b);
/* A whole blob whose header is sound (the full check is left to the decoder). */
bool kt_fdt_header_ok(const struct kt_blob *b);
/*
 * The blob itself if whole and valid, a zero-padded copy (*owned) if it is the
 * truncated root FDT, NULL if unusable. names: the property names the format
 * uses, to rebuild those a truncation cut off (*rebuilt counts them).
 */
const void *kt_fdt_usable(const struct kt_blob *b, void **owned, const struct kt_prop_schema *names,
			  unsigned int *rebuilt);
/* kt_fdt_usable that explains itself to the sink: an error note when unusable, a warning when cut. */
const void *kt_fdt_open(const struct kt_blob *b, struct kt_sink *s, void **owned,
			const struct kt_prop_schema *names);

/* A string property, NULL unless present and NUL-terminated. */
const char *kt_fdt_str(const void *fdt, int node, const char *prop);
/* A native-endian u64 property. */
bool kt_fdt_u64(const void *fdt, int node, const char *prop, uint64_t *v);
/* The node's compatible is exactly compat. */
bool kt_fdt_compat_is(const void *fdt, int node, const char *compat);
/*
 * Every node's compatible (its first string), in document order, with the node's name ("/"
 * for the root). -EBADMSG when b is no usable FDT.
 */
int kt_fdt_compats(const struct kt_blob *b, void (*fn)(void *ctx, const char *node, const char *compat),
		   void *ctx);

/*
 * What a format adds to the walk (NULL members: nothing). good: mask of schema entries
 * with a valid value; compat: the node's compatible when it is one string, else NULL.
 */
struct kt_fdt_hooks {
	/* After the root's properties (its fields), before any node. */
	void (*root)(const void *fdt, uint64_t good, struct kt_sink *s, void *arg);
	/* The format of a node right below the root, before it begins. */
	const char *(*format)(const char *compat, void *arg);
	/* After the properties of a node right below the root, before its children. */
	void (*check)(const void *fdt, int node, const char *compat, uint64_t good, struct kt_sink *s,
		      void *arg);
	void *arg;
};
/*
 * The root's properties as fields of the current node, then every node below it in
 * document order, each with its properties typed by schema (NULL: guessed).
 */
void kt_fdt_emit(const void *fdt, const struct kt_prop_schema *schema, const struct kt_fdt_hooks *h,
		 struct kt_sink *s, const struct kt_dctx *c);

#endif
