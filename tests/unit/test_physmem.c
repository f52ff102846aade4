// SPDX-License-Identifier: GPL-2.0-only
/*
 * Physical memory backends on files built in the test: an ELF64 core laid out
 * like /proc/kcore (PT_NOTE, then PT_LOAD segments whose p_paddr is set for RAM
 * and kernel text, -1 for vmalloc), an iomem text, and the snapshot image that
 * save writes. Every malformed input must be refused with a message, every read
 * outside System RAM or past what a file holds must fail, never succeed with
 * made-up bytes.
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

#include "model/state.h"
#include "source/physmem.h"
#include "base/util.h"
#include "../kcore_image.h"

#define PAGE	    KT_PAGE_SIZE
#define LOW	    0x100000ULL
#define PAGE_OFFSET 0xffff888000000000ULL
#define VMALLOC	    0xffffc90000000000ULL
#define TEXT_VA	    0xffffffff81000000ULL
#define TEXT_PA	    0x1000000ULL

#define IOMEM                                                                                                \
	"00000000-00000fff : Reserved\n"                                                                     \
	"00001000-0009fbff : System RAM\n"                                                                   \
	"000a0000-000bffff : PCI Bus 0000:00\n"                                                              \
	"00100000-00ffffff : System RAM\n"                                                                   \
	"01000000-7ffdffff : System RAM\n"                                                                   \
	"  01000000-01ffffff : Kernel code\n"                                                                \
	"  02000000-020fffff : System RAM\n"                                                                 \
	"fee00000-fee00fff : Local APIC\n"                                                                   \
	"100000000-17fffffff : System RAM\n"

struct wseg {
	uint64_t paddr, vaddr, size;
	const void *data; /* NULL: a hole (zeros) */
};

/* Headers in the first page (tests may patch them), data page aligned after. */
struct core {
	uint8_t hdr[PAGE];
	const struct wseg *segs;
	size_t n;
};

static Elf64_Ehdr *eh(struct core *c)
{
	return (Elf64_Ehdr *)c->hdr;
}

static Elf64_Phdr *ph(struct core *c, size_t i)
{
	return (Elf64_Phdr *)(c->hdr + sizeof(Elf64_Ehdr)) + i;
}

static void core_init(struct core *c, const struct wseg *segs, size_t n)
{
	uint64_t off = PAGE;
	size_t i;

	assert_true(sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr) <= PAGE);
	memset(c, 0, sizeof(*c));
	c->segs = segs;
	c->n = n;
	kt_core_ehdr(eh(c), n + 1);
	ph(c, 0)->p_type = PT_NOTE;
	for (i = 0; i < n; i++) {
		*ph(c, i + 1) = (Elf64_Phdr){.p_type = PT_LOAD,
					     .p_flags = PF_R | PF_W | PF_X,
					     .p_offset = off,
					     .p_vaddr = segs[i].vaddr,
					     .p_paddr = segs[i].paddr,
					     .p_filesz = segs[i].size,
					     .p_memsz = segs[i].size,
					     .p_align = PAGE};
		off += segs[i].size;
	}
}

/* Write dir/name; len: the file's length (0: everything). */
static char *core_write(struct core *c, const char *dir, const char *name, off_t len)
{
	char *path = td_path(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	uint64_t off = PAGE;
	size_t i;

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, c->hdr, PAGE, 0), PAGE);
	for (i = 0; i < c->n; i++) {
		if (c->segs[i].data)
			assert_int_equal(pwrite(fd, c->segs[i].data, c->segs[i].size, off),
					 (ssize_t)c->segs[i].size);
		off += c->segs[i].size;
	}
	assert_int_equal(ftruncate(fd, len ? len : (off_t)off), 0);
	close(fd);
	return path;
}

/* ---- the standard image ------------------------------------------------------ */

#define LOW_PAGES 16

