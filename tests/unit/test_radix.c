// SPDX-License-Identifier: GPL-2.0-only
/*
 * The preserved-memory radix tree walker and the mem view, on memory images
 * built in the test: an ELF64 core laid out like /proc/kcore (PT_LOAD segments
 * with p_paddr) plus an iomem text. Trees are built the way the kernel's
 * kho_radix_add_key() builds them; each malformed case must be an error on that
 * node while the rest of the tree still counts.
 *
 * `test_radix --fixture DIR` writes, instead of testing, a debugfs-like tree, a
 * core image and an iomem for tests/bats/mem.bats: DIR/{kho,kcore,iomem}.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdtbuild.h"

#include "decode/kho_radix.h"
#include "source/physmem.h"
#include "base/util.h"
#include "view/view.h"
#include "../kcore_image.h"

/* The image: two RAM segments the tree lives in, plus the kinds kcore has that carry no p_paddr. */
#define LOW	    0x100000ULL /* 64 pages, p_paddr set */
#define LOW_PAGES   64
#define HIGH	    0x100000000ULL /* 16 pages, p_paddr set */
#define HIGH_PAGES  16
#define PAGE_OFFSET 0xffff888000000000ULL
#define VMALLOC	    0xffffc90000000000ULL

#define IOMEM_RAM                                                                                            \
	"00000000-00000fff : Reserved\n"                                                                     \
	"00001000-0009fbff : System RAM\n"                                                                   \
	"000f0000-000fffff : Reserved\n"                                                                     \
	"00100000-7ffdffff : System RAM\n"                                                                   \
	"  01000000-01ffffff : Kernel code\n"                                                                \
	"7ffe0000-7fffffff : Reserved\n"                                                                     \
	"fee00000-fee00fff : Local APIC\n"                                                                   \
	"100000000-17fffffff : System RAM\n"

struct img {
	uint8_t low[LOW_PAGES][KT_PAGE_SIZE];
	uint8_t high[HIGH_PAGES][KT_PAGE_SIZE];
	size_t next_low, next_high;
};

static uint8_t *img_page(struct img *m, uint64_t pa)
{
	if (pa >= LOW && pa < LOW + LOW_PAGES * KT_PAGE_SIZE)
		return m->low[(pa - LOW) / KT_PAGE_SIZE];
	if (pa >= HIGH && pa < HIGH + HIGH_PAGES * KT_PAGE_SIZE)
		return m->high[(pa - HIGH) / KT_PAGE_SIZE];
	fail_msg("0x%llx is not in the image", (unsigned long long)pa);
	return NULL;
}

static uint64_t img_alloc(struct img *m, bool high)
{
	if (high) {
		assert_true(m->next_high < HIGH_PAGES);
		return HIGH + m->next_high++ * KT_PAGE_SIZE;
	}
	assert_true(m->next_low < LOW_PAGES);
	return LOW + m->next_low++ * KT_PAGE_SIZE;
}

static uint64_t get64(struct img *m, uint64_t pa)
{
	return kt_le64(img_page(m, pa & ~(KT_PAGE_SIZE - 1)) + (pa & (KT_PAGE_SIZE - 1)));
}

static void set64(struct img *m, uint64_t pa, uint64_t v)
{
	memcpy(img_page(m, pa & ~(KT_PAGE_SIZE - 1)) + (pa & (KT_PAGE_SIZE - 1)), &v, 8);
}

/* Our own copy of the kernel's encoding, so the library's is checked against it. */
static uint64_t key_of(uint64_t pa, unsigned int order)
{
	return (1ULL << (64 - (12 + order))) | (pa >> (12 + order));
}

static unsigned int table_index(uint64_t key, unsigned int level)
{
	return (key >> (15 + 9 * (level - 1))) % 512;
}

/* kho_radix_add_key(): tables allocated on the way down, the bit set in the leaf. */
static void tree_add(struct img *m, uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = key_of(pa, order), node = root;
	unsigned int level, bit = key % 32768;

	for (level = 5; level >= 1; level--) {
		uint64_t slot = node + 8 * table_index(key, level), child = get64(m, slot);

		if (!child) {
			child = img_alloc(m, false);
			set64(m, slot, child);
		}
		node = child;
	}
	img_page(m, node)[bit / 8] |= 1u << (bit % 8);
}

/* The table page at `level` on the way to (pa, order). */
static uint64_t tree_node(struct img *m, uint64_t root, uint64_t pa, unsigned int order, unsigned int level)
{
	uint64_t key = key_of(pa, order), node = root;
	unsigned int l;

	for (l = 5; l > level; l--)
		node = get64(m, node + 8 * table_index(key, l));
	return node;
}

/* ---- writing the core file ------------------------------------------------- */

struct wseg {
	uint64_t paddr, vaddr, size;
	const void *data; /* NULL: zeros (a hole in the file) */
};

static void write_all(int fd, const void *p, size_t len, off_t off)
{
	assert_int_equal(pwrite(fd, p, len, off), (ssize_t)len);
}

/* Like fs/proc/kcore.c: ELF header, PT_NOTE, one PT_LOAD each; data page aligned. cut: file length (0 =
 * whole). */
