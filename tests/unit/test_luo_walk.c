// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO's pointer-following code on memory images built in the test: the block
 * chains (kho_block.c), the serialized sessions, files and FLBs behind a luo_ser
 * (luo_sessions.c), and memfd-v2's state with its kho_vmalloc folio array
 * (memfd.c). The images are laid out as the kernel writes them: page 0 holds the
 * luo_ser, sessions and files in one-page blocks, each memfd's folio array in
 * pages listed by one-page chunks. Every malformed case must be an error on its
 * node (the session, the file, or the whole chain in serialized_note), never a
 * hang or a crash: the cases that could hang run in a child under an alarm.
 *
 * `test_luo_walk --seeds DIR` writes, instead of testing, images for the
 * fuzz_luo_chain corpus: the image's bytes as RAM at IMG_BASE, its luo_ser first.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdtbuild.h"

#include "decode/kho_block.h"
#include "model/luo_state.h"
#include "source/physmem.h"
#include "base/util.h"

#define PAGE	    KT_PAGE_SIZE
#define IMG_BASE    0x100000ULL /* fuzz_luo_chain maps its input here too */
#define PAGE_OFFSET 0xffff888000000000ULL
/* RAM by iomem that no segment holds: kcore cannot read it. */
#define RAM_NO_SEG 0x40000000ULL
#define NOT_RAM	   0xfee00000ULL
#define IOMEM                                                                                                \
	"00000000-00000fff : Reserved\n"                                                                     \
	"00001000-0009fbff : System RAM\n"                                                                   \
	"000f0000-000fffff : Reserved\n"                                                                     \
	"00100000-7ffdffff : System RAM\n"                                                                   \
	"fee00000-fee00fff : Local APIC\n"                                                                   \
	"100000000-17fffffff : System RAM\n"

/* Entries in one block (the 16-byte header first) and folio entries in one page: 51, 63, 256. */
#define BLOCK_ROOM	(PAGE - sizeof(struct kho_block_header_ser))
#define SESS_PER_BLOCK	(BLOCK_ROOM / sizeof(struct luo_session_ser))
#define FILES_PER_BLOCK (BLOCK_ROOM / sizeof(struct luo_file_ser))
#define FOLIOS_PER_PAGE (PAGE / sizeof(struct memfd_luo_folio_ser))

/* ---- the image --------------------------------------------------------------- */

struct img {
	uint8_t *mem; /* RAM from IMG_BASE */
	size_t pages, cap;
	uint64_t small; /* the page small objects are packed into, 0 = none yet */
	size_t small_used;
};

static uint64_t img_alloc(struct img *m)
{
	if (m->pages == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->mem = realloc(m->mem, m->cap * PAGE);
		assert_non_null(m->mem);
	}
	memset(m->mem + m->pages * PAGE, 0, PAGE);
	return IMG_BASE + m->pages++ * PAGE;
}

/* Pointers into the image move when it grows: take them after the last img_alloc. */
static uint8_t *at(struct img *m, uint64_t pa, size_t len)
{
	if (pa < IMG_BASE || pa + len > IMG_BASE + m->pages * PAGE)
		fail_msg("0x%llx+%zu is not in the image", (unsigned long long)pa, len);
	return m->mem + (pa - IMG_BASE);
}

static uint64_t get64(struct img *m, uint64_t pa)
{
	return kt_le64(at(m, pa, 8));
}

static void set64(struct img *m, uint64_t pa, uint64_t v)
{
	memcpy(at(m, pa, 8), &v, 8);
}

/* A few bytes in a shared page, as a smaller allocation than a page. */
static uint64_t img_small(struct img *m, size_t len)
{
	uint64_t pa;

	if (!m->small || m->small_used + len > PAGE) {
		m->small = img_alloc(m);
		m->small_used = 0;
	}
	pa = m->small + m->small_used;
	m->small_used += (len + 7) & ~7UL;
	return pa;
}

/* kho_block_set: n entries of esize in one-page blocks, each full before the next; 0 when n is 0. */
static uint64_t img_chain(struct img *m, const void *entries, size_t esize, size_t n)
{
	size_t per = (PAGE - sizeof(struct kho_block_header_ser)) / esize, i;
	uint64_t head = 0, prev = 0;

	for (i = 0; i < n; i += per) {
		struct kho_block_header_ser h = {0, n - i < per ? n - i : per};
		uint64_t pa = img_alloc(m);

		memcpy(at(m, pa, sizeof(h)), &h, sizeof(h));
		memcpy(at(m, pa + sizeof(h), h.count * esize), (const uint8_t *)entries + i * esize,
		       h.count * esize);
		if (prev)
			set64(m, prev, pa);
		else
			head = pa;
		prev = pa;
	}
	return head;
}

/* The k-th block of the chain at head. */
static uint64_t block_at(struct img *m, uint64_t head, size_t k)
{
	while (k--)
		head = get64(m, head);
	return head;
}

/* ---- what the image holds, to compare the decode with -------------------------- */

struct xfile {
	char handler[LUO_HANDLER_COMPAT_LEN + 1];
	uint64_t token, data;
	bool memfd;
	struct kt_memfd m;
	uint64_t chunk; /* the folio array's first chunk */
};

struct xsess {
	char name[LUO_SESSION_NAME_LEN + 1];
	size_t nfiles;
	struct xfile *files;
	uint64_t files_pa;
};

struct recipe {
	size_t nsess;
	size_t files_every; /* sessions i with i % files_every == 0 have files */
	size_t big_files;   /* files of the last session (several blocks) */
	bool flbs;
};

struct fixture {
	char *dir;
	struct img m;
	struct xsess *sess;
	size_t nsess;
	uint64_t sessions_pa, flbs_pa;
	struct kt_physmem *pm;
	struct kt_luo_state st;
	int ret;
};

