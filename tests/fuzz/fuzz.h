/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the libFuzzer targets. Every decode runs into three sinks:
 *  - a checking sink that enforces the sink contract (decode/sink.h): nodes
 *    balance, nesting stays within what the JSON renderer can hold, no field
 *    after a child inside a node (the JSON renderer would drop it), non-empty
 *    STRLIST values NUL-terminated;
 *  - the text renderer (render/text.h), with --raw, into /dev/null;
 *  - the JSON renderer (render/json_tree.h), with --raw, into memory, and the
 *    result must parse, as UTF-8 (the writer passes well-formed UTF-8 through
 *    and escapes every other byte).
 * A broken invariant aborts, so libFuzzer keeps the input as a crash.
 */
#ifndef KT_FUZZ_H
#define KT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kcore_image.h"
#include "base/json_write.h"
#include "decode/decoders.h"
#include "model/luo_state.h"
#include "render/json_tree.h"
#include "render/text.h"
#include "source/physmem.h"

#define FUZZ_CHECK(cond)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "fuzz: check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);      \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

/*
 * A decoder's own nesting must leave room for what the view puts above a blob
 * ("out", "sub_fdts") and for the JSON renderer's node for a late note.
 */
#define FUZZ_MAX_DEPTH (KT_JSON_TREE_MAX_DEPTH - 3)

/* ---- the checking sink ----------------------------------------------------- */

struct fuzz_check_sink {
	struct kt_sink sink;
	int depth;
	int max_depth;
	bool had_child[KT_JSON_TREE_MAX_DEPTH + 1];
};

static inline void fcs_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct fuzz_check_sink *c = ctx;

	(void)format;
	(void)size;
	FUZZ_CHECK(name);
	FUZZ_CHECK(c->depth < c->max_depth);
	c->had_child[c->depth] = true;
	c->had_child[++c->depth] = false;
}

static inline void fcs_field(void *ctx, const char *key, const struct kt_val *v)
{
	struct fuzz_check_sink *c = ctx;

	FUZZ_CHECK(key);
	/*
	 * Fields go before children: the JSON renderer drops a late one. Outside any
	 * node (depth 0) the renderers give a field or note a node of its own.
	 */
	FUZZ_CHECK(!c->depth || !c->had_child[c->depth]);
	if (v->type == KT_V_STR || v->type == KT_V_BYTES)
		FUZZ_CHECK(v->s || !v->n);
	/* Renderers walk a non-empty STRLIST with strlen: the last string must end at s[n]. */
	if (v->type == KT_V_STRLIST && v->n)
		FUZZ_CHECK(v->s && v->s[v->n] == '\0');
}

static inline void fcs_note(void *ctx, enum kt_note kind, const char *msg)
{
	(void)ctx;
	FUZZ_CHECK(msg);
	FUZZ_CHECK(kind < KT_NR_NOTES);
}

static inline void fcs_end(void *ctx)
{
	struct fuzz_check_sink *c = ctx;

	FUZZ_CHECK(c->depth > 0);
	c->depth--;
}

static const struct kt_sink_ops fuzz_check_ops = {fcs_begin, fcs_field, fcs_note, fcs_end};

static inline void fuzz_check_sink_init(struct fuzz_check_sink *c, int max_depth)
{
	memset(c, 0, sizeof(*c));
	c->sink = (struct kt_sink){.ops = &fuzz_check_ops, .ctx = c};
	c->max_depth = max_depth;
}

/* ---- a JSON syntax check for what the renderer wrote ----------------------- */

struct fuzz_json {
	const char *p, *end;
	int depth;
};

static inline void fj_ws(struct fuzz_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static inline bool fj_lit(struct fuzz_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

/*
 * The length of the well-formed UTF-8 sequence at p (lead byte 0x80 or above), or 0:
 * no stray continuation byte, overlong form, surrogate or code point past U+10FFFF.
 * Written apart from the writer's own check, so that a mistake there shows here.
 */
static inline size_t fj_utf8(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;
	uint32_t cp;

	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
		cp = *p & 0x1f;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		cp = *p & 0x0f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		cp = *p & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static inline bool fj_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool fj_string(struct fuzz_json *j)
{
	if (j->p >= j->end || *j->p++ != '"')
		return false;
	while (j->p < j->end) {
		unsigned char c = *j->p++;
		size_t n;
		int i;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			n = fj_utf8((const unsigned char *)j->p - 1, (const unsigned char *)j->end);
			if (!n)
				return false;
			j->p += n - 1;
			continue;
		}
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return false;
		c = *j->p++;
		/* Not strchr: it would take the NUL at the end of its set for an escape. */
		if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
		    c == 't')
			continue;
		if (c != 'u' || j->end - j->p < 4)
			return false;
		for (i = 0; i < 4; i++, j->p++)
			if (!fj_hex(*j->p))
				return false;
	}
	return false;
}

/* An integer as the writer puts them (u64, i64): no fraction, no leading zero. */
static inline bool fj_number(struct fuzz_json *j)
{
	const char *s;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s && (*s != '0' || j->p == s + 1);
}

static inline bool fj_value(struct fuzz_json *j);

/* Members of an object or elements of an array, after the opening bracket. */
static inline bool fj_members(struct fuzz_json *j, bool object)
{
	char close = object ? '}' : ']';

	if (++j->depth > 512)
		return false;
	fj_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			fj_ws(j);
			if (!fj_string(j))
				return false;
			fj_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!fj_value(j))
			return false;
		fj_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			return false;
		j->depth--;
		return true;
	}
}

