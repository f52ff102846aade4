// SPDX-License-Identifier: GPL-2.0-only
/*
 * FDT blobs: validation, salvage of a truncated blob, and the walker every FDT
 * decoder shares. Values in KHO FDTs are stored in the CPU's byte order (not as
 * big-endian cells), so numbers are read native-endian.
 */
#include "decode/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"

#define MAX_FDT_DEPTH 32

bool kt_fdt_is(const struct kt_blob *b)
{
	return b->len >= 4 && fdt_magic(b->data) == FDT_MAGIC;
}

#define MAX_NAMES 256

/*
 * libfdt reads cells in place: blocks must be aligned as the spec requires
 * (reservation map 8, structure block 4), and versions before 16 (no strings
 * block offsets of the kind libfdt's readers expect) are not walked.
 */
static bool aligned(const void *fdt)
{
	return !(fdt_off_mem_rsvmap(fdt) % 8) && !(fdt_off_dt_struct(fdt) % 4) && fdt_version(fdt) >= 16 &&
	       fdt_last_comp_version(fdt) <= 17;
}

static bool is_strlist(const char *p, int len)
{
	int i;

	if (len < 2 || p[len - 1] || !p[0])
		return false;
	for (i = 0; i < len - 1; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f)
			continue; /* printable in every locale: the common case, without a call */
		if (p[i] == '\0' ? p[i + 1] == '\0' : !kt_printable(p + i, 1))
			return false;
	}
	return true;
}

struct name_use {
	uint32_t off;
	bool str_ok, u64_ok; /* every property using this name holds a string / 8 bytes */
};

static int cmp_use(const void *a, const void *b)
{
	uint32_t x = ((const struct name_use *)a)->off, y = ((const struct name_use *)b)->off;

	return x < y ? -1 : x > y;
}

static bool type_fits(enum kt_ptype t, const struct name_use *u)
{
	if (t == KT_P_STR)
		return u->str_ok;
	if (t == KT_P_U64 || t == KT_P_ADDR || t == KT_P_SIZE)
		return u->u64_ok;
	return true;
}

/*
 * When the cut falls inside the strings block, property names are lost but their
 * offsets survive in the struct block. Sorted, the distinct offsets give each
 * name's length (the last one only a bound); a name the format uses that has that
 * length, fits the type of every value stored under it, and is not taken by
 * another offset gives the name back. Returns how many names were rebuilt.
 */
static unsigned int rebuild_names(uint8_t *fdt, size_t have, const struct kt_prop_schema *names)
{
	uint32_t str = fdt_off_dt_strings(fdt), size = fdt_size_dt_strings(fdt);
	struct name_use use[MAX_NAMES];
	unsigned int n = 0, i, k, rebuilt = 0;
	const char *taken[MAX_NAMES];
	unsigned int ntaken = 0;
	int off = 0, next, tag;

	if (!names || (uint64_t)str + size <= have)
		return 0;
	do {
		tag = fdt_next_tag(fdt, off, &next);
		if (tag == FDT_PROP) {
			int len;
			const struct fdt_property *p = fdt_get_property_by_offset(fdt, off, &len);

			if (p && n < MAX_NAMES)
				use[n++] = (struct name_use){fdt32_ld(&p->nameoff), is_strlist(p->data, len),
							     len == 8};
		}
		off = next;
	} while (tag != FDT_END && off > 0);
	qsort(use, n, sizeof(*use), cmp_use);
	for (i = 1, k = n ? 1 : 0; i < n; i++) {
		if (use[i].off != use[k - 1].off) {
			use[k++] = use[i];
			continue;
		}
		use[k - 1].str_ok &= use[i].str_ok;
		use[k - 1].u64_ok &= use[i].u64_ok;
	}
	n = k;
	/* Names that survived are taken. */
	for (i = 0; i < n; i++)
		if ((uint64_t)str + use[i].off < have &&
		    memchr(fdt + str + use[i].off, '\0', have - str - use[i].off))
			taken[ntaken++] = (const char *)fdt + str + use[i].off;
	for (i = 0; i < n; i++) {
		uint32_t o = use[i].off, end = i + 1 < n && use[i + 1].off < size ? use[i + 1].off : size,
			 match = 0, pass;
		const struct kt_prop_schema *nm, *found = NULL;

		if (end <= o || o >= size ||
		    ((uint64_t)str + o < have && memchr(fdt + str + o, '\0', have - str - o)))
			continue; /* bogus offset, or this name survived the cut */
		/*
		 * Between two offsets the length is exact. The last one may run to the
		 * end of the block (exact) or be followed by names no surviving
		 * property uses (a bound): try exact first.
		 */
		for (pass = 0; pass < 2 && match != 1; pass++) {
			match = 0;
			for (nm = names; nm->name; nm++) {
				size_t l = strlen(nm->name);
				bool dup = false;

				for (k = 0; k < ntaken; k++)
					dup |= !strcmp(taken[k], nm->name);
				if (dup || !type_fits(nm->type, &use[i]) ||
				    (i + 1 < n || !pass ? l != end - o - 1 : l > end - o - 1))
					continue;
				found = nm;
				match++;
			}
		}
		if (match == 1) {
			memcpy(fdt + str + o, found->name, strlen(found->name) + 1);
			taken[ntaken++] = found->name;
			rebuilt++;
		}
	}
	return rebuilt;
}