struct fixture {
	char *dir;
	uint8_t low[LOW_PAGES][PAGE];
	uint8_t text[2][PAGE];
	struct wseg segs[5];
	struct core c;
	struct kt_physmem *pm;
	char err[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	f->dir = td_make();
	for (i = 0; i < LOW_PAGES; i++)
		memset(f->low[i], 0x40 + (int)i, PAGE);
	memset(f->text, 0xee, sizeof(f->text));
	/* vmalloc first, as kcore lists it; low RAM split in two adjacent segments. */
	f->segs[0] = (struct wseg){(uint64_t)-1, VMALLOC, 2 * PAGE, NULL};
	f->segs[1] = (struct wseg){LOW, PAGE_OFFSET + LOW, 8 * PAGE, f->low[0]};
	f->segs[2] = (struct wseg){LOW + 8 * PAGE, PAGE_OFFSET + LOW + 8 * PAGE, 8 * PAGE, f->low[8]};
	f->segs[3] = (struct wseg){TEXT_PA, TEXT_VA, sizeof(f->text), f->text};
	f->segs[4] = (struct wseg){0x100000000ULL, PAGE_OFFSET + 0x100000000ULL, 4 * PAGE, NULL};
	core_init(&f->c, f->segs, 5);
	td_write_str(f->dir, "iomem", IOMEM);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kt_physmem_close(f->pm);
	td_remove(f->dir);
	free(f);
	return 0;
}

/* Write the core (cut at len, 0 = whole) and open it with dir/iomem. */
static int open_core(struct fixture *f, off_t len)
{
	char *core = core_write(&f->c, f->dir, "kcore", len), *iomem = td_path(f->dir, "iomem");
	int ret;

	kt_physmem_close(f->pm);
	f->pm = NULL;
	f->err[0] = '\0';
	ret = kt_physmem_open_kcore(core, iomem, &f->pm, f->err, sizeof(f->err));
	free(core);
	free(iomem);
	return ret;
}

static void assert_err_has(struct fixture *f, const char *what)
{
	if (!strstr(f->err, what))
		fail_msg("error '%s' lacks '%s'", f->err, what);
}

/* ---- kcore ------------------------------------------------------------------- */

static void test_read_phys(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[3 * PAGE];

	assert_int_equal(open_core(f, 0), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 5 * PAGE + 10, buf, 8), 0);
	assert_int_equal(buf[0], 0x45);
	/* Across the boundary of two segments. */
	assert_int_equal(kt_physmem_read(f->pm, LOW + 7 * PAGE, buf, 3 * PAGE), 0);
	assert_int_equal(buf[0], 0x47);
	assert_int_equal(buf[PAGE], 0x48);
	assert_int_equal(buf[2 * PAGE], 0x49);
	/* Kernel text: p_paddr is __pa_symbol() of its segment. */
	assert_int_equal(kt_physmem_read(f->pm, TEXT_PA + PAGE, buf, 16), 0);
	assert_int_equal(buf[15], 0xee);
	/* A hole of the file reads as zeros, as kcore gives for offline pages. */
	assert_int_equal(kt_physmem_read(f->pm, 0x100000000ULL + PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW, buf, 0), 0);
}

static void test_read_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[64];
	uint8_t *big;

	assert_int_equal(open_core(f, 0), 0);
	/* Not System RAM. */
	assert_int_equal(kt_physmem_read(f->pm, 0xfee00000, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read(f->pm, 0xa0000, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read(f->pm, 0x9fbf8, buf, 16), -EFAULT); /* runs past the end of RAM */
	/* RAM, but no segment holds it. */
	assert_int_equal(kt_physmem_read(f->pm, 0x30000000, buf, 8), -EFAULT);
	/* Wraps around the address space. */
	assert_int_equal(kt_physmem_read(f->pm, UINT64_MAX - 3, buf, 8), -EFAULT);
	/* More than 64 MiB at once. */
	big = malloc(KT_PHYSMEM_MAX_READ + 1);
	assert_int_equal(kt_physmem_read(f->pm, LOW, big, KT_PHYSMEM_MAX_READ + 1), -E2BIG);
	assert_int_equal(kt_physmem_read_virt(f->pm, PAGE_OFFSET + LOW, big, KT_PHYSMEM_MAX_READ + 1),
			 -E2BIG);
	free(big);
	/* The end of the low segment: half in, half out. */
	assert_int_equal(kt_physmem_read(f->pm, LOW + LOW_PAGES * PAGE - 8, buf, 16), -EFAULT);
}

static void test_read_virt(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[16];

	assert_int_equal(open_core(f, 0), 0);
	assert_int_equal(kt_physmem_read_virt(f->pm, PAGE_OFFSET + LOW + 3 * PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x43);
	assert_int_equal(kt_physmem_read_virt(f->pm, TEXT_VA, buf, 16), 0);
	assert_int_equal(buf[0], 0xee);
	/* vmalloc has no physical address but reads by virtual one. */
	assert_int_equal(kt_physmem_read_virt(f->pm, VMALLOC + 8, buf, 8), 0);
	assert_int_equal(kt_physmem_read_virt(f->pm, 0xffffea0000000000ULL, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read_virt(f->pm, UINT64_MAX - 3, buf, 8), -EFAULT);
}

static void test_truncated_image(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[16];

	/* Header page, vmalloc (2 pages), then 3 pages of low RAM: the rest is cut off. */
	assert_int_equal(open_core(f, (off_t)(6 * PAGE)), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 2 * PAGE, buf, 16), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 3 * PAGE, buf, 16), -EIO);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 2 * PAGE + PAGE - 8, buf, 16), -EIO);
}