static inline bool fj_value(struct fuzz_json *j)
{
	fj_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		j->p++;
		return fj_members(j, true);
	case '[':
		j->p++;
		return fj_members(j, false);
	case '"':
		return fj_string(j);
	case 't':
		return fj_lit(j, "true");
	case 'f':
		return fj_lit(j, "false");
	case 'n':
		return fj_lit(j, "null");
	default:
		return fj_number(j);
	}
}

/* One document: a value, then only whitespace. */
static inline bool fuzz_json_valid(const char *buf, size_t len)
{
	struct fuzz_json j = {buf, buf + len, 0};

	if (!fj_value(&j))
		return false;
	fj_ws(&j);
	return j.p == j.end;
}

/* ---- running a decode into every sink -------------------------------------- */

/* Something that writes to a sink: one decode, a view of a snapshot, ... */
typedef void (*fuzz_emit_fn)(struct kt_sink *s, const void *arg);

static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	FUZZ_CHECK(f);
	return f;
}

/* emit into the checking sink (nesting limited to max_depth), text and JSON. */
static inline void fuzz_all_sinks(fuzz_emit_fn emit, const void *arg, int max_depth, bool pretty)
{
	struct fuzz_check_sink cs;
	struct kt_text_sink ts;
	struct kt_json_sink js;
	struct kt_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	fuzz_check_sink_init(&cs, max_depth);
	emit(&cs.sink, arg);
	FUZZ_CHECK(cs.depth == 0);

	kt_text_sink_init(&ts, fuzz_devnull(), true);
	emit(&ts.sink, arg);
	FUZZ_CHECK(ts.depth == 0);
	/* The text and JSON renderers count the same errors as the checking sink. */
	FUZZ_CHECK(ts.sink.errors == cs.sink.errors);

	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f);
	kt_json_init(&j, f, pretty);
	kt_json_arr_begin(&j, NULL);
	kt_json_sink_init(&js, &j, true);
	emit(&js.sink, arg);
	FUZZ_CHECK(js.depth == 0);
	FUZZ_CHECK(js.sink.errors == cs.sink.errors);
	kt_json_arr_end(&j);
	kt_json_finish(&j);
	FUZZ_CHECK(!fclose(f));
	if (!fuzz_json_valid(buf, len)) {
		fprintf(stderr, "fuzz: invalid JSON from the renderer:\n%.*s\n",
			(int)(len < 4096 ? len : 4096), buf);
		abort();
	}
	free(buf);
}

/* One blob for one decoder (NULL: the table's choice, as kho-inspect does). */
struct fuzz_decode_arg {
	const struct kt_decoder *dec;
	struct kt_blob blob;
	const struct kt_dctx *ctx;
};

static inline void fuzz_emit_decode(struct kt_sink *s, const void *arg)
{
	const struct fuzz_decode_arg *a = arg;
	uint64_t size = a->blob.len;

	if (!a->dec) {
		kt_decode_blob(&a->blob, s, a->ctx);
		return;
	}
	/* What kt_decode_blob does, with the decoder forced. */
	kt_node_begin(s, a->blob.name, a->dec->format, &size);
	a->dec->decode(&a->blob, s, a->ctx);
	kt_node_end(s);
}

/*
 * A snapshot for the decoder context: every well-known sub-blob name in both
 * directions, each holding the input itself (so the root's blob-size check
 * sometimes matches).
 */
static inline const struct kt_snapshot *fuzz_snapshot_of(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"LUO", "kexec-metadata", "kho_test", "memblock"};
	static struct kt_blob subs[KT_NR_DIRS][4];
	static struct kt_snapshot snap;
	size_t d, i;

	for (d = 0; d < KT_NR_DIRS; d++) {
		for (i = 0; i < 4; i++)
			subs[d][i] = (struct kt_blob){names[i], names[i], data, size};
		snap.dir[d].present = true;
		snap.dir[d].subs = subs[d];
		snap.dir[d].nr_subs = 4;
	}
	return &snap;
}