/* End the structure block at the first tag that does not lie whole before the cut. */
static void cut_struct(uint8_t *fdt, size_t have)
{
	uint32_t base = fdt_off_dt_struct(fdt);
	int off = 0, next, tag;

	for (;;) {
		tag = fdt_next_tag(fdt, off, &next);
		if (tag == FDT_END || next < 0 || (uint64_t)base + next > have)
			break;
		off = next;
	}
	if ((uint64_t)base + off + sizeof(fdt32_t) <= fdt_totalsize(fdt))
		fdt32_st(fdt + base + off, FDT_END);
}

bool kt_fdt_header_ok(const struct kt_blob *b)
{
	return b->len >= sizeof(struct fdt_header) && fdt_magic(b->data) == FDT_MAGIC && aligned(b->data) &&
	       fdt_totalsize(b->data) <= b->len && !fdt_check_header(b->data);
}

const void *kt_fdt_usable(const struct kt_blob *b, void **owned, const struct kt_prop_schema *names,
			  unsigned int *rebuilt)
{
	unsigned int n;
	size_t total;

	*owned = NULL;
	if (rebuilt)
		*rebuilt = 0;
	if (b->len < sizeof(struct fdt_header) || fdt_magic(b->data) != FDT_MAGIC || !aligned(b->data))
		return NULL;
	total = fdt_totalsize(b->data);
	if (total <= b->len)
		return fdt_check_full(b->data, b->len) ? NULL : b->data;
	/*
	 * debugfs keeps the size the root FDT had when it was registered, so the live
	 * out/fdt is cut short: that one is salvaged. A copy padded with zeroes up to
	 * totalsize keeps libfdt's reads in bounds; its structure block ends where the
	 * first incomplete tag starts, so nothing of the padding is shown as data.
	 * Any other truncated blob is malformed.
	 */
	if (total > KT_MAX_BLOB_SIZE || strcmp(b->name, "fdt"))
		return NULL;
	*owned = kt_calloc(1, total);
	memcpy(*owned, b->data, b->len);
	if (fdt_check_header(*owned)) {
		free(*owned);
		*owned = NULL;
		return NULL;
	}
	cut_struct(*owned, b->len);
	n = rebuild_names(*owned, b->len, names);
	if (rebuilt)
		*rebuilt = n;
	return *owned;
}