/* Overwrite len bytes of the image's file at phys in the low segment (after the header and vmalloc pages). */
static void poke_low(struct fixture *f, uint64_t pa, uint8_t v, size_t len)
{
	char *path = td_path(f->dir, "kcore");
	int fd = open(path, O_WRONLY);
	uint8_t buf[PAGE];

	assert_true(fd >= 0 && len <= sizeof(buf));
	memset(buf, v, len);
	assert_int_equal(pwrite(fd, buf, len, (off_t)(3 * PAGE + pa - LOW)), (ssize_t)len);
	close(fd);
	free(path);
}

/*
 * Through the cache: the same bytes as without it, pages read ahead no further than their
 * segment or the file, and a page of RAM is one page whether read by its physical or its
 * direct-map address (what was read stays until the cache is emptied).
 */
static void test_cached_reads(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[3 * PAGE];

	assert_int_equal(open_core(f, 0), 0);
	kt_physmem_cache(f->pm, true);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 7 * PAGE, buf, 3 * PAGE), 0);
	assert_int_equal(buf[0], 0x47);
	assert_int_equal(buf[PAGE], 0x48);
	assert_int_equal(buf[2 * PAGE], 0x49);
	assert_int_equal(kt_physmem_read_virt(f->pm, TEXT_VA + PAGE + 15, buf, 1), 0);
	assert_int_equal(buf[0], 0xee);
	assert_int_equal(kt_physmem_read_virt(f->pm, VMALLOC + 8, buf, 8), 0);
	assert_int_equal(buf[0], 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + LOW_PAGES * PAGE - 8, buf, 16), -EFAULT);

	assert_int_equal(kt_physmem_read_virt(f->pm, PAGE_OFFSET + LOW + 2 * PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x42);
	poke_low(f, LOW + 2 * PAGE, 0x99, 16);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 2 * PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x42);
	assert_int_equal(kt_physmem_read_virt_fresh(f->pm, PAGE_OFFSET + LOW + 2 * PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x99);
	kt_physmem_cache(f->pm, true);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 2 * PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x99);
	kt_physmem_cache(f->pm, false);

	/*
	 * The file ends 3 pages into low RAM: read upwards, the second page's miss reads ahead
	 * past the end, and falls back to the page itself.
	 */
	assert_int_equal(open_core(f, (off_t)(6 * PAGE)), 0);
	kt_physmem_cache(f->pm, true);
	assert_int_equal(kt_physmem_read(f->pm, LOW, buf, 16), 0);
	assert_int_equal(buf[0], 0x40);
	assert_int_equal(kt_physmem_read_virt(f->pm, PAGE_OFFSET + LOW + PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x41);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 2 * PAGE, buf, 16), 0);
	assert_int_equal(buf[0], 0x42);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 3 * PAGE, buf, 16), -EIO);
	kt_physmem_cache(f->pm, false);
}

