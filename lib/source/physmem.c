// SPDX-License-Identifier: GPL-2.0-only
/*
 * Physical memory, read-only, from one of two backends: kcore (kcore.c: /proc/kcore, or
 * any file laid out as it is), or the pages `kho-inspect save` carried
 * (KT_PHYSMEM_FILE of a snapshot). Either way reads are checked against System RAM,
 * and the pages read can be recorded to be saved.
 */
#include "source/physmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"
#include "source/kcore.h"

#define MAX_IOMEM (16UL << 20)
#define HDR_LEN	  16 /* magic + count */

struct kt_physmem {
	bool saved;
	struct kt_kcore kc; /* kcore / image */
	/* saved: views into the caller's buffer, valid while it is */
	const uint8_t *addrs;
	const uint8_t *pages;
	size_t nr_pages;
	/* System RAM, sorted, disjoint */
	struct kt_range *ram;
	size_t nr_ram;
	/* recording: sorted, unique page addresses */
	bool recording;
	bool rec_full;
	uint64_t *rec;
	size_t nr_rec, cap_rec;
	void (*before_read)(void *ctx);
	void *before_read_ctx;
};

static struct kt_physmem *pm_new(void)
{
	struct kt_physmem *pm = kt_calloc(1, sizeof(*pm));

	pm->kc.fd = -1;
	return pm;
}

void kt_physmem_close(struct kt_physmem *pm)
{
	if (!pm)
		return;
	kt_kcore_close(&pm->kc);
	free(pm->ram);
	free(pm->rec);
	free(pm);
}

/* ---- RAM ranges ------------------------------------------------------------ */

static int cmp_range(const void *a, const void *b)
{
	const struct kt_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort and merge overlapping or adjacent ranges in place; returns the new count. */
static size_t coalesce(struct kt_range *r, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 1; i < n; i++) {
		if (r[i].start <= r[k].end) {
			if (r[i].end > r[k].end)
				r[k].end = r[i].end;
		} else {
			r[++k] = r[i];
		}
	}
	return k + 1;
}

bool kt_physmem_is_ram(const struct kt_physmem *pm, uint64_t pa, uint64_t len)
{
	size_t lo = 0, hi = pm->nr_ram;

	if (pa + len < pa)
		return false;
	/* The last range that starts at or below pa; merged ranges make one enough. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->ram[mid].start <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && pa + len <= pm->ram[lo - 1].end && pa < pm->ram[lo - 1].end;
}

size_t kt_physmem_ram(const struct kt_physmem *pm, const struct kt_range **ranges)
{
	*ranges = pm->ram;
	return pm->nr_ram;
}

/*
 * Top-level "System RAM" lines of /proc/iomem ("start-end : name", end inclusive;
 * children are indented). A reader without CAP_SYS_ADMIN sees every address as 0.
 */
static int parse_iomem(struct kt_physmem *pm, const char *path, char *err, size_t errlen)
{
	size_t len, cap = 0, seen = 0;
	uint8_t *buf;
	char *text, *line, *save = NULL;
	int ret;

	ret = kt_read_file(path, MAX_IOMEM, &buf, &len);
	if (ret == -EACCES || ret == -EPERM)
		return kt_fail(err, errlen, ret, "%s: permission denied (needs root)", path);
	if (ret)
		return kt_fail(err, errlen, ret, "%s: %s", path, strerror(-ret));
	text = kt_calloc(1, len + 1);
	memcpy(text, buf, len);
	free(buf);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end;
		int name = 0;

		if (line[0] == ' ' || sscanf(line, "%llx-%llx : %n", &start, &end, &name) != 2 || !name ||
		    strcmp(line + name, "System RAM"))
			continue;
		seen++;
		if (!start && !end)
			continue;
		if (end < start || pm->nr_ram >= KT_PHYSMEM_MAX_RAM) {
			free(text);
			return kt_fail(err, errlen, -EINVAL, "%s: malformed or too many System RAM ranges",
				       path);
		}
		KT_GROW(pm->ram, cap, pm->nr_ram + 1);
		/* Inclusive end; the very last byte of the address space is given up. */
		pm->ram[pm->nr_ram++] = (struct kt_range){start, end == UINT64_MAX ? end : end + 1};
	}
	free(text);
	if (seen && !pm->nr_ram)
		return kt_fail(
		    err, errlen, -EACCES,
		    "%s: every address reads as zero (the kernel hides them from non-root): run as root",
		    path);
	if (!pm->nr_ram)
		return kt_fail(err, errlen, -ENODATA, "%s: no System RAM listed", path);
	pm->nr_ram = coalesce(pm->ram, pm->nr_ram);
	return 0;
}

/* ---- kcore / image --------------------------------------------------------- */