static void write_core(const char *path, const struct wseg *segs, size_t n, off_t cut)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph = {0};
	uint64_t off;
	size_t i;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	kt_core_ehdr(&eh, n + 1);
	write_all(fd, &eh, sizeof(eh), 0);
	ph.p_type = PT_NOTE;
	write_all(fd, &ph, sizeof(ph), sizeof(eh));
	off = KT_PAGE_SIZE;
	for (i = 0; i < n; i++) {
		ph = (Elf64_Phdr){.p_type = PT_LOAD,
				  .p_flags = PF_R | PF_W | PF_X,
				  .p_offset = off,
				  .p_vaddr = segs[i].vaddr,
				  .p_paddr = segs[i].paddr,
				  .p_filesz = segs[i].size,
				  .p_memsz = segs[i].size,
				  .p_align = KT_PAGE_SIZE};
		write_all(fd, &ph, sizeof(ph), sizeof(eh) + (i + 1) * sizeof(ph));
		if (segs[i].data)
			write_all(fd, segs[i].data, segs[i].size, off);
		off += segs[i].size;
	}
	assert_int_equal(ftruncate(fd, cut ? cut : (off_t)off), 0);
	close(fd);
}

/* The image as kcore would show it; cut > 0 truncates the file. */
static void img_write(struct img *m, const char *dir, const char *iomem, off_t cut)
{
	char *core = td_path(dir, "kcore");
	const struct wseg segs[] = {
	    {(uint64_t)-1, VMALLOC, 4 * KT_PAGE_SIZE, NULL},
	    {LOW, PAGE_OFFSET + LOW, sizeof(m->low), m->low},
	    {HIGH, PAGE_OFFSET + HIGH, sizeof(m->high), m->high},
	};

	write_core(core, segs, KT_ARRAY_SIZE(segs), cut);
	td_write_str(dir, "iomem", iomem ? iomem : IOMEM_RAM);
	free(core);
}

static struct kt_physmem *img_open(const char *dir)
{
	char *core = td_path(dir, "kcore"), *iomem = td_path(dir, "iomem"), err[512];
	struct kt_physmem *pm = NULL;
	int ret = kt_physmem_open_kcore(core, iomem, &pm, err, sizeof(err));

	if (ret)
		fail_msg("open: %s", err);
	free(core);
	free(iomem);
	return pm;
}

/* ---- walking --------------------------------------------------------------- */

struct errs {
	char msg[64][256];
	uint64_t node[64];
	size_t n;
};

static void on_error(void *ctx, unsigned int level, uint64_t node, const char *msg)
{
	struct errs *e = ctx;

	(void)level;
	if (e->n < 64) {
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
		e->node[e->n++] = node;
	}
}

static const struct kt_radix_ops err_ops = {.error = on_error};

/* Is there an error about node whose message contains what? */
static bool has_error(const struct errs *e, uint64_t node, const char *what)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->node[i] == node && strstr(e->msg[i], what))
			return true;
	for (i = 0; i < e->n; i++)
		print_error("  error: [0x%llx] %s\n", (unsigned long long)e->node[i], e->msg[i]);
	return false;
}