const void *kt_fdt_open(const struct kt_blob *b, struct kt_sink *s, void **owned,
			const struct kt_prop_schema *names)
{
	const void *fdt;
	unsigned int rebuilt;
	size_t total;
	int err;

	*owned = NULL;
	if (b->len < sizeof(struct fdt_header)) {
		kt_note(s, KT_NOTE_ERROR, "too short for an FDT header: %zu bytes", b->len);
		return NULL;
	}
	if (fdt_magic(b->data) != FDT_MAGIC || !aligned(b->data)) {
		kt_note(s, KT_NOTE_ERROR, "malformed FDT: %s",
			fdt_magic(b->data) != FDT_MAGIC ? "bad magic"
							: "unsupported version or misaligned blocks");
		return NULL;
	}
	total = fdt_totalsize(b->data);
	fdt = kt_fdt_usable(b, owned, names, &rebuilt);
	if (fdt && total > b->len) {
		kt_note(s, KT_NOTE_WARNING,
			"truncated: %zu of %zu bytes readable (%zu missing); showing what is there%s", b->len,
			total, total - b->len,
			rebuilt ? "; property names past the cut inferred from the format" : "");
		return fdt;
	}
	if (fdt)
		return fdt;
	if (total > b->len) {
		kt_note(s, KT_NOTE_ERROR, "truncated: %zu of %zu bytes", b->len, total);
		return NULL;
	}
	err = fdt_check_full(b->data, b->len);
	kt_note(s, KT_NOTE_ERROR, "malformed FDT: %s", fdt_strerror(err ? err : -FDT_ERR_BADSTRUCTURE));
	return NULL;
}

bool kt_fdt_u64(const void *fdt, int node, const char *prop, uint64_t *v)
{
	int len;
	const void *p = fdt_getprop(fdt, node, prop, &len);

	if (!p || len != 8)
		return false;
	*v = kt_le64(p);
	return true;
}

static void emit_kho_vmalloc(struct kt_sink *s, const char *name, const void *p)
{
	struct kho_vmalloc_ser v;
	char key[128];

	memcpy(&v, p, sizeof(v));
	snprintf(key, sizeof(key), "%s.first", name);
	kt_field_addr(s, key, v.first);
	snprintf(key, sizeof(key), "%s.total_pages", name);
	kt_field_u64(s, key, v.total_pages);
	snprintf(key, sizeof(key), "%s.flags", name);
	kt_field_u64(s, key, v.flags);
	snprintf(key, sizeof(key), "%s.order", name);
	kt_field_u64(s, key, v.order);
}

static enum kt_ptype guess(const char *p, int len)
{
	if (is_strlist(p, len))
		return KT_P_STR;
	if (len == 4)
		return KT_P_U32;
	if (len == 8)
		return KT_P_U64;
	return KT_P_HEX;
}

static bool emit_prop(const char *name, const char *p, int len, enum kt_ptype t, struct kt_sink *s,
		      const struct kt_dctx *c)
{
	struct kt_val v = {.raw = c && c->raw ? p : NULL, .raw_len = len};
	bool ok = true;

	if (t == KT_P_AUTO)
		t = guess(p, len);
	switch (t) {
	case KT_P_STR:
		if (!is_strlist(p, len)) {
			ok = false;
			goto bytes;
		}
		v.type = memchr(p, '\0', len - 1) ? KT_V_STRLIST : KT_V_STR;
		v.s = p;
		v.n = len - 1;
		break;
	case KT_P_U32:
		if (len != 4) {
			ok = false;
			goto bytes;
		}
		v.type = KT_V_U64;
		v.u = kt_le32(p);
		break;
	case KT_P_U64:
	case KT_P_ADDR:
	case KT_P_SIZE:
		if (len != 8) {
			ok = false;
			goto bytes;
		}
		v.type = t == KT_P_ADDR ? KT_V_ADDR : t == KT_P_SIZE ? KT_V_SIZE : KT_V_U64;
		v.u = kt_le64(p);
		break;
	case KT_P_KHO_VMALLOC:
		if (len != sizeof(struct kho_vmalloc_ser)) {
			ok = false;
			goto bytes;
		}
		emit_kho_vmalloc(s, name, p);
		return true;
	case KT_P_HEX:
	case KT_P_AUTO:
	bytes:
		if (len == 0) {
			v.type = KT_V_BOOL;
			v.u = 1;
			break;
		}
		v.type = KT_V_BYTES;
		v.s = p;
		v.n = len;
		break;
	}
	kt_field(s, name, &v);
	return ok;
}

const char *kt_fdt_str(const void *fdt, int node, const char *prop)
{
	int len;
	const char *p = fdt_getprop(fdt, node, prop, &len);

	return p && len > 0 && !p[len - 1] ? p : NULL;
}