static void test_extended_phnum(void **state)
{
	struct fixture *f = *state;
	Elf64_Shdr sh = {.sh_info = f->c.n + 1};
	size_t off = sizeof(Elf64_Ehdr) + (f->c.n + 1) * sizeof(Elf64_Phdr);
	uint8_t buf[8];

	eh(&f->c)->e_phnum = PN_XNUM;
	eh(&f->c)->e_shoff = off;
	eh(&f->c)->e_shentsize = sizeof(sh);
	eh(&f->c)->e_shnum = 0;
	memcpy(f->c.hdr + off, &sh, sizeof(sh));
	assert_int_equal(open_core(f, 0), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 9 * PAGE, buf, 8), 0);
	assert_int_equal(buf[0], 0x49);
}

static void test_malformed_elf(void **state)
{
	struct fixture *f = *state;
	struct core good = f->c;

	eh(&f->c)->e_ident[EI_MAG1] = 'X';
	assert_int_equal(open_core(f, 0), -EINVAL);
	assert_err_has(f, "not a little-endian ELF64 core");

	f->c = good;
	eh(&f->c)->e_ident[EI_CLASS] = ELFCLASS32;
	assert_int_equal(open_core(f, 0), -EINVAL);

	f->c = good;
	eh(&f->c)->e_ident[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(open_core(f, 0), -EINVAL);

	f->c = good;
	eh(&f->c)->e_type = ET_EXEC;
	assert_int_equal(open_core(f, 0), -EINVAL);

	f->c = good;
	eh(&f->c)->e_phentsize = 32;
	assert_int_equal(open_core(f, 0), -EINVAL);
	assert_err_has(f, "program header size 32");

	f->c = good;
	eh(&f->c)->e_phnum = 0;
	assert_int_equal(open_core(f, 0), -EINVAL);

	f->c = good;
	eh(&f->c)->e_phnum = PN_XNUM; /* and no section header to give the count */
	assert_int_equal(open_core(f, 0), -EINVAL);

	/* The program header table lies past the end of the file. */
	f->c = good;
	eh(&f->c)->e_phoff = 1 << 20;
	assert_int_equal(open_core(f, 0), -EIO);
	assert_err_has(f, "file too short");

	/* A segment whose file range wraps around. */
	f->c = good;
	ph(&f->c, 2)->p_offset = UINT64_MAX - PAGE;
	assert_int_equal(open_core(f, 0), -EINVAL);
	assert_err_has(f, "program header 2");

	/* Only the note. */
	f->c = good;
	eh(&f->c)->e_phnum = 1;
	assert_int_equal(open_core(f, 0), -EINVAL);
	assert_err_has(f, "no PT_LOAD");

	/* Shorter than an ELF header. */
	f->c = good;
	assert_int_equal(open_core(f, 20), -EIO);
	assert_err_has(f, "cannot read the ELF header");
	f->c = good;
}

/* A segment with a physical range that wraps is not used for physical reads. */
static void test_segment_paddr_wraps(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8];

	ph(&f->c, 2)->p_paddr = UINT64_MAX - PAGE;
	assert_int_equal(open_core(f, 0), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 8 * PAGE, buf, 8), 0);
}

static void test_missing_files(void **state)
{
	struct fixture *f = *state;
	char *iomem = td_path(f->dir, "iomem"), *nope = td_path(f->dir, "nope"), *core;

	assert_int_equal(kt_physmem_open_kcore(nope, iomem, &f->pm, f->err, sizeof(f->err)), -ENOENT);
	assert_null(f->pm);
	assert_err_has(f, nope);
	core = core_write(&f->c, f->dir, "kcore", 0);
	assert_int_equal(kt_physmem_open_kcore(core, nope, &f->pm, f->err, sizeof(f->err)), -ENOENT);
	assert_err_has(f, nope);
	free(core);
	free(iomem);
	free(nope);
}

static void test_not_root(void **state)
{
	struct fixture *f = *state;
	char *core;

	if (!geteuid()) {
		print_message("skip: running as root, which opens a mode-000 file anyway\n");
		skip();
	}
	core = core_write(&f->c, f->dir, "kcore", 0);
	assert_int_equal(chmod(core, 0), 0);
	assert_int_equal(kt_physmem_open_kcore(core, NULL, &f->pm, f->err, sizeof(f->err)), -EACCES);
	assert_err_has(f, "needs root");
	free(core);
}

/* ---- iomem ------------------------------------------------------------------- */