struct fixture {
	struct img *m;
	char *dir;
	uint64_t root;
	struct kt_physmem *pm;
	struct kt_radix_result r;
	struct errs e;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->m = calloc(1, sizeof(*f->m));
	f->dir = td_make();
	f->root = img_alloc(f->m, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kt_radix_result_free(&f->r);
	kt_physmem_close(f->pm);
	td_remove(f->dir);
	free(f->m);
	free(f);
	return 0;
}

static void walk(struct fixture *f, const char *iomem, off_t cut)
{
	size_t i;

	img_write(f->m, f->dir, iomem, cut);
	f->pm = img_open(f->dir);
	assert_int_equal(kt_radix_walk(f->pm, f->root, &err_ops, &f->e, &f->r), 0);
	if (getenv("KT_TEST_VERBOSE"))
		for (i = 0; i < f->e.n; i++)
			print_message("  error: [0x%llx] %s\n", (unsigned long long)f->e.node[i],
				      f->e.msg[i]);
}

/* ---- keys ------------------------------------------------------------------ */

static void test_key_round_trip(void **state)
{
	unsigned int o, order;
	uint64_t pa;

	(void)state;
	for (o = 0; o < KT_RADIX_NR_ORDERS; o++) {
		uint64_t want = o < 40 ? 0x123456789000ULL & ~((1ULL << (12 + o)) - 1) : 0;

		assert_int_equal(kt_radix_key(want, o), key_of(want, o));
		assert_int_equal(kt_radix_decode(key_of(want, o), &pa, &order), 0);
		assert_int_equal(order, o);
		assert_int_equal(pa, want);
	}
	/* Order 0 puts its bit at 52, the top of the 53-bit key. */
	assert_int_equal(kt_radix_key(0, 0), 1ULL << 52);
	assert_int_equal(kt_radix_decode(0, &pa, &order), -EINVAL);
	assert_int_equal(kt_radix_decode(1, &pa, &order), -EINVAL);	     /* order 52: no 64-bit size */
	assert_int_equal(kt_radix_decode(1ULL << 53, &pa, &order), -EINVAL); /* past the key width */
	assert_int_equal(kt_radix_decode(3, &pa, &order), -EINVAL);	     /* order 51 ending at 2^64 */
	assert_int_equal(kt_radix_key(0, KT_RADIX_NR_ORDERS), 0);
}

/* ---- valid trees ----------------------------------------------------------- */

static void test_single_page(void **state)
{
	struct fixture *f = *state;

	tree_add(f->m, f->root, 0x200000, 0);
	walk(f, NULL, 0);
	assert_int_equal(f->e.n, 0);
	assert_int_equal(f->r.errors, 0);
	assert_int_equal(f->r.blocks, 1);
	assert_int_equal(f->r.pages, 1);
	assert_int_equal(f->r.bytes, 4096);
	assert_int_equal(f->r.order[0].count, 1);
	assert_int_equal(f->r.tables, 5);
	assert_int_equal(f->r.leaves, 1);
	assert_int_equal(f->r.nr_ranges, 1);
	assert_int_equal(f->r.ranges[0].start, 0x200000);
	assert_int_equal(f->r.ranges[0].end, 0x201000);
}

static void test_empty_tree(void **state)
{
	struct fixture *f = *state;

	walk(f, NULL, 0);
	assert_int_equal(f->r.errors, 0);
	assert_int_equal(f->r.blocks, 0);
	assert_int_equal(f->r.nr_ranges, 0);
	assert_int_equal(f->r.tables, 1);
}

static void test_several_orders(void **state)
{
	struct fixture *f = *state;

	tree_add(f->m, f->root, 0x200000, 0);
	tree_add(f->m, f->root, 0x201000, 0);
	tree_add(f->m, f->root, 0x202000, 1); /* adjacent: one range 0x200000-0x204000 */
	tree_add(f->m, f->root, 0x400000, 9); /* 2 MiB */
	tree_add(f->m, f->root, 0x800000, 10);
	tree_add(f->m, f->root, 0x140000000ULL, 18); /* 1 GiB, in the high RAM range */
	tree_add(f->m, f->root, 0x7ffdf000, 0);	     /* the last page of low RAM */
	walk(f, NULL, 0);
	assert_int_equal(f->r.errors, 0);
	assert_int_equal(f->r.blocks, 7);
	assert_int_equal(f->r.order[0].count, 3);
	assert_int_equal(f->r.order[0].bytes, 3 * 4096);
	assert_int_equal(f->r.order[1].count, 1);
	assert_int_equal(f->r.order[9].bytes, 2 << 20);
	assert_int_equal(f->r.order[10].bytes, 4 << 20);
	assert_int_equal(f->r.order[18].bytes, 1 << 30);
	assert_int_equal(f->r.bytes, 3 * 4096 + 8192 + (2 << 20) + (4 << 20) + (1ULL << 30));
	assert_int_equal(f->r.pages, f->r.bytes / 4096);
	assert_int_equal(f->r.overlap_bytes, 0);
	/* Coalesced across orders, sorted by address. */
	assert_int_equal(f->r.nr_ranges, 5);
	assert_int_equal(f->r.ranges[0].start, 0x200000);
	assert_int_equal(f->r.ranges[0].end, 0x204000);
	assert_int_equal(f->r.ranges[1].start, 0x400000);
	assert_int_equal(f->r.ranges[1].end, 0x600000);
	assert_int_equal(f->r.ranges[2].start, 0x800000);
	assert_int_equal(f->r.ranges[3].start, 0x7ffdf000);
	assert_int_equal(f->r.ranges[4].start, 0x140000000ULL);
	assert_int_equal(f->r.ranges[4].end, 0x180000000ULL);
	/* The range around an address (an FLB's data handle): inside, at the ends, between. */
	assert_ptr_equal(kt_radix_range_of(f->r.ranges, f->r.nr_ranges, 0x202fff), &f->r.ranges[0]);
	assert_ptr_equal(kt_radix_range_of(f->r.ranges, f->r.nr_ranges, 0x200000), &f->r.ranges[0]);
	assert_null(kt_radix_range_of(f->r.ranges, f->r.nr_ranges, 0x204000));
	assert_null(kt_radix_range_of(f->r.ranges, f->r.nr_ranges, 0x1fffff));
	assert_ptr_equal(kt_radix_range_of(f->r.ranges, f->r.nr_ranges, 0x17fffffffULL), &f->r.ranges[4]);
	assert_null(kt_radix_range_of(f->r.ranges, f->r.nr_ranges, 0xFEEDF00DCAFEBEE0ULL));
	assert_null(kt_radix_range_of(f->r.ranges, 0, 0x200000));
}

/* Blocks come in key order: every order from the highest down, addresses up. */
struct seen {
	uint64_t pa[8];
	unsigned int order[8];
	size_t n;
};

static int on_block(void *ctx, uint64_t pa, unsigned int order)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->pa[s->n] = pa;
		s->order[s->n++] = order;
	}
	return 0;
}

static void test_key_order_and_callback(void **state)
{
	struct fixture *f = *state;
	const struct kt_radix_ops ops = {.block = on_block};
	struct seen s = {0};

	tree_add(f->m, f->root, 0x300000, 0);
	tree_add(f->m, f->root, 0x200000, 0);
	tree_add(f->m, f->root, 0x400000, 9);
	img_write(f->m, f->dir, NULL, 0);
	f->pm = img_open(f->dir);
	assert_int_equal(kt_radix_walk(f->pm, f->root, &ops, &s, &f->r), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.order[0], 9);
	assert_int_equal(s.pa[1], 0x200000);
	assert_int_equal(s.pa[2], 0x300000);
}

