// SPDX-License-Identifier: GPL-2.0-only
/*
 * The physical-memory parsers and the radix-tree walker over fuzzed memory. Each
 * input is used three ways:
 *  - as the pages of RAM at LOW in a well-formed kcore-like image (root at LOW):
 *    the walker meets loops, shared nodes, wild pointers and absurd bitmaps;
 *  - as a kcore file itself (the ELF header and program header parser);
 *  - as a saved snapshot's physmem image (its validation, as the state opens it
 *    from the snapshot's files), then walked, exported and opened again;
 *  - as operations that build a valid tree the kernel's way and then damage it
 *    (an entry rewritten, leaf bits flipped), so the walk gets deep.
 * Whatever the walk meets, its result must hold together: ranges sorted,
 * disjoint and not adjacent, totals matching the per-order counts, no more pages
 * than RAM.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/kho_radix.h"
#include "fuzz.h"
#include "model/state.h"
#include "source/physmem.h"

#define LOW	  0x100000ULL
#define MAX_PAGES 32
#define PAGE	  KT_PAGE_SIZE
#define IOMEM	  "00001000-0009fbff : System RAM\n00100000-7ffdffff : System RAM\n"

static void on_error(void *ctx, unsigned int level, uint64_t node, const char *msg)
{
	(void)ctx;
	(void)node;
	FUZZ_CHECK(level <= KT_RADIX_ROOT_LEVEL);
	FUZZ_CHECK(msg && msg[0]);
}

static void check_result(struct kt_physmem *pm, const struct kt_radix_result *r)
{
	const struct kt_range *ram;
	size_t nram = kt_physmem_ram(pm, &ram), i;
	uint64_t bytes = 0, blocks = 0, max_pages = 0;
	const struct kt_area sc[] = {{LOW + PAGE, 16 * PAGE}, {0x40000000, 0x1000000}};

	for (i = 0; i < nram; i++)
		max_pages += (ram[i].end - ram[i].start) / PAGE;
	for (i = 0; i < KT_RADIX_NR_ORDERS; i++) {
		bytes += r->order[i].bytes;
		blocks += r->order[i].count;
	}
	FUZZ_CHECK(bytes == r->bytes);
	FUZZ_CHECK(blocks == r->blocks);
	FUZZ_CHECK(r->pages == r->bytes / PAGE);
	FUZZ_CHECK(r->pages <= max_pages);
	/* Every node is a distinct page of RAM, read once. */
	FUZZ_CHECK(r->tables + r->leaves <= max_pages);
	for (i = 0; i < r->nr_ranges; i++) {
		FUZZ_CHECK(r->ranges[i].start < r->ranges[i].end);
		if (i)
			FUZZ_CHECK(r->ranges[i - 1].end < r->ranges[i].start);
	}
	kt_radix_check_ram(r->ranges, r->nr_ranges, ram, nram, NULL, NULL);
	kt_radix_check_areas(r->ranges, r->nr_ranges, sc, 2, NULL, NULL);
}

static void walk(struct kt_physmem *pm, uint64_t root)
{
	static const struct kt_radix_ops ops = {.error = on_error};
	struct kt_radix_result r;

	FUZZ_CHECK(kt_radix_walk(pm, root, &ops, NULL, &r) == 0);
	check_result(pm, &r);
	kt_radix_result_free(&r);
}

/* The kcore and iomem the physmem reader opens, rewritten for each input. */
static char kcore_path[64], iomem_path[64];
static int kcore_fd = -1, iomem_fd = -1;

static void write_core(const void *core, size_t len, const char *iomem)
{
	fuzz_file(&kcore_fd, kcore_path, "kcore", core, len, NULL, 0);
	fuzz_file(&iomem_fd, iomem_path, "iomem", iomem, strlen(iomem), NULL, 0);
}

/* An ELF core like kcore: one PT_LOAD for the pages at LOW, one vmalloc-like without p_paddr. */
static void as_ram(const uint8_t *data, size_t size, const char *iomem)
{
	size_t pages = (size + PAGE - 1) / PAGE, len;
	uint8_t *img;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	struct kt_physmem *pm;
	char err[256];

	if (pages > MAX_PAGES)
		pages = MAX_PAGES;
	if (!pages)
		pages = 1;
	len = PAGE + pages * PAGE;
	img = calloc(1, len);
	eh = (Elf64_Ehdr *)img;
	ph = (Elf64_Phdr *)(img + sizeof(*eh));
	kt_core_ehdr(eh, 2);
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = PAGE,
			     .p_vaddr = 0xffffc90000000000ULL,
			     .p_paddr = (uint64_t)-1,
			     .p_filesz = pages * PAGE};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = PAGE,
			     .p_vaddr = 0xffff888000000000ULL + LOW,
			     .p_paddr = LOW,
			     .p_filesz = pages * PAGE};
	memcpy(img + PAGE, data, size < pages * PAGE ? size : pages * PAGE);
	write_core(img, len, iomem);
	free(img);
	if (!kt_physmem_open_kcore(kcore_path, iomem_path, &pm, err, sizeof(err))) {
		walk(pm, LOW);
		/* A root the input names: anywhere, aligned or not. */
		if (size >= 8)
			walk(pm, kt_le64(data + size - 8));
		kt_physmem_close(pm);
	}
}