static void test_iomem_ranges(void **state)
{
	struct fixture *f = *state;
	const struct kt_range *r;

	assert_int_equal(open_core(f, 0), 0);
	/* Top-level only; 0x100000-0xffffff and 0x1000000-... are adjacent: merged. */
	assert_int_equal(kt_physmem_ram(f->pm, &r), 3);
	assert_int_equal(r[0].start, 0x1000);
	assert_int_equal(r[0].end, 0x9fc00);
	assert_int_equal(r[1].start, 0x100000);
	assert_int_equal(r[1].end, 0x7ffe0000);
	assert_int_equal(r[2].start, 0x100000000ULL);
	assert_int_equal(r[2].end, 0x180000000ULL);
	assert_true(kt_physmem_is_ram(f->pm, 0xfff000, 0x2000));
	assert_true(kt_physmem_is_ram(f->pm, 0x1000, 0x9ec00));
	assert_false(kt_physmem_is_ram(f->pm, 0x1000, 0x9ec01));
	assert_false(kt_physmem_is_ram(f->pm, 0, 1));
	assert_false(kt_physmem_is_ram(f->pm, 0x9f000, 0x62000)); /* spans a hole */
	assert_false(kt_physmem_is_ram(f->pm, 0x180000000ULL, 1));
	assert_false(kt_physmem_is_ram(f->pm, UINT64_MAX, 2));
}

static void test_iomem_hidden(void **state)
{
	struct fixture *f = *state;

	/* What a reader without CAP_SYS_ADMIN sees. */
	td_write_str(f->dir, "iomem",
		     "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n"
		     "  00000000-00000000 : Kernel code\n00000000-00000000 : System RAM\n");
	assert_int_equal(open_core(f, 0), -EACCES);
	assert_err_has(f, "run as root");
}

static void test_iomem_malformed(void **state)
{
	struct fixture *f = *state;

	td_write_str(f->dir, "iomem", "00000000-00000fff : Reserved\n");
	assert_int_equal(open_core(f, 0), -ENODATA);
	assert_err_has(f, "no System RAM");
	td_write_str(f->dir, "iomem", "00002000-00001000 : System RAM\n");
	assert_int_equal(open_core(f, 0), -EINVAL);
	td_write_str(f->dir, "iomem",
		     "garbage\n\n: System RAM\nxyz-1 : System RAM\n00001000-00001fff : System RAMS\n");
	assert_int_equal(open_core(f, 0), -ENODATA);
	/* The top of the address space: the inclusive end cannot be made exclusive. */
	td_write_str(f->dir, "iomem", "fffffffffffff000-ffffffffffffffff : System RAM\n");
	assert_int_equal(open_core(f, 0), 0);
}

/* ---- recording, export, the snapshot backend ----------------------------------- */

static int open_image(struct fixture *f, uint8_t *data, size_t len, struct kt_physmem **pm)
{
	f->err[0] = '\0';
	return kt_physmem_open_saved(data, len, "snap/" KT_PHYSMEM_FILE, pm, f->err, sizeof(f->err));
}