static int stop_block(void *ctx, uint64_t pa, unsigned int order)
{
	(void)ctx;
	(void)pa;
	(void)order;
	return -ECANCELED;
}

static void test_callback_stops(void **state)
{
	struct fixture *f = *state;
	const struct kt_radix_ops ops = {.block = stop_block};

	tree_add(f->m, f->root, 0x200000, 0);
	img_write(f->m, f->dir, NULL, 0);
	f->pm = img_open(f->dir);
	assert_int_equal(kt_radix_walk(f->pm, f->root, &ops, NULL, &f->r), -ECANCELED);
}

static void test_same_memory_two_orders(void **state)
{
	struct fixture *f = *state;

	tree_add(f->m, f->root, 0x300000, 1);
	tree_add(f->m, f->root, 0x300000, 0);
	walk(f, NULL, 0);
	assert_int_equal(f->r.errors, 0);
	assert_int_equal(f->r.overlap_bytes, 4096);
	assert_int_equal(f->r.nr_ranges, 1);
	assert_int_equal(f->r.ranges[0].end - f->r.ranges[0].start, 8192);
}

/* Nodes in the second segment: each physical address goes through its own p_paddr. */
static void test_nodes_in_high_segment(void **state)
{
	struct fixture *f = *state;
	uint64_t l1;

	tree_add(f->m, f->root, 0x200000, 0);
	/* Move the leaf to the high segment. */
	l1 = tree_node(f->m, f->root, 0x200000, 0, 1);
	{
		uint64_t slot = l1 + 8 * table_index(key_of(0x200000, 0), 1), leaf = get64(f->m, slot);
		uint64_t moved = img_alloc(f->m, true);

		memcpy(img_page(f->m, moved), img_page(f->m, leaf), KT_PAGE_SIZE);
		memset(img_page(f->m, leaf), 0, KT_PAGE_SIZE);
		set64(f->m, slot, moved);
	}
	walk(f, NULL, 0);
	assert_int_equal(f->r.errors, 0);
	assert_int_equal(f->r.blocks, 1);
}

/* ---- malformed trees: an error on that node, the rest still counted ---------- */

static void test_loop(void **state)
{
	struct fixture *f = *state;
	uint64_t l2;

	tree_add(f->m, f->root, 0x200000, 0);
	l2 = tree_node(f->m, f->root, 0x200000, 0, 2);
	/* Another entry of a level-2 table points back at the root. */
	set64(f->m, l2 + 8 * 300, f->root);
	walk(f, NULL, 0);
	assert_true(has_error(&f->e, f->root, "already visited"));
	assert_int_equal(f->r.errors, 1);
	assert_int_equal(f->r.blocks, 1);
}

static void test_shared_node(void **state)
{
	struct fixture *f = *state;
	uint64_t l1, leaf;

	tree_add(f->m, f->root, 0x200000, 0);
	l1 = tree_node(f->m, f->root, 0x200000, 0, 1);
	leaf = get64(f->m, l1 + 8 * table_index(key_of(0x200000, 0), 1));
	/* Every entry of the level-1 table points at the same leaf: read once, 511 errors. */
	for (unsigned int i = 0; i < 512; i++)
		set64(f->m, l1 + 8 * i, leaf);
	walk(f, NULL, 0);
	assert_true(has_error(&f->e, leaf, "already visited"));
	assert_int_equal(f->r.errors, 511);
	assert_int_equal(f->r.leaves, 1);
	assert_int_equal(f->r.blocks, 1);
}

static void test_unaligned_pointer(void **state)
{
	struct fixture *f = *state;
	uint64_t l3;

	tree_add(f->m, f->root, 0x200000, 0);
	l3 = tree_node(f->m, f->root, 0x200000, 0, 3);
	set64(f->m, l3 + 8 * 7, LOW + 0x10);
	walk(f, NULL, 0);
	assert_true(has_error(&f->e, LOW + 0x10, "not page aligned"));
	assert_int_equal(f->r.errors, 1);
	assert_int_equal(f->r.blocks, 1);
}

static void test_pointer_outside_ram(void **state)
{
	struct fixture *f = *state;
	uint64_t l4;

	tree_add(f->m, f->root, 0x200000, 0);
	l4 = tree_node(f->m, f->root, 0x200000, 0, 4);
	set64(f->m, l4 + 8 * 9, 0xfee00000);	      /* Local APIC */
	set64(f->m, l4 + 8 * 10, 0x7fffffffff000ULL); /* far beyond RAM */
	walk(f, NULL, 0);
	assert_true(has_error(&f->e, 0xfee00000, "outside RAM"));
	assert_true(has_error(&f->e, 0x7fffffffff000ULL, "outside RAM"));
	assert_int_equal(f->r.errors, 2);
	assert_int_equal(f->r.blocks, 1);
}

/* In RAM by iomem, but no segment holds it: kcore cannot read it. */
static void test_pointer_unreadable(void **state)
{
	struct fixture *f = *state;
	uint64_t l1;

	tree_add(f->m, f->root, 0x200000, 0);
	l1 = tree_node(f->m, f->root, 0x200000, 0, 1);
	set64(f->m, l1 + 8 * 100, 0x30000000);
	walk(f, NULL, 0);
	assert_true(has_error(&f->e, 0x30000000, "not in readable memory"));
	assert_int_equal(f->r.blocks, 1);
}