bool kt_fdt_compat_is(const void *fdt, int node, const char *compat)
{
	int len;
	const char *p = fdt_getprop(fdt, node, "compatible", &len);

	return p && len > 0 && (size_t)len == strlen(compat) + 1 && !memcmp(p, compat, len);
}

int kt_fdt_compats(const struct kt_blob *b, void (*fn)(void *ctx, const char *node, const char *compat),
		   void *ctx)
{
	void *owned = NULL;
	const void *fdt = kt_fdt_usable(b, &owned, NULL, NULL);
	int node, depth = 0;

	if (!fdt)
		return -EBADMSG;
	for (node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		const char *c = kt_fdt_str(fdt, node, "compatible");

		if (c)
			fn(ctx, node ? fdt_get_name(fdt, node, NULL) : "/", c);
	}
	free(owned);
	return 0;
}

/*
 * One pass with libfdt's tag iterator, which checks that every tag fits the structure
 * block; property names are looked up once per string offset, as most blobs use a
 * handful of names a million times.
 */
struct walk {
	const void *fdt;
	const char *str; /* strings block */
	uint32_t str_len;
	const struct kt_prop_schema *schema;
	struct name_cache {
		uint32_t off;	  /* UINT32_MAX: empty */
		const char *name; /* NULL: not a terminated string inside the block */
		int idx;	  /* schema entry, or -1 */
	} names[64];
};

static void walk_init(struct walk *w, const void *fdt, const struct kt_prop_schema *schema)
{
	uint32_t total = fdt_totalsize(fdt), str = fdt_off_dt_strings(fdt);
	size_t i;

	w->fdt = fdt;
	w->str = (const char *)fdt + str;
	w->str_len = str < total ? total - str : 0;
	if (fdt_version(fdt) >= 17 && fdt_size_dt_strings(fdt) < w->str_len)
		w->str_len = fdt_size_dt_strings(fdt);
	w->schema = schema;
	/* An empty entry is a name offset past any block: a lookup of that offset finds it lost. */
	for (i = 0; i < KT_ARRAY_SIZE(w->names); i++)
		w->names[i] = (struct name_cache){.off = UINT32_MAX, .name = NULL, .idx = -1};
}

/* A tag the walk understands: its kind, where it lies and where the next one starts. */
struct tag {
	uint32_t kind;
	int off, next;
	const char *name; /* FDT_BEGIN_NODE: its name; FDT_PROP: the property's name (NULL if lost) */
	const char *data; /* FDT_PROP */
	uint32_t len;
	int idx; /* FDT_PROP: schema entry, or -1 */
};

static const struct name_cache *prop_name(struct walk *w, uint32_t nameoff)
{
	struct name_cache *e = &w->names[nameoff % KT_ARRAY_SIZE(w->names)];
	int i;

	if (e->off == nameoff)
		return e;
	e->off = nameoff;
	e->name = nameoff < w->str_len && memchr(w->str + nameoff, '\0', w->str_len - nameoff)
		      ? w->str + nameoff
		      : NULL;
	e->idx = -1;
	for (i = 0; e->name && w->schema && w->schema[i].name; i++)
		if (!strcmp(w->schema[i].name, e->name)) {
			e->idx = i;
			break;
		}
	return e;
}

/* The tag at t->off; false at FDT_END or where the block does not hold a whole tag. */
static bool next_tag(struct walk *w, struct tag *t)
{
	const struct fdt_property *fp;
	const struct name_cache *nc;

	t->kind = fdt_next_tag(w->fdt, t->off, &t->next);
	if (t->next < 0 || t->kind == FDT_END)
		return false;
	if (t->kind == FDT_BEGIN_NODE) {
		t->name = fdt_offset_ptr(w->fdt, t->off + FDT_TAGSIZE, 1);
	} else if (t->kind == FDT_PROP) {
		fp = fdt_offset_ptr(w->fdt, t->off, sizeof(*fp));
		t->len = fdt32_ld(&fp->len);
		/* libfdt 1.6.1 lets a length near 4 GiB wrap its offset: never trust it. */
		if (t->len > fdt_totalsize(w->fdt) - (uint32_t)(fp->data - (const char *)w->fdt))
			return false;
		nc = prop_name(w, fdt32_ld(&fp->nameoff));
		t->name = nc->name;
		t->idx = nc->idx;
		t->data = fp->data;
	}
	return t->name || t->kind != FDT_BEGIN_NODE;
}