/*
 * A malloc'd copy of exactly size bytes, aligned as the snapshot loaders' buffers
 * are (the FDT readers refuse a misaligned blob), where ASan sees any overread.
 */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	FUZZ_CHECK(p);
	memcpy(p, data, size);
	return p;
}

/*
 * Decode data as blob name with dec into every sink: once without a context
 * (decoders accept NULL), once with a snapshot context in direction dirn.
 */
static inline void fuzz_decode(const struct kt_decoder *dec, const char *name, const uint8_t *data,
			       size_t size, enum kt_dirn dirn)
{
	uint8_t *blob = fuzz_dup(data, size);
	struct kt_dctx c = {.snap = fuzz_snapshot_of(blob, size), .dirn = dirn, .raw = true};
	struct fuzz_decode_arg a = {dec, {name, name, blob, size}, NULL};
	struct fuzz_check_sink cs;

	fuzz_check_sink_init(&cs, FUZZ_MAX_DEPTH);
	fuzz_emit_decode(&cs.sink, &a);
	FUZZ_CHECK(cs.depth == 0);
	a.ctx = &c;
	fuzz_all_sinks(fuzz_emit_decode, &a, FUZZ_MAX_DEPTH, size & 1);
	free(blob);
}

/* ---- inputs as files --------------------------------------------------------- */

/*
 * An in-memory file kept open for the process, "/proc/self/fd/N" in path: made on the
 * first call (*fd < 0), then rewritten with a followed by b for each input.
 */
static inline const char *fuzz_file(int *fd, char path[64], const char *name, const void *a, size_t alen,
				    const void *b, size_t blen)
{
	if (*fd < 0) {
		*fd = memfd_create(name, MFD_CLOEXEC);
		FUZZ_CHECK(*fd >= 0);
		snprintf(path, 64, "/proc/self/fd/%d", *fd);
	}
	FUZZ_CHECK(!ftruncate(*fd, 0));
	FUZZ_CHECK(!alen || pwrite(*fd, a, alen, 0) == (ssize_t)alen);
	FUZZ_CHECK(!blen || pwrite(*fd, b, blen, (off_t)alen) == (ssize_t)blen);
	return path;
}

/* Parsers that take a path read the input from an in-memory file. */
static inline const char *fuzz_as_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	return fuzz_file(&fd, path, "fuzz-input", data, size, NULL, 0);
}

/*
 * Memory as kcore shows it: size bytes of RAM at paddr, in the direct map too, exactly
 * the input (a last page cut short is a segment shorter than a page), with iomem. The
 * files are rewritten by the next call: close the result before.
 */
static inline struct kt_physmem *fuzz_open_ram(const void *data, size_t size, uint64_t paddr,
					       const char *iomem)
{
	static char kpath[64], ipath[64];
	static int kfd = -1, ifd = -1;
	uint8_t hdr[4096] = {0};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)hdr;
	Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(*eh));
	struct kt_physmem *pm;
	char err[256];

	kt_core_ehdr(eh, 2);
	ph[0] = (Elf64_Phdr){.p_type = PT_NOTE};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = sizeof(hdr),
			     .p_vaddr = 0xffff888000000000ULL + paddr,
			     .p_paddr = paddr,
			     .p_filesz = size,
			     .p_memsz = size};
	fuzz_file(&kfd, kpath, "kcore", hdr, sizeof(hdr), data, size);
	fuzz_file(&ifd, ipath, "iomem", iomem, strlen(iomem), NULL, 0);
	if (kt_physmem_open_kcore(kpath, ipath, &pm, err, sizeof(err))) {
		fprintf(stderr, "fuzz: cannot open the image: %s\n", err);
		abort();
	}
	return pm;
}

/* ---- the saved LUO state ----------------------------------------------------- */

/* What save writes of st reads back to a state that saves to the same bytes. */
static inline void fuzz_check_luo_saved(const struct kt_luo_state *st)
{
	struct kt_luo_state back = {0};
	uint8_t *a, *b;
	size_t alen, blen;
	char err[256] = "";

	kt_luo_state_export(st, &a, &alen);
	if (kt_luo_state_import(a, alen, &back, err, sizeof(err))) {
		fprintf(stderr, "fuzz: the saved form does not read back: %s\n", err);
		abort();
	}
	FUZZ_CHECK(back.nr_sessions == st->nr_sessions && back.nr_flbs == st->nr_flbs);
	kt_luo_state_export(&back, &b, &blen);
	if (alen != blen || memcmp(a, b, alen)) {
		fprintf(stderr, "fuzz: saved, read back and saved again differs:\n%.*s\n----\n%.*s\n",
			(int)alen, a, (int)blen, b);
		abort();
	}
	free(a);
	free(b);
	kt_luo_state_free(&back);
}

#endif