static void test_root_outside_ram(void **state)
{
	struct fixture *f = *state;

	img_write(f->m, f->dir, NULL, 0);
	f->pm = img_open(f->dir);
	assert_int_equal(kt_radix_walk(f->pm, 0xfee00000, &err_ops, &f->e, &f->r), 0);
	assert_true(has_error(&f->e, 0xfee00000, "outside RAM"));
	assert_int_equal(f->r.tables, 0);
	kt_radix_result_free(&f->r);
	memset(&f->e, 0, sizeof(f->e));
	assert_int_equal(kt_radix_walk(f->pm, 0, &err_ops, &f->e, &f->r), 0);
	assert_int_equal(f->r.errors, 1);
}

static void test_truncated_segment(void **state)
{
	struct fixture *f = *state;
	uint64_t l1, far;

	tree_add(f->m, f->root, 0x200000, 0);
	l1 = tree_node(f->m, f->root, 0x200000, 0, 1);
	/* The last page of the low segment, which the cut file no longer holds. */
	far = LOW + (LOW_PAGES - 1) * KT_PAGE_SIZE;
	set64(f->m, l1 + 8 * 200, far);
	/* Header page + vmalloc (4 pages) + all but the last two low pages. */
	walk(f, NULL, (off_t)(KT_PAGE_SIZE * (1 + 4 + LOW_PAGES - 2)));
	assert_true(has_error(&f->e, far, "truncated"));
	assert_int_equal(f->r.blocks, 1);
}

static void test_entry_beyond_key_space(void **state)
{
	struct fixture *f = *state;
	uint64_t other = img_alloc(f->m, false);

	tree_add(f->m, f->root, 0x200000, 0);
	set64(f->m, f->root + 8 * 4, other); /* level-5 index 4: key bit 53 */
	walk(f, NULL, 0);
	assert_true(has_error(&f->e, f->root, "beyond the 53-bit key space"));
	assert_int_equal(f->r.blocks, 1);
}

/* A leaf with every bit set, in a machine of 64 pages: absurd, stopped at RAM's page count. */
static void test_more_pages_than_ram(void **state)
{
	struct fixture *f = *state;
	uint64_t l1, leaf;

	tree_add(f->m, f->root, 0x100000, 0);
	l1 = tree_node(f->m, f->root, 0x100000, 0, 1);
	leaf = get64(f->m, l1 + 8 * table_index(key_of(0x100000, 0), 1));
	memset(img_page(f->m, leaf), 0xff, KT_PAGE_SIZE);
	walk(f, "00100000-0013ffff : System RAM\n", 0);
	assert_true(f->r.stopped);
	assert_true(has_error(&f->e, leaf, "more preserved pages than RAM holds"));
	assert_int_equal(f->r.pages, 64);
}

/* Garbage everywhere: every table entry points somewhere; bounded, no hang. */
static void test_garbage_tables(void **state)
{
	struct fixture *f = *state;
	size_t p, i;

	for (p = 0; p < LOW_PAGES; p++)
		for (i = 0; i < 512; i++)
			set64(f->m, LOW + p * KT_PAGE_SIZE + 8 * i,
			      LOW + ((p * 7 + i * 13) % LOW_PAGES) * KT_PAGE_SIZE);
	walk(f, NULL, 0);
	assert_true(f->r.errors > 0);
	assert_true(f->r.tables + f->r.leaves <= LOW_PAGES);
}

/* ---- checks ------------------------------------------------------------------ */

struct bad {
	uint64_t start[8], end[8];
	size_t n;
};

static void on_bad(void *ctx, uint64_t start, uint64_t end, const char *what)
{
	struct bad *b = ctx;

	(void)what;
	if (b->n < 8) {
		b->start[b->n] = start;
		b->end[b->n++] = end;
	}
}

static void test_check_areas(void **state)
{
	const struct kt_range r[] = {{0x1000, 0x3000}, {0x8000, 0x9000}, {0x20000, 0x30000}};
	const struct kt_area sc[] = {{0x2000, 0x7000}, {0x40000, 0}, {0x28000, 0x1000}};
	struct bad b = {0};

	(void)state;
	assert_int_equal(kt_radix_check_areas(r, 3, sc, 3, on_bad, &b), 0x1000 + 0x1000 + 0x1000);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.start[0], 0x2000);
	assert_int_equal(b.end[0], 0x3000);
	assert_int_equal(b.start[1], 0x8000);
	assert_int_equal(b.start[2], 0x28000);
	assert_int_equal(kt_radix_check_areas(r, 3, NULL, 0, NULL, NULL), 0);
}