/*
 * The compatible of the node whose properties start at off: a single string, or NULL.
 * Read ahead so a format's hook can name the node before it begins.
 */
static const char *node_compat(struct walk *w, int off)
{
	struct tag t = {.off = off};

	for (; next_tag(w, &t) && (t.kind == FDT_PROP || t.kind == FDT_NOP); t.off = t.next)
		if (t.kind == FDT_PROP && t.name && !strcmp(t.name, "compatible"))
			return t.len && memchr(t.data, '\0', t.len) == t.data + t.len - 1 ? t.data : NULL;
	return NULL;
}

/* The properties of the node being walked: which schema entries held a valid value, the first that did not.
 */
struct props {
	int node, depth;
	const char *compat;
	uint64_t good;
	char bad[64];
	int badlen;
	bool open;
};

static void props_end(const void *fdt, struct props *p, const struct kt_fdt_hooks *h, struct kt_sink *s)
{
	if (!p->open)
		return;
	p->open = false;
	if (p->bad[0])
		kt_note(s, KT_NOTE_ERROR, "property '%s' has an unexpected length (%d bytes)", p->bad,
			p->badlen);
	if (h && p->depth == 0 && h->root)
		h->root(fdt, p->good, s, h->arg);
	if (h && p->depth == 1 && h->check)
		h->check(fdt, p->node, p->compat, p->good, s, h->arg);
}

/* One property of the open node. */
static void prop(const struct tag *t, const struct kt_prop_schema *schema, struct props *p, struct kt_sink *s,
		 const struct kt_dctx *c)
{
	const char *name = t->name;
	char unknown[32];

	if (!name || !name[0]) {
		/* Name lost (truncated strings block): keep keys unique. */
		snprintf(unknown, sizeof(unknown), "?%d", t->off);
		name = unknown;
	}
	if (!emit_prop(name, t->data, (int)t->len, t->idx < 0 ? KT_P_AUTO : schema[t->idx].type, s, c)) {
		if (!p->bad[0]) {
			snprintf(p->bad, sizeof(p->bad), "%s", name);
			p->badlen = (int)t->len;
		}
	} else if (t->idx >= 0 && t->idx < 64) {
		p->good |= 1ULL << t->idx;
	}
}

/*
 * One pass over the structure block: every node is met once, its properties as they
 * come, so a million-node blob costs one walk.
 */
void kt_fdt_emit(const void *fdt, const struct kt_prop_schema *schema, const struct kt_fdt_hooks *h,
		 struct kt_sink *s, const struct kt_dctx *c)
{
	struct props p = {.depth = -1};
	struct walk w;
	struct tag t = {.off = 0};
	int depth = -1;

	walk_init(&w, fdt, schema);
	for (; next_tag(&w, &t); t.off = t.next) {
		if (t.kind == FDT_PROP) {
			if (p.open)
				prop(&t, schema, &p, s, c);
			continue;
		}
		if (t.kind == FDT_BEGIN_NODE) {
			const char *compat = NULL;

			props_end(fdt, &p, h, s);
			if (depth + 1 > MAX_FDT_DEPTH) {
				kt_note(s, KT_NOTE_ERROR, "nodes nested deeper than %d", MAX_FDT_DEPTH);
				break;
			}
			if (++depth == 1 && h && (h->format || h->check))
				compat = node_compat(&w, t.next);
			if (depth > 0)
				kt_node_begin(s, t.name[0] ? t.name : "?",
					      depth == 1 && h && h->format ? h->format(compat, h->arg) : NULL,
					      NULL);
			p = (struct props){.node = t.off, .depth = depth, .compat = compat, .open = true};
		} else if (t.kind == FDT_END_NODE) {
			props_end(fdt, &p, h, s);
			if (depth-- > 0)
				kt_node_end(s);
			if (depth < 0)
				return;
		}
	}
	props_end(fdt, &p, h, s);
	for (; depth > 0; depth--)
		kt_node_end(s);
}
