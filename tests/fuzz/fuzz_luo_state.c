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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/memfd.h"
#include "fuzz.h"
#include "model/luo_state.h"
#include "source/physmem.h"

#define PAGE	  KT_PAGE_SIZE
#define IMG_BASE  0x100000ULL
#define IMG_PAGES 4
#define IOMEM	  "00100000-7ffdffff : System RAM\n"

/*
 * Memory for the folio walks, made once: at IMG_BASE a chunk listing the next
 * two pages (and linking itself), which hold folio entries.
 */
static struct kt_physmem *image(void)
{
	static struct kt_physmem *pm;
	static uint8_t ram[IMG_PAGES * PAGE];
	uint64_t v;
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
	pm = fuzz_open_ram(ram, sizeof(ram), IMG_BASE, IOMEM);
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
		FUZZ_CHECK(h[i].name && h[i].sessions <= st->nr_sessions);
		/* A handler only FLBs name has no file. */
		FUZZ_CHECK(h[i].sessions || (!h[i].files[KT_OUT] && !h[i].files[KT_IN]));
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
	struct kt_luo_state st = {0};
	size_t i;
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
	fuzz_check_luo_saved(&st);
	walk_folios(&st);
	check_handlers(&st);
	kt_luo_state_free(&st);
	return 0;
}