static void test_check_ram(void **state)
{
	const struct kt_range r[] = {{0x1000, 0x3000}, {0x9000, 0x12000}, {0x50000, 0x51000}};
	const struct kt_range ram[] = {{0x0, 0x2000}, {0xa000, 0x10000}, {0x50000, 0x60000}};
	struct bad b = {0};

	(void)state;
	/* 0x2000-0x3000, 0x9000-0xa000, 0x10000-0x12000 */
	assert_int_equal(kt_radix_check_ram(r, 3, ram, 3, on_bad, &b), 0x1000 + 0x1000 + 0x2000);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.start[1], 0x9000);
	assert_int_equal(b.end[1], 0xa000);
	assert_int_equal(b.start[2], 0x10000);
	assert_int_equal(b.end[2], 0x12000);
	assert_int_equal(kt_radix_check_ram(r, 3, NULL, 0, NULL, NULL), 0x2000 + 0x9000 + 0x1000);
	assert_true(kt_radix_covers(r, 3, 0x9000, 0x12000));
	assert_false(kt_radix_covers(r, 3, 0x2000, 0x4000));
	assert_false(kt_radix_covers(r, 3, 0x60000, 0x61000));
}

/* ---- the view, through a debugfs-like directory and KHO_TOOLS_* ---------------- */

#define SCRATCH_PHYS "0x72400000\n0x53800000\n"
#define SCRATCH_LEN  "0xa400000\n0x1ec00000\n"

/* DIR/kho, like debugfs: out/fdt points at f->root, with a LUO sub-blob at lu (size 32). */
static void write_debugfs(struct fixture *f, uint64_t lu, bool in)
{
	const struct fb_sub subs[] = {{"LUO", lu, 32}};
	struct fb_blob fdt = fb_kho_v4_kernel(f->root, subs, 1);
	uint8_t luo[32] = "luo-v5";

	td_write_blob(f->dir, "kho/out/fdt", &fdt);
	td_write_str(f->dir, "kho/out/scratch_phys", SCRATCH_PHYS);
	td_write_str(f->dir, "kho/out/scratch_len", SCRATCH_LEN);
	td_write(f->dir, "kho/out/sub_fdts/LUO", luo, sizeof(luo));
	if (in) {
		td_write_blob(f->dir, "kho/in/fdt", &fdt);
		td_write(f->dir, "kho/in/sub_fdts/LUO", luo, sizeof(luo));
	}
	fb_free(&fdt);
}

static void load_live(struct fixture *f, struct kt_snapshot *s)
{
	char *kho = td_path(f->dir, "kho"), *core = td_path(f->dir, "kcore"),
	     *iomem = td_path(f->dir, "iomem");
	char err[512];

	setenv("KHO_TOOLS_DEBUGFS", kho, 1);
	setenv("KHO_TOOLS_KCORE", core, 1);
	setenv("KHO_TOOLS_IOMEM", iomem, 1);
	if (kt_snapshot_load(NULL, s, err, sizeof(err)))
		fail_msg("load: %s", err);
	free(kho);
	free(core);
	free(iomem);
}

static void view(struct kt_snapshot *s, struct cap *c, unsigned int mask, bool ranges)
{
	const struct kt_view_opts o = {.mask = mask, .ranges = ranges};
	struct kt_state st;

	cap_init(c);
	kt_state_init(&st, s);
	kt_view_mem(&st, &o, &c->sink);
	kt_state_free(&st);
}

static void build_view_tree(struct fixture *f, uint64_t *lu)
{
	*lu = 0x210000;
	tree_add(f->m, f->root, *lu, 0); /* the LUO blob's page */
	tree_add(f->m, f->root, 0x400000, 9);
	tree_add(f->m, f->root, 0x72401000, 0); /* inside the first scratch area */
}

/* 7.4's names for the boot areas: the same check, in the kernel's word and file. */
static void test_view_live_bootmem(void **state)
{
	struct fixture *f = *state;
	char *from, *to;
	struct kt_snapshot s;
	struct cap c;
	uint64_t lu;
	int i;

	build_view_tree(f, &lu);
	img_write(f->m, f->dir, NULL, 0);
	write_debugfs(f, lu, false);
	for (i = 0; i < 2; i++) {
		from = td_path(f->dir, i ? "kho/out/scratch_len" : "kho/out/scratch_phys");
		to = td_path(f->dir, i ? "kho/out/bootmem_len" : "kho/out/bootmem_phys");
		assert_int_equal(rename(from, to), 0);
		free(from);
		free(to);
	}
	load_live(f, &s);
	view(&s, &c, KT_VIEW_OUT, true);
	assert_cap_has(&c, "out", "field scratch_areas=2");
	assert_cap_has(&c, "out", "field scratch_overlap=4 KiB");
	assert_cap_has(&c, "out",
		       "error preserved 0x72401000-0x72402000 lies inside a bootmem area (out/bootmem_phys)");
	cap_free(&c);
	kt_snapshot_free(&s);
}

static void test_view_live_out(void **state)
{
	struct fixture *f = *state;
	struct kt_snapshot s;
	struct cap c;
	uint64_t lu;

	build_view_tree(f, &lu);
	img_write(f->m, f->dir, NULL, 0);
	write_debugfs(f, lu, false);
	load_live(f, &s);
	view(&s, &c, KT_VIEW_OUT | KT_VIEW_IN, true);
	assert_cap_has(&c, "", "begin out kho-v4");
	assert_cap_has(&c, "out", "field blocks=3");
	assert_cap_has(&c, "out", "field pages=514");
	assert_cap_has(&c, "out", "field ranges=3");
	assert_cap_has(&c, "out", "field scratch_areas=2");
	assert_cap_has(&c, "out", "field scratch_overlap=4 KiB");
	assert_cap_has(&c, "out", "field outside_ram=0 B");
	assert_cap_has(&c, "out",
		       "error preserved 0x72401000-0x72402000 lies inside a scratch area (out/scratch_phys)");
	assert_cap_has(&c, "out/orders/9", "field total=2 MiB");
	assert_cap_has(&c, "out/orders/0", "field count=2");
	assert_cap_has(&c, "out/ranges", "field count=3");
	assert_cap_has(&c, "out/ranges/1", "field start=0x400000");
	assert_cap_has(&c, "out/ranges/1", "field end=0x600000");
	assert_cap_count(&c, "out", "warning", 0);
	/* No in/: said so, not an error. */
	assert_cap_has(&c, "", "begin in");
	assert_cap_count(&c, "in", "info", 1);
	assert_int_equal(c.sink.errors, 1);
	cap_free(&c);
	kt_snapshot_free(&s);
}