static void as_kcore(const uint8_t *data, size_t size)
{
	struct kt_physmem *pm;
	char err[256];
	uint8_t buf[64];

	write_core(data, size, IOMEM);
	if (!kt_physmem_open_kcore(kcore_path, iomem_path, &pm, err, sizeof(err))) {
		kt_physmem_read(pm, LOW, buf, sizeof(buf));
		kt_physmem_read(pm, 0x9f000, buf, sizeof(buf));
		kt_physmem_read_virt(pm, 0xffff888000100000ULL, buf, sizeof(buf));
		walk(pm, LOW);
		kt_physmem_close(pm);
	} else {
		FUZZ_CHECK(err[0]);
	}
}

static void as_snapshot(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_dup(data, size);
	struct kt_file f = {.path = (char *)KT_PHYSMEM_FILE, .data = copy, .len = size};
	struct kt_snapshot s = {.kind = KT_SRC_DIR,
				.origin = (char *)"fuzz",
				.finalize = -1,
				.files = {.v = &f, .n = 1, .cap = 1}};
	struct kt_physmem *pm;
	char err[256] = "";

	/* As kt_state_physmem opens a saved snapshot's pages: found among its files by name. */
	if (!kt_physmem_open_for(&s, &pm, err, sizeof(err))) {
		uint8_t *img;
		size_t len;

		walk(pm, size >= 24 ? kt_le64(data + 16) : 0);
		/* What the walk read exports again, and the export opens. */
		kt_physmem_record(pm, true);
		walk(pm, size >= 24 ? kt_le64(data + 16) : 0);
		if (!kt_physmem_export(pm, &img, &len)) {
			struct kt_physmem *back;

			if (kt_physmem_open_saved(img, len, "fuzz/physmem (exported)", &back, err,
						  sizeof(err))) {
				fprintf(stderr, "fuzz: an exported image does not open: %s\n", err);
				abort();
			}
			kt_physmem_close(back);
			free(img);
		}
		kt_physmem_close(pm);
	} else {
		FUZZ_CHECK(err[0] && !pm);
	}
	free(copy);
}

/* ---- structure-aware: build, then damage --------------------------------- */

struct pool {
	uint8_t page[MAX_PAGES][PAGE];
	size_t n;
};

static uint64_t pool_alloc(struct pool *p)
{
	return p->n < MAX_PAGES ? LOW + p->n++ * PAGE : 0;
}

static uint8_t *pool_page(struct pool *p, uint64_t pa)
{
	return p->page[(pa - LOW) / PAGE];
}

/* kho_radix_add_key(); false when the pool is spent. */
static bool tree_add(struct pool *p, uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = kt_radix_key(pa, order), node = root;
	unsigned int level, bit = key % 32768;

	for (level = KT_RADIX_ROOT_LEVEL; level >= 1; level--) {
		uint8_t *slot = pool_page(p, node) + 8 * ((key >> (15 + 9 * (level - 1))) % 512);
		uint64_t child = kt_le64(slot);

		if (!child) {
			child = pool_alloc(p);
			if (!child)
				return false;
			memcpy(slot, &child, 8);
		}
		/* Damage done earlier may lead out of the pool: stop building there. */
		if (child < LOW || child >= LOW + p->n * PAGE || child % PAGE)
			return false;
		node = child;
	}
	pool_page(p, node)[bit / 8] |= 1u << (bit % 8);
	return true;
}

static void as_ops(const uint8_t *data, size_t size)
{
	struct pool *p = calloc(1, sizeof(*p));
	uint64_t root = pool_alloc(p);
	size_t i;

	for (i = 0; i + 8 <= size; i += 8) {
		unsigned int type = data[i] % 3, a = data[i + 1];
		uint16_t b;
		uint32_t c;

		memcpy(&b, data + i + 2, 2);
		memcpy(&c, data + i + 4, 4);
		if (type == 0) {
			unsigned int order = a % 20;
			uint64_t pa =
			    (((uint64_t)c << 12) % 0x7f000000 + 0x100000) & ~((1ULL << (12 + order)) - 1);

			if (!tree_add(p, root, pa, order))
				break;
		} else if (type == 1) {
			uint64_t v = (c & 1) ? LOW + ((c >> 1) % MAX_PAGES) * PAGE : c;

			memcpy(p->page[a % p->n] + 8 * (b % 512), &v, 8);
		} else {
			p->page[a % p->n][b % PAGE] ^= (uint8_t)c;
		}
	}
	as_ram(p->page[0], p->n * PAGE, IOMEM);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_ops(data, size);
	as_ram(data, size, IOMEM);
	/* A machine of a few pages: the page bound bites. */
	as_ram(data, size, "00100000-0011ffff : System RAM\n");
	as_kcore(data, size);
	as_snapshot(data, size);
	return 0;
}
