// SPDX-License-Identifier: GPL-2.0-only
/*
 * The saved form of the LUO state (luo/state in a snapshot) from arbitrary
 * bytes, then used as the sessions view uses a saved snapshot's state. Import
 * either refuses with a message or gives a state that
 *  - saves and reads back to the same bytes (the form is a fixed point after one
 *    round), with every session state one the views can name;
 *  - walks each memfd's folio array over a small memory image, as
 *    `kho-inspect sessions --folios` does with the snapshot's saved pages, within
 *    the callbacks nr_folios allows, saying why when it stops early;
 *  - totals per file handler (the handlers view) that add up to its files.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kcore_image.h"
#include "base/util.h"
#include "decode/memfd.h"
#include "fuzz.h"
#include "model/luo_state.h"
#include "source/physmem.h"

#define PAGE	    KT_PAGE_SIZE
#define IMG_BASE    0x100000ULL
#define IMG_PAGES   4
#define PAGE_OFFSET 0xffff888000000000ULL
#define IOMEM	    "00100000-7ffdffff : System RAM\n"

static int memfd_with(const char *name, const void *a, size_t alen, const void *b, size_t blen, char path[64])
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, a, alen) == (ssize_t)alen);
	if (blen)
		FUZZ_CHECK(write(fd, b, blen) == (ssize_t)blen);
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

/*
 * Memory for the folio walks, made once: at IMG_BASE a chunk listing the next
 * two pages (and linking itself), which hold folio entries.
 */
static struct kt_physmem *image(void)
{
	static struct kt_physmem *pm;
	static uint8_t ram[IMG_PAGES * PAGE];
	uint8_t hdr[PAGE] = {0};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)hdr;
	Elf64_Phdr *ph = (Elf64_Phdr *)(hdr + sizeof(*eh));
	uint64_t v;
	char kpath[64], ipath[64], err[256];
	size_t i;

	if (pm)
		return pm;
	v = IMG_BASE;
	memcpy(ram, &v, 8);
	for (i = 1; i <= 2; i++) {
		v = IMG_BASE + i * PAGE;
		memcpy(ram + 8 * i, &v, 8);
	}
	for (i = 0; i < 2 * PAGE / 16; i++) {
		struct memfd_luo_folio_ser f = {(0x5000 + i) | (uint64_t)(i % 4) << 52, i};

		memcpy(ram + PAGE + 16 * i, &f, sizeof(f));
	}
	kt_core_ehdr(eh, 1);
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = PAGE,
			     .p_vaddr = PAGE_OFFSET + IMG_BASE,
			     .p_paddr = IMG_BASE,
			     .p_filesz = sizeof(ram),
			     .p_memsz = sizeof(ram)};
	/* The files stay open: pm reads the kcore one for the life of the process. */
	memfd_with("kcore", hdr, sizeof(hdr), ram, sizeof(ram), kpath);
	memfd_with("iomem", IOMEM, strlen(IOMEM), NULL, 0, ipath);
	if (kt_physmem_open_kcore(kpath, ipath, &pm, err, sizeof(err))) {
		fprintf(stderr, "fuzz: cannot open the image: %s\n", err);
		abort();
	}
	return pm;
}

struct folio_count {
	uint64_t n, max;
};

static int on_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	struct folio_count *c = ctx;

	(void)pfn, (void)flags, (void)index;
	FUZZ_CHECK(++c->n <= c->max);
	return 0;
}

static void walk_folios(const struct kt_luo_state *st)
{
	size_t i, k;

	for (i = 0; i < st->nr_sessions; i++)
		for (k = 0; k < st->sessions[i].nr_files; k++) {
			const struct kt_luo_file *f = &st->sessions[i].files[k];
			struct folio_count c = {0, f->memfd.nr_folios};
			char err[256] = "";

			if (!f->has_memfd)
				continue;
			if (kt_memfd_folios(image(), &f->memfd, on_folio, &c, err, sizeof(err)))
				FUZZ_CHECK(err[0]);
			else
				FUZZ_CHECK(c.n == f->memfd.nr_folios);
		}
}

/* Every file counted once under its handler, in its session's direction; each session once per handler. */
static void check_handlers(const struct kt_luo_state *st)
{
	uint64_t files[KT_NR_DIRS] = {0}, counted[KT_NR_DIRS] = {0};
	struct kt_luo_handler *h;
	size_t n, i, k;

	for (i = 0; i < st->nr_sessions; i++)
		files[kt_luo_session_dir(&st->sessions[i])] += st->sessions[i].nr_files;
	h = kt_luo_handlers(st, &n);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(h[i].name && h[i].sessions >= 1 && h[i].sessions <= st->nr_sessions);
		for (k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(h[i].name, h[k].name));
		for (k = 0; k < KT_NR_DIRS; k++)
			counted[k] += h[i].files[k];
	}
	FUZZ_CHECK(counted[KT_OUT] == files[KT_OUT] && counted[KT_IN] == files[KT_IN]);
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_luo_state st = {0}, back = {0};
	uint8_t *a, *b;
	size_t alen, blen, i;
	char err[256] = "";
	int ret;

	ret = kt_luo_state_import(data, size, &st, err, sizeof(err));
	if (ret) {
		/* Running out of memory exits (base/alloc.h): a refusal is always the input's fault. */
		FUZZ_CHECK(ret == -EBADMSG);
		FUZZ_CHECK(err[0]);
		kt_luo_state_free(&st);
		return 0;
	}
	for (i = 0; i < st.nr_sessions; i++)
		FUZZ_CHECK(st.sessions[i].state < KT_SESS_NR_STATES);
	kt_luo_state_export(&st, &a, &alen);
	if (kt_luo_state_import(a, alen, &back, err, sizeof(err))) {
		fprintf(stderr, "fuzz: the saved form does not read back: %s\n", err);
		abort();
	}
	kt_luo_state_export(&back, &b, &blen);
	if (alen != blen || memcmp(a, b, alen)) {
		fprintf(stderr, "fuzz: saved, read back and saved again differs:\n%.*s\n----\n%.*s\n",
			(int)alen, a, (int)blen, b);
		abort();
	}
	free(a);
	free(b);
	walk_folios(&st);
	check_handlers(&st);
	kt_luo_state_free(&back);
	kt_luo_state_free(&st);
	return 0;
}