static void name_of(size_t i, char *out)
{
	if (i == 7)
		strcpy(out, "vm 7: db-primary");
	else if (i == 8) /* the longest a name can be: 63 bytes and the NUL */
		strcpy(out, "long-name-0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
	else
		sprintf(out, "session-%02zu", i);
}

static size_t nfiles_of(const struct recipe *r, size_t i)
{
	if (i == r->nsess - 1 && r->big_files)
		return r->big_files;
	return i % r->files_every ? 0 : 1 + i % 3;
}

static uint64_t token_of(size_t i, size_t k)
{
	return i == 3 && k == 0 ? UINT64_MAX : (uint64_t)i << 32 | k;
}

/* Folio j of file (i, k): pfn, flags, index. */
static void folio_of(size_t i, size_t k, size_t j, uint64_t *pfn, unsigned int *flags, uint64_t *index)
{
	*pfn = i == 0 && k == 0 && j == 0 ? (1ULL << 52) - 1 : 0x200000 + i * 0x1000 + k * 0x10 + j;
	*flags = j % 4;
	*index = j * 3;
}

/* memfd-v2 state: the folio array, the chunk that lists its pages, the memfd_luo_ser. */
static uint64_t img_memfd(struct img *m, size_t i, size_t k, size_t nr, struct xfile *x)
{
	struct memfd_luo_ser ser = {0};
	size_t apages = (nr * sizeof(struct memfd_luo_folio_ser) + PAGE - 1) / PAGE, j;
	uint64_t chunk = 0, pa;

	if (nr) {
		chunk = img_alloc(m);
		for (j = 0; j < apages; j++)
			set64(m, chunk + 8 + 8 * j, img_alloc(m));
		for (j = 0; j < nr; j++) {
			struct memfd_luo_folio_ser f;
			uint64_t pfn, index, page = get64(m, chunk + 8 + 8 * (j / FOLIOS_PER_PAGE));
			unsigned int flags;

			folio_of(i, k, j, &pfn, &flags, &index);
			f.pfn_flags = pfn | (uint64_t)flags << 52;
			f.index = index;
			memcpy(at(m, page + (j % FOLIOS_PER_PAGE) * sizeof(f), sizeof(f)), &f, sizeof(f));
		}
	}
	ser.size = nr ? nr * PAGE - 100 : (i % 2) * 123;
	ser.pos = ser.size / 2;
	ser.seals = (i * 3 + k) & 0x3f;
	ser.flags = (i + k) % 4;
	ser.nr_folios = nr;
	ser.folios = (struct kho_vmalloc_ser){.first = chunk, .total_pages = apages};
	pa = img_small(m, sizeof(ser));
	memcpy(at(m, pa, sizeof(ser)), &ser, sizeof(ser));
	x->memfd = true;
	x->chunk = chunk;
	x->m = (struct kt_memfd){.pos = ser.pos,
				 .size = ser.size,
				 .nr_folios = nr,
				 .seals = ser.seals,
				 .flags = ser.flags,
				 .folios_first = chunk,
				 .folios_total_pages = apages};
	return pa;
}

static void build(struct fixture *f, const struct recipe *r)
{
	struct luo_session_ser *ss = calloc(r->nsess, sizeof(*ss));
	struct luo_ser lu = {.liveupdate_num = 3};
	size_t i, k;

	assert_non_null(ss);
	f->nsess = r->nsess;
	f->sess = calloc(r->nsess, sizeof(*f->sess));
	assert_non_null(f->sess);
	assert_int_equal(img_alloc(&f->m), IMG_BASE); /* page 0: the luo_ser */
	for (i = 0; i < r->nsess; i++) {
		struct xsess *x = &f->sess[i];
		struct luo_file_ser *fs;

		name_of(i, x->name);
		x->nfiles = nfiles_of(r, i);
		x->files = calloc(x->nfiles ? x->nfiles : 1, sizeof(*x->files));
		fs = calloc(x->nfiles ? x->nfiles : 1, sizeof(*fs));
		assert_non_null(x->files);
		assert_non_null(fs);
		for (k = 0; k < x->nfiles; k++) {
			struct xfile *xf = &x->files[k];
			/* The big session's files past the first three are empty memfds: no pages. */
			size_t nr = i == r->nsess - 1 && r->big_files && k >= 3 ? 0 : (i + k) % 4;

			if (i == 5 && k == 1) {
				/* A handler this tool does not decode: data is its own business. */
				strcpy(xf->handler, "kvm-vm-v1");
				xf->data = 0xdead000;
			} else {
				strcpy(xf->handler, MEMFD_V2_COMPATIBLE);
				xf->data = img_memfd(&f->m, i, k, nr, xf);
			}
			xf->token = token_of(i, k);
			memcpy(fs[k].compatible, xf->handler, strlen(xf->handler));
			fs[k].data = xf->data;
			fs[k].token = xf->token;
		}
		x->files_pa = img_chain(&f->m, fs, sizeof(*fs), x->nfiles);
		memcpy(ss[i].name, x->name, strlen(x->name));
		ss[i].file_set.files = x->files_pa;
		ss[i].file_set.count = x->nfiles;
		free(fs);
	}
	f->sessions_pa = img_chain(&f->m, ss, sizeof(*ss), r->nsess);
	free(ss);
	if (r->flbs) {
		struct luo_flb_header_ser h = {.pgcnt = 1, .count = 2};
		struct luo_flb_ser e[2] = {{"iommu-v1", 0x1234000, 3}, {"memfd-flb-v1", 0, 1}};

		f->flbs_pa = img_alloc(&f->m);
		memcpy(at(&f->m, f->flbs_pa, sizeof(h)), &h, sizeof(h));
		memcpy(at(&f->m, f->flbs_pa + sizeof(h), sizeof(e)), e, sizeof(e));
	}
	memcpy(lu.compatible, LUO_V5_COMPATIBLE, strlen(LUO_V5_COMPATIBLE));
	lu.sessions_pa = f->sessions_pa;
	lu.flbs_pa = f->flbs_pa;
	memcpy(at(&f->m, IMG_BASE, sizeof(lu)), &lu, sizeof(lu));
}

/* 60 sessions (two blocks), one to three files each, the last with 70 (two blocks), FLBs. */
static const struct recipe full = {.nsess = 60, .files_every = 1, .big_files = 70, .flbs = true};
/* A small one for the malformed cases. */
static const struct recipe small = {.nsess = 4, .files_every = 1, .flbs = true};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = td_make();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;

	kt_luo_state_free(&f->st);
	kt_physmem_close(f->pm);
	for (i = 0; i < f->nsess; i++)
		free(f->sess[i].files);
	free(f->sess);
	free(f->m.mem);
	td_remove(f->dir);
	free(f);
	return 0;
}

/* Write the image (RAM cut at seg_len bytes if non-zero, file cut at cut) and open it. */
static void open_img(struct fixture *f, uint64_t seg_len, off_t cut)
{
	const struct fb_seg segs[] = {
	    {(uint64_t)-1, 0xffffc90000000000ULL, 2 * PAGE, NULL, 0, false},
	    {IMG_BASE, PAGE_OFFSET + IMG_BASE, seg_len ? seg_len : f->m.pages * PAGE, f->m.mem, 0, false},
	};

	kt_physmem_close(f->pm);
	f->pm = fb_open_image(f->dir, segs, KT_ARRAY_SIZE(segs), IOMEM, cut);
}

/* Decode from these heads into a fresh state, with the image as last opened. */
static int decode_at(struct fixture *f, uint64_t sessions_pa, uint64_t flbs_pa)
{
	kt_luo_state_free(&f->st);
	f->ret = kt_luo_add_serialized(&f->st, f->pm, sessions_pa, flbs_pa);
	return f->ret;
}

/* Decode from the heads the fixture built; the image is written afresh. */
static int decode(struct fixture *f)
{
	open_img(f, 0, 0);
	return decode_at(f, f->sessions_pa, f->flbs_pa);
}

static void assert_has(const char *s, const char *what)
{
	if (!s || !strstr(s, what))
		fail_msg("'%s' lacks '%s'", s ? s : "(null)", what);
}

static const struct kt_luo_session *sess_named(const struct kt_luo_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		if (!strcmp(st->sessions[i].name, name))
			return &st->sessions[i];
	fail_msg("no session '%s'", name);
	return NULL;
}

static void assert_memfd_equal(const struct kt_memfd *got, const struct kt_memfd *want)
{
	assert_int_equal(got->pos, want->pos);
	assert_int_equal(got->size, want->size);
	assert_int_equal(got->seals, want->seals);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->nr_folios, want->nr_folios);
	assert_int_equal(got->folios_first, want->folios_first);
	assert_int_equal(got->folios_total_pages, want->folios_total_pages);
	assert_int_equal(got->folios_order, want->folios_order);
}

/* Every session as built, except the one at index skip (SIZE_MAX: none), which a test damaged. */
static void assert_model(const struct fixture *f, size_t skip)
{
	size_t i, k, n = 0;

	for (i = 0; i < f->nsess; i++) {
		const struct xsess *x = &f->sess[i];
		const struct kt_luo_session *s;

		if (i == skip)
			continue;
		s = sess_named(&f->st, x->name);
		if (s->error)
			fail_msg("session '%s': unexpected error '%s'", s->name, s->error);
		assert_int_equal(s->state, KT_SESS_SERIALIZED);
		assert_true(s->files_known);
		assert_int_equal(s->pid, -1);
		assert_int_equal(s->fd, -1);
		assert_int_equal(s->files_claimed, x->nfiles);
		assert_int_equal(s->nr_files, x->nfiles);
		for (k = 0; k < x->nfiles; k++) {
			const struct kt_luo_file *g = &s->files[k];
			const struct xfile *w = &x->files[k];

			if (g->error)
				fail_msg("session '%s' file %zu: unexpected error '%s'", s->name, k,
					 g->error);
			assert_string_equal(g->handler, w->handler);
			assert_int_equal(g->token, w->token);
			assert_int_equal(g->data, w->data);
			assert_int_equal(g->retrieve_status, 0);
			assert_int_equal(g->has_memfd, w->memfd);
			assert_int_equal(g->has_size, w->memfd);
			if (w->memfd) {
				assert_int_equal(g->size, w->m.size);
				assert_memfd_equal(&g->memfd, &w->m);
			}
		}
		n++;
	}
	assert_int_equal(f->st.nr_sessions, n + (skip < f->nsess));
}