static void test_view_blob_not_preserved_and_walk_error(void **state)
{
	struct fixture *f = *state;
	struct kt_snapshot s;
	struct cap c;
	uint64_t l1;

	tree_add(f->m, f->root, 0x400000, 9);
	l1 = tree_node(f->m, f->root, 0x400000, 9, 1);
	set64(f->m, l1 + 8 * 3, 0xfee00000);
	img_write(f->m, f->dir, NULL, 0);
	write_debugfs(f, 0x210000, true);
	load_live(f, &s);
	view(&s, &c, KT_VIEW_OUT | KT_VIEW_IN, false);
	assert_cap_has(&c, "out", "field complete=false");
	assert_cap_has(&c, "out", "warning sub-blob LUO (0x210000, 32 bytes) is not in preserved memory");
	assert_cap_count(&c, "out", "error", 1);
	assert_cap_count(&c, "out/ranges", "field", 0);
	assert_cap_has(&c, "out", "field stale=false");
	/*
	 * in/ exists only when the boot-time walk succeeded: the same faults there
	 * mean the kernel reused the tree's pages since. Stale, warnings, no error.
	 */
	assert_cap_has(&c, "", "begin in kho-v4");
	assert_cap_has(&c, "in", "field stale=true");
	assert_cap_count(&c, "in", "error", 0);
	assert_non_null(cap_first(&c, "in", "warning stale: "));
	assert_cap_has(&c, "in",
		       "warning level-0 node 0xfee00000 (entry 3 of level-1 node 0x104000): outside RAM");
	assert_int_equal(c.sink.errors, 1);
	cap_free(&c);
	kt_snapshot_free(&s);
}

static void test_view_in_consistent(void **state)
{
	struct fixture *f = *state;
	struct kt_snapshot s;
	struct cap c;
	uint64_t lu;

	build_view_tree(f, &lu);
	img_write(f->m, f->dir, NULL, 0);
	write_debugfs(f, lu, true);
	load_live(f, &s);
	view(&s, &c, KT_VIEW_IN, false);
	assert_cap_has(&c, "in", "field stale=false");
	assert_cap_has(&c, "in", "field blocks=3");
	/* The scratch check uses out/scratch_*: this kernel runs on the areas it was handed. */
	assert_cap_has(&c, "in",
		       "error preserved 0x72401000-0x72402000 lies inside a scratch area (out/scratch_phys)");
	assert_non_null(cap_first(&c, "in", "info read after boot"));
	cap_free(&c);
	kt_snapshot_free(&s);
}

static void test_view_no_physmem(void **state)
{
	struct fixture *f = *state;
	char *kho = td_path(f->dir, "kho");
	struct kt_snapshot s;
	struct cap c;
	char err[256];

	write_debugfs(f, 0x210000, false);
	assert_int_equal(kt_snapshot_load(kho, &s, err, sizeof(err)), 0);
	view(&s, &c, KT_VIEW_OUT, false);
	assert_int_equal(c.sink.errors, 1);
	assert_non_null(cap_first(&c, "mem", "error"));
	assert_non_null(strstr(cap_first(&c, "mem", "error"), "no physical memory in this snapshot"));
	cap_free(&c);
	kt_snapshot_free(&s);
	free(kho);
}

/* save's path: record the walk, export, add to the snapshot, read it back offline. */
static void test_view_from_saved_pages(void **state)
{
	struct fixture *f = *state;
	char *saved = td_path(f->dir, "saved"), err[512];
	const struct kt_view_opts both = {.mask = KT_VIEW_OUT | KT_VIEW_IN};
	struct kt_snapshot s, back;
	struct kt_physmem *pm;
	struct kt_state st;
	struct cap live, off;
	uint8_t *buf;
	size_t len, i;
	uint64_t lu;

	build_view_tree(f, &lu);
	img_write(f->m, f->dir, NULL, 0);
	write_debugfs(f, lu, false);
	load_live(f, &s);
	view(&s, &live, KT_VIEW_OUT, true);

	kt_state_init(&st, &s);
	pm = kt_state_physmem(&st);
	assert_non_null(pm);
	kt_physmem_record(pm, true);
	cap_init(&off);
	kt_node_begin(&off.sink, "global", NULL, NULL);
	kt_view_mem_totals(&st, &both, &off.sink);
	kt_node_end(&off.sink);
	assert_cap_has(&off, "global", "field preserved_out_blocks=3");
	assert_cap_has(&off, "global", "field preserved_out_problems=1");
	cap_free(&off);
	kt_physmem_record(pm, false);
	assert_int_equal(kt_physmem_export(pm, &buf, &len), 0);
	/*
	 * The tree's 12 pages: the root; for order 0 (0x210000 and 0x72401000: one path
	 * down to level 1, then two leaves) 6; for order 9 (another level-5 entry) 5.
	 * Then the 3 System RAM ranges.
	 */
	assert_int_equal(len, 16 + 12 * (8 + KT_PAGE_SIZE) + 8 + 3 * 16);
	kt_snapshot_add_file(&s, KT_PHYSMEM_FILE, buf, len);
	kt_state_free(&st);
	assert_int_equal(kt_snapshot_save(&s, saved, err, sizeof(err)), 0);
	kt_snapshot_free(&s);

	unsetenv("KHO_TOOLS_KCORE");
	assert_int_equal(kt_snapshot_load(saved, &back, err, sizeof(err)), 0);
	view(&back, &off, KT_VIEW_OUT, true);
	assert_int_equal(off.n, live.n);
	for (i = 0; i < off.n; i++)
		assert_string_equal(off.lines[i], live.lines[i]);
	cap_free(&off);
	cap_free(&live);
	kt_snapshot_free(&back);
	free(saved);
}

