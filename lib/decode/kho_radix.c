// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walker of the KHO preserved-memory radix tree (see kho_radix.h). Written from
 * include/linux/kho/abi/kexec_handover.h and kho_radix_walk_tree() in
 * kernel/liveupdate/kexec_handover.c; every pointer is checked before use.
 */
#include "decode/kho_radix.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/util.h"

#define STOP 1 /* internal: a bound ended the walk (callbacks stop with a negative errno) */

uint64_t kt_radix_key(uint64_t pa, unsigned int order)
{
	unsigned int shift = KT_PAGE_SHIFT + order;

	if (order >= KT_RADIX_NR_ORDERS)
		return 0;
	return (1ULL << (64 - shift)) | (pa >> shift);
}

int kt_radix_decode(uint64_t key, uint64_t *pa, unsigned int *order)
{
	unsigned int order_bit, o;

	if (!key)
		return -EINVAL;
	order_bit = 63 - __builtin_clzll(key);
	if (order_bit >= KHO_RADIX_KEY_WIDTH)
		return -EINVAL;
	o = 64 - (KT_PAGE_SHIFT + order_bit);
	if (o >= KT_RADIX_NR_ORDERS)
		return -EINVAL;
	*order = o;
	/* The order bit shifts out. */
	*pa = key << (KT_PAGE_SHIFT + o);
	/* The block must end inside the address space (its exclusive end too). */
	if (*pa > UINT64_MAX - (1ULL << (KT_PAGE_SHIFT + o)))
		return -EINVAL;
	return 0;
}

/* ---- ranges ---------------------------------------------------------------- */

struct rlist {
	struct kt_range *r;
	size_t n, cap;
};

static void rl_push(struct rlist *l, uint64_t start, uint64_t end)
{
	if (l->n && l->r[l->n - 1].end >= start) {
		if (end > l->r[l->n - 1].end)
			l->r[l->n - 1].end = end;
		return;
	}
	KT_GROW(l->r, l->cap, l->n + 1);
	l->r[l->n++] = (struct kt_range){start, end};
}

/*
 * Merge the finished order's ranges into the result's. Both are sorted and
 * coalesced; blocks preserved under two orders show up here as overlap.
 */
static void merge_order(struct kt_radix_result *r, struct rlist *cur)
{
	struct rlist out = {0};
	size_t i = 0, k = 0;

	if (!cur->n)
		return;
	while (i < r->nr_ranges || k < cur->n) {
		const struct kt_range *next;

		if (k == cur->n || (i < r->nr_ranges && r->ranges[i].start <= cur->r[k].start))
			next = &r->ranges[i++];
		else
			next = &cur->r[k++];
		if (out.n && next->start < out.r[out.n - 1].end) {
			uint64_t e = out.r[out.n - 1].end;

			r->overlap_bytes += (next->end < e ? next->end : e) - next->start;
		}
		rl_push(&out, next->start, next->end);
	}
	free(r->ranges);
	r->ranges = out.r;
	r->nr_ranges = out.n;
	cur->n = 0;
}

/* ---- the walk -------------------------------------------------------------- */

struct walk {
	struct kt_physmem *pm;
	const struct kt_radix_ops *ops;
	void *ctx;
	struct kt_radix_result *r;
	uint64_t max_pages;
	uint64_t max_nodes;
	struct kt_u64set seen;
	uint8_t *buf[KHO_RADIX_MAX_DEPTH]; /* one page per level: a table stays while its children are read */
	struct rlist cur;		   /* the current order's ranges */
	int cur_order;
};