static void test_record_export(void **state)
{
	struct fixture *f = *state;
	struct kt_physmem *snap;
	const struct kt_range *r1, *r2;
	uint8_t buf[2 * PAGE], *img;
	size_t len, n1, n2, i;

	assert_int_equal(open_core(f, 0), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW, buf, 8), 0); /* not recorded */
	kt_physmem_record(f->pm, true);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 9 * PAGE + 100, buf, 8), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 3 * PAGE + PAGE - 4, buf, 8), 0); /* pages 3 and 4 */
	assert_int_equal(kt_physmem_read(f->pm, LOW + 9 * PAGE, buf, PAGE), 0);		/* again */
	assert_int_equal(kt_physmem_read(f->pm, TEXT_PA, buf, 8), 0);
	assert_int_equal(kt_physmem_read(f->pm, 0xfee00000, buf, 8), -EFAULT); /* failed: not recorded */
	kt_physmem_record(f->pm, false);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 12 * PAGE, buf, 8), 0);
	assert_int_equal(kt_physmem_export(f->pm, &img, &len), 0);

	n1 = kt_physmem_ram(f->pm, &r1);
	assert_int_equal(len, 16 + 4 * (8 + PAGE) + 8 + n1 * 16);
	assert_memory_equal(img, "KTPHYS1", 8);
	assert_int_equal(kt_le64(img + 8), 4);
	assert_int_equal(kt_le64(img + 16), LOW + 3 * PAGE);
	assert_int_equal(kt_le64(img + 24), LOW + 4 * PAGE);
	assert_int_equal(kt_le64(img + 32), LOW + 9 * PAGE);
	assert_int_equal(kt_le64(img + 40), TEXT_PA);

	assert_int_equal(open_image(f, img, len, &snap), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(kt_physmem_read(snap, LOW + 3 * PAGE + i * PAGE, buf, PAGE), 0);
		assert_int_equal(buf[0], 0x43 + i);
		assert_int_equal(buf[PAGE - 1], 0x43 + i);
	}
	assert_int_equal(kt_physmem_read(snap, LOW + 3 * PAGE + 100, buf, 2 * PAGE - 200), 0);
	assert_int_equal(kt_physmem_read(snap, TEXT_PA + 8, buf, 8), 0);
	assert_int_equal(buf[0], 0xee);
	/* Never read while recording: not in the image. */
	assert_int_equal(kt_physmem_read(snap, LOW, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read(snap, LOW + 12 * PAGE, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read(snap, LOW + 4 * PAGE, buf, 2 * PAGE), -EFAULT);
	assert_int_equal(kt_physmem_read(snap, 0xfee00000, buf, 8), -EFAULT);
	assert_int_equal(kt_physmem_read_virt(snap, PAGE_OFFSET + LOW, buf, 8), -EOPNOTSUPP);
	/* System RAM travels with the pages. */
	n2 = kt_physmem_ram(snap, &r2);
	assert_int_equal(n2, n1);
	assert_memory_equal(r1, r2, n1 * sizeof(*r1));
	/* A snapshot backend exports what it was asked again. */
	kt_physmem_record(snap, true);
	assert_int_equal(kt_physmem_read(snap, TEXT_PA, buf, 8), 0);
	kt_physmem_close(snap);
	free(img);
}

/* A page first met at the very end of a segment cannot be read whole: left out. */
static void test_export_partial_page(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8], *img;
	size_t len;

	f->segs[1].size = 8 * PAGE - 512; /* ends inside page 7 */
	core_init(&f->c, f->segs, 5);
	assert_int_equal(open_core(f, 0), 0);
	kt_physmem_record(f->pm, true);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 7 * PAGE, buf, 8), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW + 2 * PAGE, buf, 8), 0);
	assert_int_equal(kt_physmem_export(f->pm, &img, &len), 0);
	assert_int_equal(kt_le64(img + 8), 1);
	assert_int_equal(kt_le64(img + 16), LOW + 2 * PAGE);
	assert_int_equal(img[16 + 8], 0x42);
	free(img);
}

static void test_record_bound(void **state)
{
	struct fixture *f = *state;
	uint64_t pages = KT_PHYSMEM_MAX_PAGES + 1, done;
	uint8_t *buf = malloc(KT_PHYSMEM_MAX_READ), *img;
	size_t len;

	/* One sparse segment holding more pages than an image may carry. */
	f->segs[1] = (struct wseg){0x10000000, PAGE_OFFSET + 0x10000000, pages * PAGE, NULL};
	core_init(&f->c, f->segs, 2);
	assert_int_equal(open_core(f, 0), 0);
	kt_physmem_record(f->pm, true);
	for (done = 0; done < pages; done += KT_PHYSMEM_MAX_READ / PAGE) {
		uint64_t n =
		    pages - done < KT_PHYSMEM_MAX_READ / PAGE ? pages - done : KT_PHYSMEM_MAX_READ / PAGE;

		assert_int_equal(kt_physmem_read(f->pm, 0x10000000 + done * PAGE, buf, n * PAGE), 0);
	}
	assert_int_equal(kt_physmem_export(f->pm, &img, &len), -E2BIG);
	assert_null(img);
	free(buf);
}