int kt_physmem_open_kcore(const char *kcore, const char *iomem, struct kt_physmem **out, char *err,
			  size_t errlen)
{
	struct kt_physmem *pm;
	int ret;

	*out = NULL;
	kcore = kcore ? kcore : KT_KCORE;
	iomem = iomem ? iomem : KT_IOMEM;
	pm = pm_new();
	ret = kt_kcore_open(&pm->kc, kcore, err, errlen);
	if (!ret)
		ret = parse_iomem(pm, iomem, err, errlen);
	if (ret) {
		kt_physmem_close(pm);
		return ret;
	}
	*out = pm;
	return 0;
}

/* ---- saved pages ----------------------------------------------------------- */

static const uint8_t *snap_page(const struct kt_physmem *pm, uint64_t pa)
{
	size_t lo = 0, hi = pm->nr_pages;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t a = kt_le64(pm->addrs + 8 * mid);

		if (a == pa)
			return pm->pages + mid * KT_PAGE_SIZE;
		if (a < pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int snap_read(const struct kt_physmem *pm, uint64_t pa, uint8_t *buf, size_t len)
{
	while (len) {
		uint64_t base = pa & ~(uint64_t)(KT_PAGE_SIZE - 1), rel = pa - base;
		size_t n = KT_PAGE_SIZE - rel < len ? KT_PAGE_SIZE - rel : len;
		const uint8_t *page = snap_page(pm, base);

		if (!page)
			return -EFAULT;
		memcpy(buf, page + rel, n);
		pa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int kt_physmem_open_saved(const uint8_t *data, size_t len, const char *name, struct kt_physmem **out,
			  char *err, size_t errlen)
{
	struct kt_physmem *pm;
	uint64_t count, nr_ram, prev = 0;
	size_t i, want;
	const uint8_t *p;

	*out = NULL;
	if (len < HDR_LEN || memcmp(data, KT_PHYSMEM_MAGIC, sizeof(KT_PHYSMEM_MAGIC)))
		return kt_fail(err, errlen, -EINVAL, "%s: not a physical memory image (bad magic)", name);
	count = kt_le64(data + 8);
	if (count > KT_PHYSMEM_MAX_PAGES)
		return kt_fail(err, errlen, -EINVAL, "%s: claims %llu pages (at most %lu)", name,
			       (unsigned long long)count, (unsigned long)KT_PHYSMEM_MAX_PAGES);
	want = HDR_LEN + count * (8 + KT_PAGE_SIZE);
	if (len < want + 8)
		return kt_fail(err, errlen, -EINVAL, "%s: truncated: %zu bytes, %llu pages need %zu", name,
			       len, (unsigned long long)count, want + 8);
	nr_ram = kt_le64(data + want);
	if (nr_ram > KT_PHYSMEM_MAX_RAM || len != want + 8 + nr_ram * 16)
		return kt_fail(err, errlen, -EINVAL,
			       "%s: size %zu does not match %llu pages and %llu RAM ranges", name, len,
			       (unsigned long long)count, (unsigned long long)nr_ram);
	for (i = 0, p = data + HDR_LEN; i < count; i++, p += 8) {
		uint64_t a = kt_le64(p);

		if ((a & (KT_PAGE_SIZE - 1)) || (i && a <= prev))
			return kt_fail(
			    err, errlen, -EINVAL,
			    "%s: page address %zu (0x%llx) not page aligned or not in ascending order", name,
			    i, (unsigned long long)a);
		prev = a;
	}
	pm = pm_new();
	pm->saved = true;
	pm->addrs = data + HDR_LEN;
	pm->pages = data + HDR_LEN + count * 8;
	pm->nr_pages = count;
	pm->ram = kt_calloc(nr_ram ? nr_ram : 1, sizeof(*pm->ram));
	for (i = 0, p = data + want + 8; i < nr_ram; i++, p += 16) {
		struct kt_range r = {kt_le64(p), kt_le64(p + 8)};

		if (r.end <= r.start || (i && r.start < pm->ram[i - 1].end)) {
			kt_physmem_close(pm);
			return kt_fail(err, errlen, -EINVAL,
				       "%s: RAM range %zu (0x%llx-0x%llx) empty or out of order", name, i,
				       (unsigned long long)r.start, (unsigned long long)r.end);
		}
		pm->ram[pm->nr_ram++] = r;
	}
	*out = pm;
	return 0;
}

/* ---- reads ----------------------------------------------------------------- */

void kt_physmem_cache(struct kt_physmem *pm, bool on)
{
	if (!pm->saved)
		kt_kcore_cache(&pm->kc, on);
}

static int read_phys(struct kt_physmem *pm, uint64_t pa, void *buf, size_t len)
{
	if (pm->saved)
		return snap_read(pm, pa, buf, len);
	return kt_kcore_read(&pm->kc, pa, buf, len, true, false);
}

static void record_page(struct kt_physmem *pm, uint64_t page)
{
	size_t lo = 0, hi = pm->nr_rec;

	/* Walks mostly read upwards: try the end first. */
	if (hi && pm->rec[hi - 1] < page) {
		lo = hi;
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (pm->rec[mid] == page)
				return;
			if (pm->rec[mid] < page)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (pm->nr_rec >= KT_PHYSMEM_MAX_PAGES) {
		pm->rec_full = true;
		return;
	}
	KT_GROW(pm->rec, pm->cap_rec, pm->nr_rec + 1);
	memmove(&pm->rec[lo + 1], &pm->rec[lo], (pm->nr_rec - lo) * sizeof(*pm->rec));
	pm->rec[lo] = page;
	pm->nr_rec++;
}

int kt_physmem_read(struct kt_physmem *pm, uint64_t pa, void *buf, size_t len)
{
	uint64_t page;
	int ret;

	if (!len)
		return 0;
	if (len > KT_PHYSMEM_MAX_READ)
		return -E2BIG;
	if (!kt_physmem_is_ram(pm, pa, len))
		return -EFAULT;
	ret = read_phys(pm, pa, buf, len);
	if (ret || !pm->recording)
		return ret;
	for (page = pa & ~(uint64_t)(KT_PAGE_SIZE - 1); page < pa + len; page += KT_PAGE_SIZE)
		record_page(pm, page);
	return 0;
}

static int read_virt(struct kt_physmem *pm, uint64_t va, void *buf, size_t len, bool fresh)
{
	if (pm->saved)
		return -EOPNOTSUPP;
	if (!len)
		return 0;
	if (len > KT_PHYSMEM_MAX_READ)
		return -E2BIG;
	if (va + len < va)
		return -EFAULT;
	if (pm->before_read)
		pm->before_read(pm->before_read_ctx);
	return kt_kcore_read(&pm->kc, va, buf, len, false, fresh);
}

int kt_physmem_read_virt(struct kt_physmem *pm, uint64_t va, void *buf, size_t len)
{
	return read_virt(pm, va, buf, len, false);
}

int kt_physmem_read_virt_fresh(struct kt_physmem *pm, uint64_t va, void *buf, size_t len)
{
	return read_virt(pm, va, buf, len, true);
}

void kt_physmem_before_read(struct kt_physmem *pm, void (*fn)(void *ctx), void *ctx)
{
	pm->before_read = fn;
	pm->before_read_ctx = ctx;
}

int kt_physmem_virt_to_phys(const struct kt_physmem *pm, uint64_t va, uint64_t *pa)
{
	return pm->saved ? -EFAULT : kt_kcore_virt_to_phys(&pm->kc, va, pa);
}

void kt_physmem_record(struct kt_physmem *pm, bool on)
{
	pm->recording = on;
}

int kt_physmem_export(struct kt_physmem *pm, uint8_t **buf, size_t *len)
{
	size_t n = pm->nr_rec, size, i, k = 0;
	uint8_t *b, *p;

	*buf = NULL;
	*len = 0;
	if (pm->rec_full)
		return -E2BIG;
	size = HDR_LEN + n * (8 + KT_PAGE_SIZE) + 8 + pm->nr_ram * 16;
	b = kt_malloc(size);
	/*
	 * Read each page again, whole. A page first met by a read that ended inside it
	 * and that cannot be read whole (the end of a segment) is left out: offline,
	 * reading it is -EFAULT rather than made-up bytes.
	 */
	for (i = 0; i < n; i++) {
		uint8_t *page = b + HDR_LEN + n * 8 + k * KT_PAGE_SIZE;

		if (!read_phys(pm, pm->rec[i], page, KT_PAGE_SIZE))
			memcpy(b + HDR_LEN + 8 * k++, &pm->rec[i], 8);
	}
	/* Close the gap the left-out pages leave between addresses and pages. */
	if (k < n)
		memmove(b + HDR_LEN + k * 8, b + HDR_LEN + n * 8, k * KT_PAGE_SIZE);
	memcpy(b, KT_PHYSMEM_MAGIC, sizeof(KT_PHYSMEM_MAGIC));
	memcpy(b + 8, &(uint64_t){k}, 8);
	p = b + HDR_LEN + k * (8 + KT_PAGE_SIZE);
	memcpy(p, &(uint64_t){pm->nr_ram}, 8);
	p += 8;
	for (i = 0; i < pm->nr_ram; i++, p += 16) {
		memcpy(p, &pm->ram[i].start, 8);
		memcpy(p + 8, &pm->ram[i].end, 8);
	}
	*buf = b;
	*len = p - b;
	return 0;
}