static void werr(struct walk *w, unsigned int level, uint64_t node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void werr(struct walk *w, unsigned int level, uint64_t node, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	w->r->errors++;
	if (!w->ops || !w->ops->error)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->ops->error(w->ctx, level, node, msg);
}

static const char *read_error(int e)
{
	switch (e) {
	case -EFAULT:
		return "not in readable memory (outside RAM, or not saved in this snapshot)";
	case -EIO:
		return "read failed (image truncated inside its segment?)";
	default:
		return strerror(-e);
	}
}

static int block(struct walk *w, uint64_t key, unsigned int bit, uint64_t leaf)
{
	struct kt_radix_result *r = w->r;
	unsigned int order;
	uint64_t pa, size;
	int ret;

	if (kt_radix_decode(key, &pa, &order)) {
		werr(w, 0, leaf, "leaf 0x%llx: bit %u gives key 0x%llx, which encodes no block",
		     (unsigned long long)leaf, bit, (unsigned long long)key);
		return 0;
	}
	size = 1ULL << (KT_PAGE_SHIFT + order);
	if (r->pages + (1ULL << order) > w->max_pages || r->pages + (1ULL << order) < r->pages) {
		werr(w, 0, leaf, "leaf 0x%llx: more preserved pages than RAM holds (%llu): walk stopped",
		     (unsigned long long)leaf, (unsigned long long)w->max_pages);
		return STOP;
	}
	r->blocks++;
	r->pages += 1ULL << order;
	r->bytes += size;
	r->order[order].count++;
	r->order[order].bytes += size;
	if ((int)order != w->cur_order) {
		merge_order(r, &w->cur);
		w->cur_order = order;
	}
	rl_push(&w->cur, pa, pa + size);
	ret = 0;
	if (w->ops && w->ops->block)
		ret = w->ops->block(w->ctx, pa, order);
	return ret > 0 ? 0 : ret;
}

static int leaf(struct walk *w, uint64_t pa, uint64_t prefix)
{
	const uint8_t *bm = w->buf[0];
	unsigned int i;
	int ret;

	w->r->leaves++;
	for (i = 0; i < KT_PAGE_SIZE / 8; i++) {
		uint64_t bits = kt_le64(bm + 8 * i);

		while (bits) {
			unsigned int bit = i * 64 + __builtin_ctzll(bits);

			bits &= bits - 1;
			ret = block(w, prefix | bit, bit, pa);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Is the pointer to a level-`level` node usable? Reads the node into buf[level]. */
static bool follow(struct walk *w, unsigned int level, uint64_t pa, uint64_t parent, unsigned int idx,
		   int *fatal)
{
	char from[96] = "";
	int ret;

	if (level < KT_RADIX_ROOT_LEVEL)
		snprintf(from, sizeof(from), " (entry %u of level-%u node 0x%llx)", idx, level + 1,
			 (unsigned long long)parent);
	if (pa & (KT_PAGE_SIZE - 1)) {
		werr(w, level, pa, "level-%u node 0x%llx%s: not page aligned", level, (unsigned long long)pa,
		     from);
		return false;
	}
	if (!kt_physmem_is_ram(w->pm, pa, KT_PAGE_SIZE)) {
		werr(w, level, pa, "level-%u node 0x%llx%s: outside RAM", level, (unsigned long long)pa,
		     from);
		return false;
	}
	if (w->seen.n >= w->max_nodes) {
		werr(w, level, pa, "level-%u node 0x%llx%s: more than %llu tree pages: walk stopped", level,
		     (unsigned long long)pa, from, (unsigned long long)w->max_nodes);
		*fatal = STOP;
		return false;
	}
	if (!kt_u64set_add(&w->seen, pa)) {
		werr(w, level, pa, "level-%u node 0x%llx%s: already visited (a loop or a shared node)", level,
		     (unsigned long long)pa, from);
		return false;
	}
	ret = kt_physmem_read(w->pm, pa, w->buf[level], KT_PAGE_SIZE);
	if (ret) {
		werr(w, level, pa, "level-%u node 0x%llx%s: %s", level, (unsigned long long)pa, from,
		     read_error(ret));
		return false;
	}
	return true;
}

static int table(struct walk *w, unsigned int level, uint64_t pa, uint64_t prefix)
{
	unsigned int shift = KHO_RADIX_BITMAP_LOG2 + KHO_RADIX_TABLE_LOG2 * (level - 1), i;
	int ret = 0;

	w->r->tables++;
	for (i = 0; i < KT_RADIX_TABLE_ENTRIES && !ret; i++) {
		uint64_t child = kt_le64(w->buf[level] + 8 * i), key = prefix | ((uint64_t)i << shift);

		if (!child)
			continue;
		/* Only the root can hold one: its index covers key bits 59:51 of 52:0. */
		if (i && shift + 32 - __builtin_clz(i) > KHO_RADIX_KEY_WIDTH) {
			werr(w, level, pa, "level-%u node 0x%llx: entry %u lies beyond the %u-bit key space",
			     level, (unsigned long long)pa, i, KHO_RADIX_KEY_WIDTH);
			continue;
		}
		if (!follow(w, level - 1, child, pa, i, &ret))
			continue;
		ret = level == 1 ? leaf(w, child, key) : table(w, level - 1, child, key);
	}
	return ret;
}

int kt_radix_walk(struct kt_physmem *pm, uint64_t root, const struct kt_radix_ops *ops, void *ctx,
		  struct kt_radix_result *r)
{
	struct walk w = {.pm = pm, .ops = ops, .ctx = ctx, .r = r, .cur_order = -1};
	const struct kt_range *ram;
	size_t nram, i;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->root = root;
	nram = kt_physmem_ram(pm, &ram);
	/* KHO's own scale: at most every page of RAM is preserved. */
	for (i = 0; i < nram; i++)
		w.max_pages += (ram[i].end - ram[i].start) >> KT_PAGE_SHIFT;
	/* Every node is a page of RAM; past KT_RADIX_MAX_NODES a walk of garbage would crawl. */
	w.max_nodes = w.max_pages < KT_RADIX_MAX_NODES ? w.max_pages : KT_RADIX_MAX_NODES;
	for (i = 0; i < KHO_RADIX_MAX_DEPTH; i++)
		w.buf[i] = kt_calloc(1, KT_PAGE_SIZE);
	if (follow(&w, KT_RADIX_ROOT_LEVEL, root, 0, 0, &ret))
		ret = table(&w, KT_RADIX_ROOT_LEVEL, root, 0);
	if (ret == STOP) {
		r->stopped = true;
		ret = 0;
	}
	if (!ret)
		merge_order(r, &w.cur);
	for (i = 0; i < KHO_RADIX_MAX_DEPTH; i++)
		free(w.buf[i]);
	kt_u64set_free(&w.seen);
	free(w.cur.r);
	return ret;
}

void kt_radix_result_free(struct kt_radix_result *r)
{
	free(r->ranges);
	r->ranges = NULL;
	r->nr_ranges = 0;
}

/* ---- checks ---------------------------------------------------------------- */

/* The first range that ends after addr. */
static size_t first_after(const struct kt_range *r, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t kt_radix_check_areas(const struct kt_range *r, size_t n, const struct kt_area *sc, size_t nsc,
			      kt_radix_bad_fn bad, void *ctx)
{
	uint64_t total = 0;
	size_t i, k;

	for (i = 0; i < nsc; i++) {
		uint64_t start = sc[i].phys, end = sc[i].phys + sc[i].len;

		if (end < start)
			end = UINT64_MAX;
		for (k = first_after(r, n, start); k < n && r[k].start < end; k++) {
			uint64_t a = r[k].start > start ? r[k].start : start,
				 b = r[k].end < end ? r[k].end : end;

			total += b - a;
			if (bad)
				bad(ctx, a, b, "scratch");
		}
	}
	return total;
}

uint64_t kt_radix_check_ram(const struct kt_range *r, size_t n, const struct kt_range *ram, size_t nram,
			    kt_radix_bad_fn bad, void *ctx)
{
	uint64_t total = 0;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		uint64_t pos = r[i].start;

		while (pos < r[i].end) {
			uint64_t next;

			while (k < nram && ram[k].end <= pos)
				k++;
			if (k < nram && ram[k].start <= pos) {
				pos = ram[k].end < r[i].end ? ram[k].end : r[i].end;
				continue;
			}
			next = k < nram && ram[k].start < r[i].end ? ram[k].start : r[i].end;
			total += next - pos;
			if (bad)
				bad(ctx, pos, next, "outside RAM");
			pos = next;
		}
	}
	return total;
}

const struct kt_range *kt_radix_range_of(const struct kt_range *r, size_t n, uint64_t pa)
{
	size_t k = first_after(r, n, pa);

	return k < n && r[k].start <= pa && pa < r[k].end ? &r[k] : NULL;
}

bool kt_radix_covers(const struct kt_range *r, size_t n, uint64_t start, uint64_t end)
{
	size_t k = first_after(r, n, start);

	return k < n && r[k].start <= start && end <= r[k].end;
}
