/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoders: one file per format, all registered in one table (decoders.c) and
 * chosen by FDT compatible, blob name, or magic. A decoder describes a blob to a
 * sink; a blob it cannot decode becomes an error note on its node.
 */
#ifndef KT_DECODERS_H
#define KT_DECODERS_H

#include <stdbool.h>

#include "decode/sink.h"
#include "snapshot/snapshot.h"

struct kt_dctx {
	const struct kt_snapshot *snap;
	enum kt_dirn dirn;
	bool raw; /* add each property's stored bytes */
};

typedef void (*kt_decode_fn)(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);

struct kt_decoder {
	const char *format;  /* shown as the node's format: "kho-v4", "luo-v5", ... */
	const char *fdt_compat; /* match: root compatible of an FDT blob */
	const char *blob_name;	/* match: a raw (non-FDT) blob of this name */
	kt_decode_fn decode;
};

/* Pick the decoder for a blob (never NULL: generic FDT or raw at worst). */
const struct kt_decoder *kt_decoder_for(const struct kt_blob *b);
/* One node for the blob: name, format, size, then its decoded content. */
void kt_decode_blob(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);

/* Property typing for FDT formats (fdt_generic.c). */
enum kt_ptype {
	KT_P_AUTO,
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
/*
 * Validate an FDT blob (fdt_check_full; a truncated one is salvaged and flagged)
 * and walk it, typing properties by schema (NULL: guess). Returns the usable
 * FDT or NULL after an error note; *owned is freed by the caller. names: the
 * property names the format uses, to rebuild those a truncation cut off.
 */
const void *kt_fdt_open(const struct kt_blob *b, struct kt_sink *s, void **owned,
			const struct kt_prop_schema *names);
/* Emit a node's properties; returns a mask of the schema entries present with a valid value. */
uint64_t kt_fdt_emit_props(const void *fdt, int node, const struct kt_prop_schema *schema,
			   struct kt_sink *s, const struct kt_dctx *c);
/* A whole blob whose header is sound (the full check is left to the decoder). */
bool kt_fdt_header_ok(const struct kt_blob *b);
/* A string property, NULL unless present and NUL-terminated. */
const char *kt_fdt_str(const void *fdt, int node, const char *prop);
/* What a format adds to the nodes right below the root (NULL members: nothing). */
struct kt_fdt_hooks {
	/* The node's format, before it begins. */
	const char *(*format)(const void *fdt, int node, void *arg);
	/* After its properties (good: kt_fdt_emit_props' mask), before its children: checks, notes. */
	void (*check)(const void *fdt, int node, uint64_t good, struct kt_sink *s, void *arg);
	void *arg;
};
/* Every node below the root, once, in document order, with its properties typed by schema. */
void kt_fdt_emit_tree(const void *fdt, const struct kt_prop_schema *schema, const struct kt_fdt_hooks *h,
		      struct kt_sink *s, const struct kt_dctx *c);
bool kt_fdt_u64(const void *fdt, int node, const char *prop, uint64_t *v);
bool kt_fdt_is(const struct kt_blob *b);
/* The blob itself if whole, a zero-padded copy (*owned) if truncated, NULL if unusable. */
const void *kt_fdt_usable(const struct kt_blob *b, void **owned, const struct kt_prop_schema *names,
			  unsigned int *rebuilt);
void kt_emit_kho_vmalloc(struct kt_sink *s, const char *name, const void *p);
/* Property names and types of the KHO root FDT, for rebuilding a truncated one. */
extern const struct kt_prop_schema kt_kho_root_names[];

/* The decoders of the table. */
void kt_decode_kho_v4(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_kho_v1(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_memblock(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_kho_test(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_luo_v1(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_luo_v5(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_kexec_meta(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_fdt_generic(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);
void kt_decode_raw(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c);

#endif