/* ---- valid images ------------------------------------------------------------ */

static void test_valid_image(void **state)
{
	struct fixture *f = *state;
	size_t i;

	build(f, &full);
	assert_int_equal(decode(f), 0);
	assert_true(f->st.serialized_ok);
	assert_null(f->st.serialized_note);
	/* Chain order is the kernel's order. */
	assert_int_equal(f->st.nr_sessions, 60);
	for (i = 0; i < 60; i++)
		assert_string_equal(f->st.sessions[i].name, f->sess[i].name);
	assert_model(f, SIZE_MAX);
	/* The layout is what the test means it to be: two session blocks, the last session's files in two. */
	assert_int_equal(get64(&f->m, f->sessions_pa + 8), SESS_PER_BLOCK);
	assert_int_equal(get64(&f->m, block_at(&f->m, f->sessions_pa, 1) + 8), 60 - SESS_PER_BLOCK);
	assert_int_equal(get64(&f->m, block_at(&f->m, f->sess[59].files_pa, 1) + 8), 70 - FILES_PER_BLOCK);
	assert_string_equal(f->st.sessions[7].name, "vm 7: db-primary");
	assert_int_equal(strlen(f->st.sessions[8].name), 63);
	assert_int_equal(f->st.sessions[3].files[0].token, UINT64_MAX);
	assert_false(f->st.sessions[5].files[1].has_memfd);

	assert_int_equal(f->st.nr_flbs, 2);
	assert_string_equal(f->st.flbs[0].name, "iommu-v1");
	assert_int_equal(f->st.flbs[0].data, 0x1234000);
	assert_int_equal(f->st.flbs[0].count, 3);
	assert_true(f->st.flbs[0].incoming);
	assert_string_equal(f->st.flbs[1].name, "memfd-flb-v1");
	assert_int_equal(f->st.flbs[1].count, 1);
}

struct folios {
	size_t n, stop_at;
	uint64_t pfn[1024], index[1024];
	unsigned int flags[1024];
	uint64_t last_pfn, last_index;
};

static int on_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	struct folios *c = ctx;

	if (c->n == c->stop_at)
		return -ECANCELED;
	if (c->n < KT_ARRAY_SIZE(c->pfn)) {
		c->pfn[c->n] = pfn;
		c->flags[c->n] = flags;
		c->index[c->n] = index;
	}
	c->last_pfn = pfn;
	c->last_index = index;
	c->n++;
	return 0;
}

static int walk_folios(struct fixture *f, const struct kt_memfd *m, struct folios *c, char *err,
		       size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->stop_at = SIZE_MAX;
	err[0] = '\0';
	return kt_memfd_folios(f->pm, m, on_folio, c, err, errlen);
}

static void test_valid_folios(void **state)
{
	struct fixture *f = *state;
	struct folios *c = malloc(sizeof(*c));
	size_t i, k, j, walked = 0;
	char err[256];

	assert_non_null(c);
	build(f, &full);
	assert_int_equal(decode(f), 0);
	for (i = 0; i < f->nsess; i++)
		for (k = 0; k < f->sess[i].nfiles; k++) {
			const struct kt_luo_file *g = &f->st.sessions[i].files[k];

			if (!g->has_memfd)
				continue;
			if (walk_folios(f, &g->memfd, c, err, sizeof(err)))
				fail_msg("session %zu file %zu: %s", i, k, err);
			assert_int_equal(c->n, g->memfd.nr_folios);
			for (j = 0; j < c->n; j++) {
				uint64_t pfn, index;
				unsigned int flags;

				folio_of(i, k, j, &pfn, &flags, &index);
				assert_int_equal(c->pfn[j], pfn);
				assert_int_equal(c->flags[j], flags);
				assert_int_equal(c->index[j], index);
			}
			walked += c->n;
		}
	assert_true(walked > 60);
	free(c);
}

static void test_folio_pfn_bits(void **state)
{
	struct fixture *f = *state;
	struct folios *c = malloc(sizeof(*c));
	struct kt_memfd m;
	char err[256];
	struct xfile x = {0};
	uint64_t pa;

	assert_non_null(c);
	assert_int_equal(img_alloc(&f->m), IMG_BASE);
	/* Session 0, file 0, folio 0: pfn 2^52 - 1 with flags 0 next to it. */
	pa = img_memfd(&f->m, 0, 0, 3, &x);
	open_img(f, 0, 0);
	assert_int_equal(kt_memfd_read(f->pm, pa, &m, err, sizeof(err)), 0);
	assert_int_equal(walk_folios(f, &m, c, err, sizeof(err)), 0);
	assert_int_equal(c->n, 3);
	assert_int_equal(c->pfn[0], (1ULL << 52) - 1);
	assert_int_equal(c->flags[0], 0);
	assert_int_equal(c->flags[1], MEMFD_FOLIO_DIRTY);
	assert_int_equal(c->flags[2], MEMFD_FOLIO_UPTODATE);
	/* A callback that stops the walk stops it, and its error is the result. */
	memset(c, 0, sizeof(*c));
	c->stop_at = 1;
	assert_int_equal(kt_memfd_folios(f->pm, &m, on_folio, c, err, sizeof(err)), -ECANCELED);
	assert_int_equal(c->n, 1);
	free(c);
}

/*
 * A folio array as large as the kernel makes one with two chunks: 512 pages,
 * 511 listed by the first chunk (full, so it links the next) and one by the second.
 */