/* The tree's root as the preserved-memory model finds it (or says why not) in each direction. */
static int root_of(struct kt_snapshot *s, enum kt_dirn d, char *why, size_t whylen)
{
	struct kt_state st;
	int ret;

	kt_state_init(&st, s);
	ret = kt_state_mem(&st, d)->ret;
	snprintf(why, whylen, "%s", kt_state_mem(&st, d)->why);
	kt_state_free(&st);
	return ret;
}

static void test_root_fdt_cases(void **state)
{
	struct fixture *f = *state;
	char *kho = td_path(f->dir, "kho"), *core = td_path(f->dir, "kcore"),
	     *iomem = td_path(f->dir, "iomem");
	char why[256], err[256];
	struct kt_snapshot s;
	struct fb fb;
	struct fb_blob v1 = fb_kho_v1(0x1000, NULL, 0), nomap;

	img_write(f->m, f->dir, NULL, 0);
	setenv("KHO_TOOLS_KCORE", core, 1);
	setenv("KHO_TOOLS_IOMEM", iomem, 1);
	setenv("KHO_TOOLS_DEBUGFS", kho, 1);
	td_write_str(f->dir, "kho/out/scratch_phys", SCRATCH_PHYS);
	td_write_str(f->dir, "kho/out/scratch_len", SCRATCH_LEN);
	assert_int_equal(kt_snapshot_load(NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(root_of(&s, KT_OUT, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no out/fdt"));
	assert_int_equal(root_of(&s, KT_IN, why, sizeof(why)), -ENOENT);
	kt_snapshot_free(&s);

	td_write_blob(f->dir, "kho/out/fdt", &v1);
	assert_int_equal(kt_snapshot_load(NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(root_of(&s, KT_OUT, why, sizeof(why)), -EOPNOTSUPP);
	kt_snapshot_free(&s);

	fb_start(&fb);
	fb_str(&fb, "compatible", KHO_V4_COMPATIBLE);
	fb_u32(&fb, KHO_PROP_MEM_MAP, 7);
	nomap = fb_finish(&fb);
	td_write_blob(f->dir, "kho/out/fdt", &nomap);
	assert_int_equal(kt_snapshot_load(NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(root_of(&s, KT_OUT, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "preserved-memory-map"));
	kt_snapshot_free(&s);
	unsetenv("KHO_TOOLS_KCORE");
	unsetenv("KHO_TOOLS_IOMEM");
	unsetenv("KHO_TOOLS_DEBUGFS");
	fb_free(&v1);
	fb_free(&nomap);
	free(kho);
	free(core);
	free(iomem);
}

/* ---- the bats fixture ---------------------------------------------------------- */

static int write_fixture(const char *dir)
{
	struct fixture f = {.m = calloc(1, sizeof(*f.m)), .dir = (char *)dir};
	uint64_t lu;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "test_radix: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	f.root = img_alloc(f.m, false);
	lu = 0x210000;
	tree_add(f.m, f.root, lu, 0);
	tree_add(f.m, f.root, 0x211000, 0);
	tree_add(f.m, f.root, 0x400000, 9);
	tree_add(f.m, f.root, 0x800000, 10);
	img_write(f.m, dir, NULL, 0);
	write_debugfs(&f, lu, false);
	free(f.m);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_round_trip),
	    cmocka_unit_test_setup_teardown(test_single_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_several_orders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_order_and_callback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_memory_two_orders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nodes_in_high_segment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_node, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unaligned_pointer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pointer_outside_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pointer_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_root_outside_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_segment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_entry_beyond_key_space, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_more_pages_than_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_tables, setup, teardown),
	    cmocka_unit_test(test_check_areas),
	    cmocka_unit_test(test_check_ram),
	    cmocka_unit_test_setup_teardown(test_view_live_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_view_live_bootmem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_view_blob_not_preserved_and_walk_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_view_in_consistent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_view_no_physmem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_view_from_saved_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_root_fdt_cases, setup, teardown),
	};

	if (argc == 3 && !strcmp(argv[1], "--fixture"))
		return write_fixture(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