/* A valid image of two pages and one RAM range, for the validation cases. */
static size_t good_image(uint8_t *b)
{
	uint64_t v;

	memset(b, 0, 16 + 2 * (8 + PAGE) + 8 + 16);
	memcpy(b, KT_PHYSMEM_MAGIC, 8);
	v = 2;
	memcpy(b + 8, &v, 8);
	v = 0x1000;
	memcpy(b + 16, &v, 8);
	v = 0x3000;
	memcpy(b + 24, &v, 8);
	memset(b + 32, 0xaa, 2 * PAGE);
	v = 1;
	memcpy(b + 32 + 2 * PAGE, &v, 8);
	v = 0x1000;
	memcpy(b + 40 + 2 * PAGE, &v, 8);
	v = 0x10000;
	memcpy(b + 48 + 2 * PAGE, &v, 8);
	return 56 + 2 * PAGE;
}

static void set_u64(uint8_t *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, 8);
}

static void test_snapshot_validation(void **state)
{
	struct fixture *f = *state;
	size_t size = 56 + 2 * PAGE + 64, len;
	uint8_t *b = calloc(1, size), buf[8];
	struct kt_physmem *pm = NULL;
	struct kt_snapshot empty = {.kind = KT_SRC_DIR, .origin = (char *)"snap"};

	len = good_image(b);
	assert_int_equal(open_image(f, b, len, &pm), 0);
	assert_int_equal(kt_physmem_read(pm, 0x3000, buf, 8), 0);
	assert_int_equal(buf[7], 0xaa);
	assert_int_equal(kt_physmem_read(pm, 0x2000, buf, 8), -EFAULT);
	kt_physmem_close(pm);

	assert_int_equal(kt_physmem_open_for(&empty, &pm, f->err, sizeof(f->err)), -ENOENT);
	assert_err_has(f, "no physical memory in this snapshot");
	assert_null(pm);

	len = good_image(b);
	b[3] = 'X';
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);
	assert_err_has(f, "bad magic");
	assert_int_equal(open_image(f, b, 10, &pm), -EINVAL);

	len = good_image(b);
	set_u64(b, 8, KT_PHYSMEM_MAX_PAGES + 1);
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);
	assert_err_has(f, "claims");
	set_u64(b, 8, 3); /* more pages than the file holds */
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);
	assert_err_has(f, "truncated");

	len = good_image(b);
	assert_int_equal(open_image(f, b, len - 1, &pm), -EINVAL);
	assert_int_equal(open_image(f, b, len + 1, &pm), -EINVAL);
	set_u64(b, 32 + 2 * PAGE, UINT64_MAX / 8); /* absurd RAM count */
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);

	len = good_image(b);
	set_u64(b, 24, 0x1000); /* duplicate */
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);
	assert_err_has(f, "ascending");
	set_u64(b, 24, 0x0); /* descending */
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);
	set_u64(b, 24, 0x3008); /* unaligned */
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);

	len = good_image(b);
	set_u64(b, 48 + 2 * PAGE, 0x1000); /* empty RAM range */
	assert_int_equal(open_image(f, b, len, &pm), -EINVAL);
	assert_err_has(f, "RAM range 0");
	assert_null(pm);
	free(b);
}

static void test_open_for(void **state)
{
	struct fixture *f = *state;
	char *core = core_write(&f->c, f->dir, "kcore", 0), *iomem = td_path(f->dir, "iomem");
	struct kt_snapshot live = {.kind = KT_SRC_LIVE, .origin = (char *)"live"};
	struct kt_snapshot dir = {.kind = KT_SRC_DIR, .origin = (char *)"dir"};
	uint8_t buf[8];

	setenv("KHO_TOOLS_KCORE", core, 1);
	setenv("KHO_TOOLS_IOMEM", iomem, 1);
	assert_int_equal(kt_physmem_open_for(&live, &f->pm, f->err, sizeof(f->err)), 0);
	assert_int_equal(kt_physmem_read(f->pm, LOW, buf, 8), 0);
	kt_physmem_close(f->pm);
	f->pm = NULL;
	assert_int_equal(kt_physmem_open_for(&dir, &f->pm, f->err, sizeof(f->err)), -ENOENT);
	unsetenv("KHO_TOOLS_KCORE");
	unsetenv("KHO_TOOLS_IOMEM");
	free(core);
	free(iomem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_read_phys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_virt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cached_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_extended_phnum, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_elf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segment_paddr_wraps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_iomem_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_iomem_hidden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_iomem_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_export, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_export_partial_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_validation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_for, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
