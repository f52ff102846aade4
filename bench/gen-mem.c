// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen-mem TIB DIR: a fabricated big host for bench/mem.sh, preserving TIB TiB
 * (1 to 16) through KHO's radix tree, read as kho-inspect reads a live one:
 *   DIR/kho/out/fdt   a kho-v4 root whose preserved-memory-map is the tree's root
 *   DIR/kcore         an ELF core like /proc/kcore: one PT_LOAD of all RAM, sparse
 *                     (only the tree's pages are written)
 *   DIR/iomem         the RAM as System RAM
 * Each TiB preserved: 384 GiB as 1 GiB folios (runs of 2), 600 GiB as 2 MiB folios
 * (runs of 3) and 40 GiB as 4 KiB pages (runs of 64), each run followed by a gap of
 * its length: about 266,000 ranges a TiB. Keys are laid out as the kernel's
 * kho_radix_add_key() lays them out. Prints the bytes preserved and the ranges.
 */
#include "gen.h"

#define PAGE	    GEN_PAGE
#define GIB	    (1ULL << 30)
#define PAGE_OFFSET 0xffff888000000000ULL
/* A TiB of preserved blocks and their gaps spans 2 TiB of RAM; the tree sits above. */
#define SPAN	 (2048 * GIB + 16 * GIB)
#define TREE_GAP (32 * GIB)

struct kind {
	unsigned int order;
	uint64_t bytes; /* preserved per TiB */
	unsigned int run;
};

static const struct kind kinds[] = {
    {18, 384 * GIB, 2},
    {9, 600 * GIB, 3},
    {0, 40 * GIB, 64},
};

static uint8_t **pages;
static size_t nr_pages, cap_pages;
static uint64_t tree_base;

static uint64_t page_new(void)
{
	if (nr_pages == cap_pages) {
		cap_pages = cap_pages ? 2 * cap_pages : 1024;
		pages = realloc(pages, cap_pages * sizeof(*pages));
		if (!pages)
			gen_die("realloc", NULL);
	}
	pages[nr_pages] = calloc(1, PAGE);
	if (!pages[nr_pages])
		gen_die("calloc", NULL);
	return tree_base + nr_pages++ * PAGE;
}

static uint8_t *page_at(uint64_t pa)
{
	return pages[(pa - tree_base) / PAGE];
}

/* kho_radix_add_key(): tables allocated on the way down (levels 5 to 1), the bit set in the leaf. */
static void add(uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = (1ULL << (64 - (12 + order))) | (pa >> (12 + order)), node = root;
	unsigned int level, bit = key % 32768;

	for (level = 5; level >= 1; level--) {
		uint64_t *slot = (uint64_t *)page_at(node) + (key >> (15 + 9 * (level - 1))) % 512;

		if (!*slot)
			*slot = page_new();
		node = *slot;
	}
	page_at(node)[bit / 8] |= 1u << (bit % 8);
}

int main(int argc, char **argv)
{
	static const char *const sub[] = {"kho", "kho/out", NULL};
	uint64_t tib, bytes = 0, ranges = 0, base = 4 * GIB, root, ram, t;
	char *end;
	size_t i, k;
	int fd;

	if (argc != 3 || !(tib = strtoull(argv[1], &end, 0)) || *end || tib > 16) {
		fprintf(stderr, "usage: gen-mem TIB DIR   (TIB: 1 to 16)\n");
		return 2;
	}
	gen_prog = "gen-mem";
	gen_mkdirs(argv[2], sub);
	tree_base = base + tib * SPAN + TREE_GAP;
	root = page_new();
	for (t = 0; t < tib; t++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			uint64_t size = PAGE << kinds[k].order, n = kinds[k].bytes / size, b;

			for (b = 0; b < n; b++) {
				add(root, base, kinds[k].order);
				base += size;
				if ((b + 1) % kinds[k].run == 0 || b + 1 == n) {
					base += kinds[k].run * size; /* the gap: the run's length */
					ranges++;
				}
			}
			bytes += n * size;
		}
	ram = tree_base + nr_pages * PAGE + TREE_GAP;
	fd = gen_core(argv[2], 0, PAGE_OFFSET, ram);
	for (i = 0; i < nr_pages; i++)
		gen_pwrite(fd, pages[i], PAGE, GEN_PAGE + tree_base + i * PAGE);
	if (close(fd))
		gen_die("kcore", NULL);
	gen_kho_root(argv[2], "kho/out/fdt", root, NULL, 0);
	printf("%llu %llu\n", (unsigned long long)bytes, (unsigned long long)ranges);
	for (i = 0; i < nr_pages; i++)
		free(pages[i]);
	free(pages);
	return 0;
}