static void test_memfd_two_chunks(void **state)
{
	struct fixture *f = *state;
	struct memfd_luo_ser ser = {0};
	struct folios *c = malloc(sizeof(*c));
	uint64_t chunk1, chunk2, pa, nr = 511 * FOLIOS_PER_PAGE + 3;
	struct kt_memfd m;
	size_t j;
	char err[256];

	assert_non_null(c);
	assert_int_equal(img_alloc(&f->m), IMG_BASE);
	chunk1 = img_alloc(&f->m);
	for (j = 0; j < 511; j++)
		set64(&f->m, chunk1 + 8 + 8 * j, img_alloc(&f->m));
	chunk2 = img_alloc(&f->m);
	set64(&f->m, chunk1, chunk2);
	set64(&f->m, chunk2 + 8, img_alloc(&f->m));
	/* Folio j: pfn 0x1000 + j, index j; the last three are in the second chunk's page. */
	for (j = 0; j < nr; j++) {
		uint64_t page = get64(
		    &f->m, (j < 511 * FOLIOS_PER_PAGE ? chunk1 + 8 + 8 * (j / FOLIOS_PER_PAGE) : chunk2 + 8));
		struct memfd_luo_folio_ser e = {0x1000 + j, j};

		memcpy(at(&f->m, page + (j % FOLIOS_PER_PAGE) * sizeof(e), sizeof(e)), &e, sizeof(e));
	}
	ser.size = nr * PAGE;
	ser.nr_folios = nr;
	ser.folios = (struct kho_vmalloc_ser){.first = chunk1, .total_pages = 512};
	pa = img_small(&f->m, sizeof(ser));
	memcpy(at(&f->m, pa, sizeof(ser)), &ser, sizeof(ser));
	open_img(f, 0, 0);
	assert_int_equal(kt_memfd_read(f->pm, pa, &m, err, sizeof(err)), 0);
	assert_int_equal(m.nr_folios, nr);
	assert_int_equal(m.folios_total_pages, 512);
	memset(c, 0, sizeof(*c));
	c->stop_at = SIZE_MAX;
	if (kt_memfd_folios(f->pm, &m, on_folio, c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c->n, nr);
	for (j = 0; j < KT_ARRAY_SIZE(c->pfn); j++) {
		assert_int_equal(c->pfn[j], 0x1000 + j);
		assert_int_equal(c->index[j], j);
	}
	/* The last one is in the page the second chunk lists. */
	assert_int_equal(c->last_pfn, 0x1000 + nr - 1);
	assert_int_equal(c->last_index, nr - 1);
	free(c);
}

/* kho_vmalloc of order 1: each listed entry is two pages, read as one area. */
static void test_memfd_order1(void **state)
{
	struct fixture *f = *state;
	struct memfd_luo_ser ser = {0};
	struct folios *c = malloc(sizeof(*c));
	uint64_t chunk, area, pa;
	struct kt_memfd m;
	size_t j;
	char err[256];

	assert_non_null(c);
	assert_int_equal(img_alloc(&f->m), IMG_BASE);
	chunk = img_alloc(&f->m);
	area = img_alloc(&f->m);
	assert_int_equal(img_alloc(&f->m), area + PAGE);
	set64(&f->m, chunk + 8, area);
	for (j = 0; j < 400; j++) {
		struct memfd_luo_folio_ser e = {(0x3000 + j) | (uint64_t)MEMFD_FOLIO_UPTODATE << 52, 2 * j};

		memcpy(at(&f->m, area + j * sizeof(e), sizeof(e)), &e, sizeof(e));
	}
	ser.size = 400 * PAGE;
	ser.nr_folios = 400;
	ser.folios = (struct kho_vmalloc_ser){.first = chunk, .total_pages = 2, .order = 1};
	pa = img_small(&f->m, sizeof(ser));
	memcpy(at(&f->m, pa, sizeof(ser)), &ser, sizeof(ser));
	open_img(f, 0, 0);
	assert_int_equal(kt_memfd_read(f->pm, pa, &m, err, sizeof(err)), 0);
	assert_int_equal(m.folios_order, 1);
	if (walk_folios(f, &m, c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(c->n, 400);
	assert_int_equal(c->pfn[399], 0x3000 + 399);
	assert_int_equal(c->index[300], 600);
	assert_int_equal(c->flags[300], MEMFD_FOLIO_UPTODATE);
	free(c);
}

/* The head pointer of no chain, and sessions with no files. */
static void test_no_sessions_no_files(void **state)
{
	struct fixture *f = *state;
	const struct recipe r = {.nsess = 5, .files_every = 2};

	build(f, &r);
	open_img(f, 0, 0);
	assert_int_equal(decode_at(f, 0, 0), -ENODATA);
	assert_false(f->st.serialized_ok);
	assert_has(f->st.serialized_note, "sessions_pa is 0");
	assert_int_equal(decode(f), 0);
	assert_model(f, SIZE_MAX);
	assert_int_equal(f->st.sessions[1].nr_files, 0);
	assert_int_equal(f->st.nr_flbs, 0);
}

/* Sessions from an earlier source stay when a chain is decoded after them, and when it fails. */
static void test_earlier_sessions_kept(void **state)
{
	struct fixture *f = *state;

	build(f, &small);
	open_img(f, 0, 0);
	kt_luo_add_session(&f->st, "live-one", KT_SESS_OUTGOING);
	assert_int_equal(kt_luo_add_serialized(&f->st, f->pm, f->sessions_pa, 0), 0);
	assert_int_equal(f->st.nr_sessions, 1 + small.nsess);
	assert_string_equal(f->st.sessions[0].name, "live-one");
	kt_luo_state_free(&f->st);
	kt_luo_add_session(&f->st, "live-one", KT_SESS_OUTGOING);
	set64(&f->m, f->sessions_pa + 8, 0);
	open_img(f, 0, 0);
	assert_int_equal(kt_luo_add_serialized(&f->st, f->pm, f->sessions_pa, 0), -EBADMSG);
	assert_int_equal(f->st.nr_sessions, 1);
	assert_string_equal(f->st.sessions[0].name, "live-one");
}

/* ---- kt_block_walk on its own ------------------------------------------------------ */

struct counter {
	size_t n, fail_at;
	uint64_t sum;
};

static int count_entry(void *ctx, const void *entry)
{
	struct counter *c = ctx;

	if (c->n == c->fail_at)
		return -EBADMSG;
	c->sum += kt_le64(entry);
	c->n++;
	return 0;
}

static void test_block_walk_entries(void **state)
{
	struct fixture *f = *state;
	uint64_t v[600], head;
	struct counter c = {.fail_at = SIZE_MAX};
	char err[256] = "";
	size_t i;

	assert_int_equal(img_alloc(&f->m), IMG_BASE);
	for (i = 0; i < 600; i++)
		v[i] = i + 1;
	/* 8-byte entries: 510 in the first block, 90 in the second. */
	head = img_chain(&f->m, v, 8, 600);
	open_img(f, 0, 0);
	assert_int_equal(kt_block_walk(f->pm, head, 8, count_entry, &c, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.n, 600);
	assert_int_equal(c.sum, 600 * 601 / 2);
	assert_int_equal(get64(&f->m, head + 8), 510);
	/* An empty chain walks nothing. */
	c = (struct counter){.fail_at = SIZE_MAX};
	assert_int_equal(kt_block_walk(f->pm, 0, 8, count_entry, &c, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	/* The callback's error ends the walk and names the entry. */
	c = (struct counter){.fail_at = 512};
	assert_int_equal(kt_block_walk(f->pm, head, 8, count_entry, &c, NULL, err, sizeof(err)), -EBADMSG);
	assert_int_equal(c.n, 512);
	assert_has(err, "entry 2");
	/* Every entry fits the page: 4080 bytes of 8, one more does not. */
	set64(&f->m, head + 8, 511);
	open_img(f, 0, 0);
	assert_int_equal(kt_block_walk(f->pm, head, 8, count_entry, &c, NULL, err, sizeof(err)), -EBADMSG);
	assert_has(err, "claims 511 entries (at most 510 fit)");
}

/*
 * Chains of thousands of blocks without thousands of pages of file: segment i
 * maps the page at IMG_BASE + i * PAGE to a record of the next block's address,
 * one entry, and the session; the rest of each page (the records after) is past
 * the block's count. Block i links block i + 1; the last links last_next.
 */
#define REC (sizeof(struct kho_block_header_ser) + sizeof(struct luo_session_ser))

static struct kt_physmem *stride_image(const char *dir, size_t n, uint64_t last_next)
{
	uint8_t *recs = calloc(n * REC + PAGE, 1);
	struct fb_seg *segs = calloc(n, sizeof(*segs));
	struct kt_physmem *pm;
	size_t i;

	assert_non_null(recs);
	assert_non_null(segs);
	for (i = 0; i < n; i++) {
		struct kho_block_header_ser h = {i + 1 < n ? IMG_BASE + (i + 1) * PAGE : last_next, 1};
		struct luo_session_ser s = {0};

		snprintf(s.name, sizeof(s.name), "s%05zu", i);
		memcpy(recs + i * REC, &h, sizeof(h));
		memcpy(recs + i * REC + sizeof(h), &s, sizeof(s));
		segs[i] = (struct fb_seg){IMG_BASE + i * PAGE,
					  PAGE_OFFSET + IMG_BASE + i * PAGE,
					  PAGE,
					  recs + i * REC,
					  i * REC,
					  true};
	}
	pm = fb_open_image(dir, segs, n, IOMEM, 0);
	free(segs);
	free(recs);
	return pm;
}

static void test_max_blocks(void **state)
{
	struct fixture *f = *state;
	struct counter c = {.fail_at = SIZE_MAX};
	char err[256] = "";

	/* Exactly the kernel's limit: every block is read. */
	f->pm = stride_image(f->dir, KT_KHO_MAX_BLOCKS, 0);
	assert_int_equal(kt_block_walk(f->pm, IMG_BASE, sizeof(struct luo_session_ser), count_entry, &c, NULL,
				       err, sizeof(err)),
			 0);
	assert_int_equal(c.n, KT_KHO_MAX_BLOCKS);
	assert_int_equal(kt_luo_add_serialized(&f->st, f->pm, IMG_BASE, 0), 0);
	assert_int_equal(f->st.nr_sessions, KT_KHO_MAX_BLOCKS);
	assert_string_equal(f->st.sessions[KT_KHO_MAX_BLOCKS - 1].name, "s09999");
}

static void test_too_many_blocks(void **state)
{
	struct fixture *f = *state;
	struct counter c = {.fail_at = SIZE_MAX};
	char err[256] = "";

	f->pm = stride_image(f->dir, KT_KHO_MAX_BLOCKS + 1, 0);
	assert_int_equal(kt_block_walk(f->pm, IMG_BASE, sizeof(struct luo_session_ser), count_entry, &c, NULL,
				       err, sizeof(err)),
			 -E2BIG);
	assert_has(err, "more than 10000 blocks");
	assert_int_equal(c.n, KT_KHO_MAX_BLOCKS);
	/* Through the session decoder: nothing of it is kept. */
	assert_int_equal(kt_luo_add_serialized(&f->st, f->pm, IMG_BASE, 0), -E2BIG);
	assert_int_equal(f->st.nr_sessions, 0);
	assert_false(f->st.serialized_ok);
	assert_has(f->st.serialized_note, "more than 10000 blocks");
}

/* A cycle of thousands of blocks is a loop, found where it closes, not only by the block limit. */
static void test_long_cycle(void **state)
{
	struct fixture *f = *state;
	struct counter c = {.fail_at = SIZE_MAX};
	char err[256] = "";

	f->pm = stride_image(f->dir, 5000, IMG_BASE + 1234 * PAGE);
	assert_int_equal(kt_block_walk(f->pm, IMG_BASE, sizeof(struct luo_session_ser), count_entry, &c, NULL,
				       err, sizeof(err)),
			 -ELOOP);
	assert_int_equal(c.n, 5000);
	assert_has(err, "loops back to 0x5d2000");
	assert_int_equal(kt_luo_add_serialized(&f->st, f->pm, IMG_BASE, 0), -ELOOP);
	assert_int_equal(f->st.nr_sessions, 0);
	assert_has(f->st.serialized_note, "loops back");
}

/* ---- the session chain damaged: the whole chain is unreadable -------------------- */

static void assert_chain_error(struct fixture *f, int want, const char *what)
{
	if (f->ret != want)
		fail_msg("decode returned %d (%s), expected %d; note '%s'", f->ret, strerror(-f->ret), want,
			 f->st.serialized_note ? f->st.serialized_note : "");
	assert_int_equal(f->st.nr_sessions, 0);
	assert_int_equal(f->st.nr_flbs, 0);
	assert_false(f->st.serialized_ok);
	assert_has(f->st.serialized_note, what);
}

static void test_chain_loops(void **state)
{
	struct fixture *f = *state;
	uint64_t b1;
	char want[64];

	build(f, &full);
	b1 = block_at(&f->m, f->sessions_pa, 1);
	/* The second block links back to the first. */
	set64(&f->m, b1, f->sessions_pa);
	decode(f);
	snprintf(want, sizeof(want), "loops back to 0x%llx", (unsigned long long)f->sessions_pa);
	assert_chain_error(f, -ELOOP, want);
	/* A block that links itself. */
	set64(&f->m, b1, b1);
	decode(f);
	snprintf(want, sizeof(want), "loops back to 0x%llx", (unsigned long long)b1);
	assert_chain_error(f, -ELOOP, want);
}

static void test_chain_next_out_of_ram(void **state)
{
	struct fixture *f = *state;
	const uint64_t bad[] = {NOT_RAM, RAM_NO_SEG, 0x9f000 /* low RAM, no segment */,
				0xfffffffffffff000ULL};
	size_t i;

	build(f, &full);
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		set64(&f->m, f->sessions_pa, bad[i]);
		decode(f);
		assert_chain_error(f, -EFAULT, "not in readable memory");
	}
	/* The head itself. */
	open_img(f, 0, 0);
	decode_at(f, NOT_RAM, 0);
	assert_chain_error(f, -EFAULT, "not in readable memory");
}

static void test_chain_misaligned(void **state)
{
	struct fixture *f = *state;
	uint64_t b1;

	build(f, &full);
	b1 = block_at(&f->m, f->sessions_pa, 1);
	set64(&f->m, f->sessions_pa, b1 + 16);
	decode(f);
	assert_chain_error(f, -EINVAL, "is not page aligned");
	set64(&f->m, f->sessions_pa, b1);
	open_img(f, 0, 0);
	decode_at(f, f->sessions_pa + 8, 0);
	assert_chain_error(f, -EINVAL, "is not page aligned");
}

static void test_chain_bad_count(void **state)
{
	struct fixture *f = *state;
	const uint64_t bad[] = {0, SESS_PER_BLOCK + 1, 1ULL << 32, UINT64_MAX};
	uint64_t b1;
	size_t i;
	char want[64];

	build(f, &full);
	b1 = block_at(&f->m, f->sessions_pa, 1);
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		set64(&f->m, b1 + 8, bad[i]);
		decode(f);
		snprintf(want, sizeof(want), "claims %llu entries (at most %zu fit)",
			 (unsigned long long)bad[i], SESS_PER_BLOCK);
		assert_chain_error(f, -EBADMSG, want);
	}
}

/* The last block is cut: its segment ends inside it, or the file does. */
static void test_chain_truncated_block(void **state)
{
	struct fixture *f = *state;
	uint64_t b1;

	build(f, &full);
	b1 = block_at(&f->m, f->sessions_pa, 1);
	/* Move the second block to the image's end, and end RAM half way through it. */
	memcpy(at(&f->m, img_alloc(&f->m), PAGE), at(&f->m, b1, PAGE), PAGE);
	b1 = IMG_BASE + (f->m.pages - 1) * PAGE;
	set64(&f->m, f->sessions_pa, b1);
	open_img(f, b1 - IMG_BASE + PAGE / 2, 0);
	decode_at(f, f->sessions_pa, 0);
	assert_chain_error(f, -EFAULT, "not in readable memory");
	/* The segment says the whole page, the file ends half way: a truncated image. */
	/* The file: the header page, two pages of vmalloc, then the RAM. */
	open_img(f, 0, (off_t)(PAGE + 2 * PAGE + (b1 - IMG_BASE) + PAGE / 2));
	decode_at(f, f->sessions_pa, 0);
	assert_chain_error(f, -EIO, strerror(EIO));
}

/* Session 52: entry 2 of the second block. */
static uint8_t *name_52(struct fixture *f)
{
	return at(&f->m, block_at(&f->m, f->sessions_pa, 1) + 16 + 2 * sizeof(struct luo_session_ser),
		  LUO_SESSION_NAME_LEN);
}

/* A name the kernel cannot have written (strscpy always ends it): the chain is not sessions. */
static void test_session_name_bad(void **state)
{
	struct fixture *f = *state;

	build(f, &full);
	memset(name_52(f), 'A', LUO_SESSION_NAME_LEN);
	decode(f);
	assert_chain_error(f, -EBADMSG, "entry 2");
	/* Empty: the tool's own guess that the memory is not a session. */
	name_52(f)[0] = '\0';
	decode(f);
	assert_chain_error(f, -EBADMSG, "entry 2");
}

/*
 * The kernel takes any NUL-terminated name (luo_session_alloc: strscpy, no
 * check of the bytes; luo_session_insert: unique). A UTF-8 name is an agent's
 * ordinary choice: the chain holding it is read, not reported as "unreadable
 * (freed once deserialized?)" with every session in it lost.
 */
static void test_session_name_utf8(void **state)
{
	struct fixture *f = *state;
	const char utf8[] = "caf\xc3\xa9-\xe2\x82\xac-db";

	build(f, &full);
	memset(name_52(f), 0, LUO_SESSION_NAME_LEN);
	memcpy(name_52(f), utf8, sizeof(utf8));
	strcpy(f->sess[51 + 2].name, utf8); /* block 1, entry 2 */
	if (decode(f))
		fail_msg("a chain with a session named \"%s\" (UTF-8) decodes to %d: %s", utf8, f->ret,
			 f->st.serialized_note);
	assert_model(f, SIZE_MAX);
}

/* ---- one session's files damaged: that session has the error ------------------------ */

static const struct kt_luo_session *damaged(struct fixture *f, size_t i)
{
	const struct kt_luo_session *s;

	if (decode(f))
		fail_msg("decode failed: %s", f->st.serialized_note);
	assert_true(f->st.serialized_ok);
	assert_model(f, i);
	assert_int_equal(f->st.nr_flbs, 2);
	s = sess_named(&f->st, f->sess[i].name);
	assert_non_null(s->error);
	assert_int_equal(s->state, KT_SESS_SERIALIZED);
	return s;
}

static void test_file_count_mismatch(void **state)
{
	struct fixture *f = *state;
	const struct kt_luo_session *s;
	uint64_t e;

	build(f, &full);
	/* Session 2 has 3 files: claim 4. */
	e = f->sessions_pa + 16 + 2 * sizeof(struct luo_session_ser);
	set64(&f->m, e + 72, 4);
	s = damaged(f, 2);
	assert_has(s->error, "claims 4 files, its chain holds 3");
	assert_int_equal(s->nr_files, 3);
	assert_int_equal(s->files_claimed, 4);
	/* Claim 1. */
	set64(&f->m, e + 72, 1);
	s = damaged(f, 2);
	assert_has(s->error, "claims 1 files, its chain holds 3");
	/* Files claimed, no chain. */
	set64(&f->m, e + 64, 0);
	set64(&f->m, e + 72, 2);
	s = damaged(f, 2);
	assert_has(s->error, "claims 2 files, its chain holds 0");
	assert_int_equal(s->nr_files, 0);
}

static void test_file_chain_damaged(void **state)
{
	struct fixture *f = *state;
	const struct kt_luo_session *s;
	uint64_t files, b1, e;

	build(f, &full);
	files = f->sess[59].files_pa;
	b1 = block_at(&f->m, files, 1);
	set64(&f->m, b1, files);
	s = damaged(f, 59);
	assert_has(s->error, "files: block chain loops back");
	/* What was read before the loop is kept. */
	assert_int_equal(s->nr_files, 70);
	set64(&f->m, b1, 0);

	set64(&f->m, files, NOT_RAM);
	s = damaged(f, 59);
	assert_has(s->error, "files: block 0xfee00000: not in readable memory");
	assert_int_equal(s->nr_files, FILES_PER_BLOCK);
	set64(&f->m, files, b1 + 8);
	s = damaged(f, 59);
	assert_has(s->error, "not page aligned");
	set64(&f->m, files, b1);

	set64(&f->m, b1 + 8, 0);
	s = damaged(f, 59);
	assert_has(s->error, "claims 0 entries (at most 63 fit)");
	set64(&f->m, b1 + 8, 64);
	s = damaged(f, 59);
	assert_has(s->error, "claims 64 entries (at most 63 fit)");
	set64(&f->m, b1 + 8, 70 - FILES_PER_BLOCK);

	/* A handler name with no NUL in its 48 bytes, then an empty one. */
	e = f->sess[1].files_pa + 16 + sizeof(struct luo_file_ser);
	memset(at(&f->m, e, LUO_HANDLER_COMPAT_LEN), 'm', LUO_HANDLER_COMPAT_LEN);
	s = damaged(f, 1);
	assert_has(s->error, "entry 1: Bad message");
	at(&f->m, e, 1)[0] = '\0';
	s = damaged(f, 1);
	assert_has(s->error, "entry 1");
}

/*
 * Two sessions whose files point at one chain. The kernel gives every file set
 * its own blocks, so a block met by a second chain is damage, and reading it
 * again is how a small image costs without bound: a block of 51 sessions all
 * pointing at one chain of N blocks decodes 51 * 63 * N files (a 3000-block
 * chain: 9.6 million files, 1.6 GB, from 12 MB of memory); a chain of such
 * session blocks multiplies that again. Each block is to be read once: the
 * second session to reach the chain has an error instead of a copy of the files.
 */
static void test_shared_file_chain(void **state)
{
	struct fixture *f = *state;
	const struct kt_luo_session *s1, *s59;
	uint64_t e;

	build(f, &full);
	e = f->sessions_pa + 16 + 1 * sizeof(struct luo_session_ser);
	set64(&f->m, e + 64, f->sess[59].files_pa);
	set64(&f->m, e + 72, 70);
	assert_int_equal(decode(f), 0);
	s1 = sess_named(&f->st, f->sess[1].name);
	s59 = sess_named(&f->st, f->sess[59].name);
	if (s1->nr_files + s59->nr_files != 70 || !s1->error == !s59->error)
		fail_msg("the chain at 0x%llx was read %s: sessions 1 and 59 hold %zu and %zu files, errors "
			 "'%s' and '%s'",
			 (unsigned long long)f->sess[59].files_pa,
			 s1->nr_files + s59->nr_files > 70 ? "twice" : "oddly", s1->nr_files, s59->nr_files,
			 s1->error ? s1->error : "(none)", s59->error ? s59->error : "(none)");
}

/* ---- one memfd's state damaged: that file has the error ---------------------------- */

/* Session 2, file 1: a memfd of (2 + 1) % 4 = 3 folios. */
static uint64_t memfd_pa(struct fixture *f)
{
	assert_int_equal(f->sess[2].files[1].m.nr_folios, 3);
	return f->sess[2].files[1].data;
}

static const struct kt_luo_file *damaged_file(struct fixture *f)
{
	size_t i, k;
	const struct kt_luo_session *s;
	const struct kt_luo_file *x;

	if (decode(f))
		fail_msg("decode failed: %s", f->st.serialized_note);
	s = sess_named(&f->st, f->sess[2].name);
	assert_null(s->error);
	assert_int_equal(s->nr_files, 3);
	x = &s->files[1];
	assert_non_null(x->error);
	assert_false(x->has_memfd);
	assert_false(x->has_size);
	assert_string_equal(x->handler, MEMFD_V2_COMPATIBLE);
	assert_int_equal(x->token, token_of(2, 1));
	/* Every other file decodes. */
	for (i = 0; i < f->nsess; i++)
		for (k = 0; k < f->sess[i].nfiles; k++)
			if ((i != 2 || k != 1) && f->st.sessions[i].files[k].error)
				fail_msg("session %zu file %zu: %s", i, k, f->st.sessions[i].files[k].error);
	return x;
}

static void test_memfd_state_bad(void **state)
{
	struct fixture *f = *state;
	uint64_t pa;
	struct memfd_luo_ser good;
	const struct kt_luo_file *x;
	const struct {
		const char *what;
		size_t off, len;
		uint64_t v;
	} cases[] = {
	    /* More folios than the size has pages; no end of them. */
	    {"nr_folios past size", offsetof(struct memfd_luo_ser, nr_folios), 8, 4},
	    {"absurd nr_folios", offsetof(struct memfd_luo_ser, nr_folios), 8, 1ULL << 60},
	    {"unknown seal", offsetof(struct memfd_luo_ser, seals), 4, 0x40},
	    {"every seal bit", offsetof(struct memfd_luo_ser, seals), 4, 0xffffffff},
	    {"folio array not page aligned", offsetof(struct memfd_luo_ser, folios.first), 8, 0},
	    {"no folio array", offsetof(struct memfd_luo_ser, folios.first), 8, 0},
	    {"vmalloc order", offsetof(struct memfd_luo_ser, folios.order), 2, 11},
	    {"array pages too few", offsetof(struct memfd_luo_ser, folios.total_pages), 4, 0},
	    /* More array pages than RAM has. */
	    {"array pages absurd", offsetof(struct memfd_luo_ser, folios.total_pages), 4, UINT32_MAX},
	};
	size_t i;

	build(f, &full);
	pa = memfd_pa(f);
	memcpy(&good, at(&f->m, pa, sizeof(good)), sizeof(good));
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		uint64_t v = cases[i].v;

		if (!strcmp(cases[i].what, "folio array not page aligned"))
			v = good.folios.first + 8;
		memcpy(at(&f->m, pa, sizeof(good)), &good, sizeof(good));
		memcpy(at(&f->m, pa + cases[i].off, cases[i].len), &v, cases[i].len);
		x = damaged_file(f);
		if (!strstr(x->error, "is inconsistent"))
			fail_msg("%s: error '%s'", cases[i].what, x->error);
	}
	/* The state out of RAM. */
	memcpy(at(&f->m, pa, sizeof(good)), &good, sizeof(good));
	set64(&f->m, f->sess[2].files_pa + 16 + sizeof(struct luo_file_ser) + 48, NOT_RAM);
	x = damaged_file(f);
	assert_has(x->error, "memfd state at 0xfee00000: not in readable memory");
	/* The last bytes of the state past the end of RAM. */
	set64(&f->m, f->sess[2].files_pa + 16 + sizeof(struct luo_file_ser) + 48,
	      IMG_BASE + f->m.pages * PAGE - 16);
	x = damaged_file(f);
	assert_has(x->error, "not in readable memory");
}

/* kt_luo_file_detail decodes only what it knows, and only once the handler's state is there. */
static void test_file_detail(void **state)
{
	struct fixture *f = *state;
	struct kt_luo_file x;

	build(f, &small);
	open_img(f, 0, 0);
	memset(&x, 0, sizeof(x));
	x.handler = MEMFD_V2_COMPATIBLE;
	x.data = f->sess[1].files[0].data;
	kt_luo_file_detail(f->pm, &x);
	assert_true(x.has_memfd);
	assert_memfd_equal(&x.memfd, &f->sess[1].files[0].m);
	/* Retrieved: the state is the live file's now. */
	memset(&x, 0, sizeof(x));
	x.handler = MEMFD_V2_COMPATIBLE;
	x.data = f->sess[1].files[0].data;
	x.retrieve_status = 1;
	kt_luo_file_detail(f->pm, &x);
	assert_false(x.has_memfd);
	assert_null(x.error);
	/* No physical memory, no data, another handler: nothing to do, no error. */
	x.retrieve_status = 0;
	kt_luo_file_detail(NULL, &x);
	assert_false(x.has_memfd);
	x.data = 0;
	kt_luo_file_detail(f->pm, &x);
	assert_false(x.has_memfd);
	assert_null(x.error);
	x.handler = "memfd-v1";
	x.data = f->sess[1].files[0].data;
	kt_luo_file_detail(f->pm, &x);
	assert_false(x.has_memfd);
	assert_null(x.error);
}

/* ---- the folio array damaged: the walk fails with a message ----------------------- */

/* The memfd of session 2 file 1 as read, and its chunk. */
static void folio_setup(struct fixture *f, struct kt_memfd *m, uint64_t *chunk)
{
	char err[256];

	build(f, &full);
	*chunk = f->sess[2].files[1].chunk;
	open_img(f, 0, 0);
	if (kt_memfd_read(f->pm, memfd_pa(f), m, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_folio_chunk_loop(void **state)
{
	struct fixture *f = *state;
	struct folios *c = malloc(sizeof(*c));
	struct kt_memfd m;
	uint64_t chunk;
	char err[256];

	assert_non_null(c);
	folio_setup(f, &m, &chunk);
	/* More folios than the listed page holds; the chunk links itself. */
	m.nr_folios = FOLIOS_PER_PAGE + 10;
	m.folios_total_pages = 2;
	set64(&f->m, chunk, chunk);
	open_img(f, 0, 0);
	assert_int_equal(walk_folios(f, &m, c, err, sizeof(err)), -ELOOP);
	assert_has(err, "loop");
	assert_true(c->n <= m.nr_folios);
	free(c);
}

static void test_folio_array_short(void **state)
{
	struct fixture *f = *state;
	struct folios *c = malloc(sizeof(*c));
	struct kt_memfd m;
	uint64_t chunk;
	char err[256];

	assert_non_null(c);
	folio_setup(f, &m, &chunk);
	/* One page listed, ending the chain, for more folios than it holds. */
	m.nr_folios = 300;
	m.folios_total_pages = 2;
	assert_int_equal(walk_folios(f, &m, c, err, sizeof(err)), -EBADMSG);
	assert_has(err, "ends after 256 of 300 folios");
	assert_int_equal(c->n, 256);
	/* No page listed at all. */
	set64(&f->m, chunk + 8, 0);
	open_img(f, 0, 0);
	assert_int_equal(walk_folios(f, &m, c, err, sizeof(err)), -EBADMSG);
	assert_has(err, "ends after 0 of 300 folios");
	free(c);
}

static void test_folio_array_unreadable(void **state)
{
	struct fixture *f = *state;
	struct folios *c = malloc(sizeof(*c));
	struct kt_memfd m;
	uint64_t chunk;
	char err[256];

	assert_non_null(c);
	folio_setup(f, &m, &chunk);
	set64(&f->m, chunk + 8, NOT_RAM);
	open_img(f, 0, 0);
	assert_int_equal(walk_folios(f, &m, c, err, sizeof(err)), -EFAULT);
	assert_has(err, "folio array page 0xfee00000: not readable");
	m.folios_first = RAM_NO_SEG;
	assert_int_equal(walk_folios(f, &m, c, err, sizeof(err)), -EFAULT);
	assert_has(err, "folio array chunk 0x40000000: not readable");
	free(c);
}

/*
 * The same loop, with counts as large as kt_memfd_read lets through: as many
 * folios and array pages as the image has pages of RAM (a million here; tens of
 * millions on a real machine). The chunk links itself and lists one page 511
 * times. The walk must see the loop (or that it lists more pages than the array
 * has) and fail, not go round until the count runs out: with nothing but a count
 * of chunks to stop it, that took an hour. Run in a child with an alarm: a hang
 * fails this test, not the suite.
 */
static uint64_t ram_pages(struct kt_physmem *pm)
{
	const struct kt_range *r;
	size_t n = kt_physmem_ram(pm, &r), i;
	uint64_t pages = 0;

	for (i = 0; i < n; i++)
		pages += (r[i].end - r[i].start) / PAGE;
	assert_true(pages > 1000000 && pages < UINT32_MAX);
	return pages;
}

struct long_loop {
	struct fixture *f;
	struct kt_memfd m;
};

#define LONG_LOOP_SECONDS 10
static volatile uint64_t long_loop_folios;

static int count_only(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	(void)ctx, (void)pfn, (void)flags, (void)index;
	long_loop_folios++;
	return 0;
}

static void long_loop_alarm(int sig)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "still walking after %d s, %llu folios called back\n",
			 LONG_LOOP_SECONDS, (unsigned long long)long_loop_folios);

	(void)sig;
	if (write(2, msg, n) < 0)
		_exit(FB_CHILD_FAILED);
	_exit(FB_CHILD_FAILED);
}

static int long_loop_child(void *arg)
{
	struct long_loop *l = arg;
	char err[256] = "";
	int ret;

	signal(SIGALRM, long_loop_alarm);
	alarm(LONG_LOOP_SECONDS);
	ret = kt_memfd_folios(l->f->pm, &l->m, count_only, NULL, err, sizeof(err));
	alarm(0);
	if (ret >= 0 || !err[0]) {
		fprintf(stderr, "walk returned %d after %llu folios: '%s'\n", ret,
			(unsigned long long)long_loop_folios, err);
		return 1;
	}
	return 0;
}

static void test_folio_chunk_loop_large_counts(void **state)
{
	struct fixture *f = *state;
	struct memfd_luo_ser ser;
	struct long_loop l = {.f = f};
	uint64_t chunk, pa;
	char err[256];
	size_t j;

	folio_setup(f, &l.m, &chunk);
	pa = memfd_pa(f);
	for (j = 1; j < KHO_VMALLOC_CHUNK_ENTRIES; j++)
		set64(&f->m, chunk + 8 + 8 * j, get64(&f->m, chunk + 8));
	set64(&f->m, chunk, chunk);
	memcpy(&ser, at(&f->m, pa, sizeof(ser)), sizeof(ser));
	ser.nr_folios = ram_pages(f->pm);
	ser.size = ser.nr_folios * PAGE;
	ser.folios.total_pages = (uint32_t)ser.nr_folios;
	memcpy(at(&f->m, pa, sizeof(ser)), &ser, sizeof(ser));
	open_img(f, 0, 0);
	/* The state passes kt_memfd_read's checks: the walk is where the loop must be seen. */
	assert_int_equal(kt_memfd_read(f->pm, pa, &l.m, err, sizeof(err)), 0);
	assert_in_child(long_loop_child, &l,
			"kt_memfd_folios on a self-linked chunk, as many folios claimed as there is RAM");
}

/* ---- FLBs ------------------------------------------------------------------------ */

static void test_flb_header_bad(void **state)
{
	struct fixture *f = *state;
	const uint64_t cases[][2] = {{1, 64}, {0, 1}, {17, 1}, {UINT64_MAX, 1}, {1, UINT64_MAX}};
	size_t i;

	build(f, &small);
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		set64(&f->m, f->flbs_pa, cases[i][0]);
		set64(&f->m, f->flbs_pa + 8, cases[i][1]);
		assert_int_equal(decode(f), 0);
		/* The sessions are read; the FLBs are not, and the note says why. */
		assert_true(f->st.serialized_ok);
		assert_model(f, SIZE_MAX);
		assert_int_equal(f->st.nr_flbs, 0);
		assert_has(f->st.serialized_note, "FLB header at");
	}
	/* 63 entries fit one page. */
	set64(&f->m, f->flbs_pa, 1);
	set64(&f->m, f->flbs_pa + 8, 63);
	assert_int_equal(decode(f), 0);
	assert_int_equal(f->st.nr_flbs, 63);
	assert_null(f->st.serialized_note);
}

/*
 * FLBs that cannot be read are said to be missing, as a header that claims too
 * many is: flbs_pa non-zero means the previous kernel had global state, and a
 * view without it and without a word would say there was none.
 */
static void test_flb_unreadable(void **state)
{
	struct fixture *f = *state;
	uint64_t flb;

	build(f, &small);
	/* The header out of RAM. */
	open_img(f, 0, 0);
	assert_int_equal(decode_at(f, f->sessions_pa, NOT_RAM), 0);
	assert_true(f->st.serialized_ok);
	assert_int_equal(f->st.nr_flbs, 0);
	if (!f->st.serialized_note)
		fail_msg("FLB header at 0x%llx unreadable: no FLBs and no note", (unsigned long long)NOT_RAM);
	/* The header in the last page of RAM, its 63 entries running past the end. */
	flb = img_alloc(&f->m);
	set64(&f->m, flb, 1);
	set64(&f->m, flb + 8, 63);
	open_img(f, flb - IMG_BASE + 1024, 0);
	assert_int_equal(decode_at(f, f->sessions_pa, flb), 0);
	if (!f->st.serialized_note)
		fail_msg("FLB entries past the end of RAM: %zu of 63 read and no note", f->st.nr_flbs);
}

/* ---- seeds for fuzz_luo_chain ---------------------------------------------------------- */

static int write_seed(const char *dir, const char *name, const struct recipe *r,
		      void (*damage)(struct fixture *f))
{
	struct fixture f = {0};
	char path[4096];
	FILE *out;
	size_t i;
	int ret = 0;

	build(&f, r);
	if (damage)
		damage(&f);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	out = fopen(path, "wb");
	if (!out || fwrite(f.m.mem, PAGE, f.m.pages, out) != f.m.pages || fclose(out)) {
		fprintf(stderr, "test_luo_walk: %s: %s\n", path, strerror(errno));
		ret = 2;
	}
	for (i = 0; i < f.nsess; i++)
		free(f.sess[i].files);
	free(f.sess);
	free(f.m.mem);
	return ret;
}

static void damage_loop(struct fixture *f)
{
	set64(&f->m, block_at(&f->m, f->sessions_pa, 1), f->sessions_pa);
}

static void damage_folio_loop(struct fixture *f)
{
	uint64_t pa = f->sess[2].files[1].data, chunk = f->sess[2].files[1].chunk;

	set64(&f->m, chunk, chunk);
	set64(&f->m, pa + offsetof(struct memfd_luo_ser, nr_folios), 300);
	set64(&f->m, pa + offsetof(struct memfd_luo_ser, size), 300 * PAGE);
	memcpy(at(&f->m, pa + offsetof(struct memfd_luo_ser, folios.total_pages), 4), &(uint32_t){2}, 4);
}

static int write_seeds(const char *dir)
{
	/* Small enough to mutate quickly: few sessions, or many with few files. */
	const struct recipe tiny = {.nsess = 3, .files_every = 1, .flbs = true};
	const struct recipe blocks = {.nsess = 60, .files_every = 20, .flbs = false};
	const struct recipe files = {.nsess = 6, .files_every = 3, .big_files = 70, .flbs = true};
	int ret = 0;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "test_luo_walk: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	ret |= write_seed(dir, "luo-tiny", &tiny, NULL);
	ret |= write_seed(dir, "luo-small", &small, NULL);
	ret |= write_seed(dir, "luo-two-session-blocks", &blocks, NULL);
	ret |= write_seed(dir, "luo-two-file-blocks", &files, NULL);
	ret |= write_seed(dir, "luo-loop", &blocks, damage_loop);
	ret |= write_seed(dir, "luo-folio-loop", &small, damage_folio_loop);
	return ret;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_valid_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_valid_folios, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_folio_pfn_bits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memfd_two_chunks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memfd_order1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_sessions_no_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_earlier_sessions_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_block_walk_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_blocks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_blocks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_cycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_loops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_next_out_of_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_misaligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_bad_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_truncated_block, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_name_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_name_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_count_mismatch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_chain_damaged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_file_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memfd_state_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_detail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_folio_chunk_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_folio_array_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_folio_array_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_folio_chunk_loop_large_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flb_header_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flb_unreadable, setup, teardown),
	};

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	return cmocka_run_group_tests_name("luo_walk", tests, NULL, NULL);
}
