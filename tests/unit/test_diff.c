// SPDX-License-Identifier: GPL-2.0-only
/*
 * kt_diff_dir between two snapshots written to temporary directories: blobs
 * added, removed and changed, and the decoded fields that changed.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdtbuild.h"

#include "view/diff.h"
#include "snapshot/snapshot.h"

#define PMM	 0x188d000ULL
#define SESSIONS 0x325f000ULL
#define FLBS	 0x34a8000ULL
#define LUO_PA	 0x34a7000ULL

struct pair {
	char *a, *b; /* the two snapshot directories */
	struct kt_snapshot sa, sb;
	bool loaded;
};

/* What the diff reported, one line per callback. */
struct rec {
	char **lines;
	size_t n;
};

static const char *const change_name[] = {"added", "removed", "changed"};

static void rec_add(struct rec *r, char *line)
{
	r->lines = realloc(r->lines, (r->n + 1) * sizeof(*r->lines));
	assert_non_null(r->lines);
	r->lines[r->n++] = line;
}

static void on_blob(void *ctx, const char *pa, const char *pb, enum kt_change ch)
{
	char *line;

	assert_true(asprintf(&line, "blob %s %s %s", pa ? pa : "-", pb ? pb : "-", change_name[ch]) > 0);
	rec_add(ctx, line);
}

static void on_field(void *ctx, const char *field, const char *a, const char *b)
{
	char *line;

	assert_true(asprintf(&line, "field %s: %s -> %s", field, a ? a : "-", b ? b : "-") > 0);
	rec_add(ctx, line);
}

static const struct kt_diff_ops ops = {on_blob, on_field};

static void rec_free(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
}

static void rec_print(const struct rec *r)
{
	size_t i;

	print_error("diff reported %zu line(s):\n", r->n);
	for (i = 0; i < r->n; i++)
		print_error("  %s\n", r->lines[i]);
}

static bool rec_has(const struct rec *r, const char *line)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->lines[i], line))
			return true;
	return false;
}

#define assert_rec_has(r, line)                                                                              \
	do {                                                                                                 \
		if (!rec_has((r), (line))) {                                                                 \
			rec_print(r);                                                                        \
			fail_msg("diff did not report '%s'", (line));                                        \
		}                                                                                            \
	} while (0)

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->a = td_make();
	p->b = td_make();
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	if (p->loaded) {
		kt_snapshot_free(&p->sa);
		kt_snapshot_free(&p->sb);
	}
	td_remove(p->a);
	td_remove(p->b);
	free(p);
	return 0;
}

static const struct fb_sub subs[] = {
    {"memblock", 0x34ac000ULL, 0xd2},
    {"LUO", LUO_PA, 0x20},
};

/* A kho/ directory before the kexec: root, scratch, LUO and memblock. */
static void write_base(const char *root, uint64_t luo_num, uint64_t luo_phys, bool memblock)
{
	const struct fb_sub s[] = {subs[0], {"LUO", luo_phys, subs[1].size}};
	const struct fb_region r = {"kt_mem", 0x7ca00000ULL, 2 << 20};
	struct fb_blob fdt = fb_kho_v4(PMM, s, 2), luo = fb_luo("luo-v5", luo_num, SESSIONS, FLBS);

	td_write_blob(root, "out/fdt", &fdt);
	td_write_str(root, "out/scratch_phys", "0x73000000\n");
	td_write_str(root, "out/scratch_len", "0x9c00000\n");
	td_write_blob(root, "out/sub_fdts/LUO", &luo);
	if (memblock) {
		struct fb_blob mb = fb_memblock(&r, 1);

		td_write_blob(root, "out/sub_fdts/memblock", &mb);
		fb_free(&mb);
	}
	fb_free(&fdt);
	fb_free(&luo);
}

static void load_pair(struct pair *p)
{
	char err[512] = "";

	/* The teardown frees both, loaded or not. */
	p->loaded = true;
	if (kt_snapshot_load(p->a, &p->sa, err, sizeof(err)))
		fail_msg("loading %s: %s", p->a, err);
	if (kt_snapshot_load(p->b, &p->sb, err, sizeof(err)))
		fail_msg("loading %s: %s", p->b, err);
}

static unsigned int diff(struct pair *p, enum kt_dirn da, enum kt_dirn db, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	load_pair(p);
	return kt_diff_dir(&p->sa, da, &p->sb, db, &ops, r);
}

static void test_identical(void **state)
{
	struct pair *p = *state;
	unsigned int n;
	struct rec r;

	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 1, LUO_PA, true);
	n = diff(p, KT_OUT, KT_OUT, &r);
	if (n || r.n)
		rec_print(&r);
	assert_int_equal(n, 0);
	assert_int_equal(r.n, 0);
	rec_free(&r);
}

static void test_blob_added(void **state)
{
	struct pair *p = *state;
	unsigned int n;
	struct rec r;

	write_base(p->a, 1, LUO_PA, false);
	write_base(p->b, 1, LUO_PA, true);
	n = diff(p, KT_OUT, KT_OUT, &r);
	assert_rec_has(&r, "blob - out/sub_fdts/memblock added");
	assert_int_equal(n, 1);
	rec_free(&r);
}

static void test_blob_removed(void **state)
{
	struct pair *p = *state;
	unsigned int n;
	struct rec r;

	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 1, LUO_PA, false);
	n = diff(p, KT_OUT, KT_OUT, &r);
	assert_rec_has(&r, "blob out/sub_fdts/memblock - removed");
	assert_int_equal(n, 1);
	rec_free(&r);
}

static void test_luo_number_changed(void **state)
{
	struct pair *p = *state;
	unsigned int n;
	struct rec r;

	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 2, LUO_PA, true);
	n = diff(p, KT_OUT, KT_OUT, &r);
	assert_rec_has(&r, "blob out/sub_fdts/LUO out/sub_fdts/LUO changed");
	assert_rec_has(&r, "field liveupdate_num: 1 -> 2");
	assert_int_equal(r.n, 2);
	assert_int_equal(n, 1);
	rec_free(&r);
}

/* A field of a sub-node of the root is named by its node path. */
static void test_root_field_changed(void **state)
{
	struct pair *p = *state;
	struct rec r;

	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 1, 0x34b0000ULL, true);
	diff(p, KT_OUT, KT_OUT, &r);
	assert_rec_has(&r, "blob out/fdt out/fdt changed");
	assert_rec_has(&r, "field LUO.preserved-data: 0x34a7000 -> 0x34b0000");
	assert_int_equal(r.n, 2);
	rec_free(&r);
}

static void test_scratch_changed(void **state)
{
	struct pair *p = *state;
	unsigned int n;
	struct rec r;

	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 1, LUO_PA, true);
	td_write_str(p->b, "out/scratch_len", "0x9e00000\n");
	n = diff(p, KT_OUT, KT_OUT, &r);
	assert_rec_has(&r, "blob out/scratch out/scratch changed");
	assert_int_equal(n, 1);
	rec_free(&r);
}

/* 7.4 calls the areas bootmem: the same areas are no difference; other ones are named so. */
static void test_bootmem(void **state)
{
	struct pair *p = *state;
	char *from, *to;
	unsigned int n;
	struct rec r;

	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 1, LUO_PA, true);
	from = td_path(p->b, "out/scratch_phys");
	to = td_path(p->b, "out/bootmem_phys");
	assert_int_equal(rename(from, to), 0);
	free(from);
	free(to);
	from = td_path(p->b, "out/scratch_len");
	to = td_path(p->b, "out/bootmem_len");
	assert_int_equal(rename(from, to), 0);
	free(from);
	free(to);
	n = diff(p, KT_OUT, KT_OUT, &r);
	assert_int_equal(n, 0);
	rec_free(&r);
	kt_snapshot_free(&p->sb);
	td_write_str(p->b, "out/bootmem_len", "0x9e00000\n");
	if (kt_snapshot_load(p->b, &p->sb, NULL, 0))
		fail_msg("loading %s", p->b);
	memset(&r, 0, sizeof(r));
	n = kt_diff_dir(&p->sa, KT_OUT, &p->sb, KT_OUT, &ops, &r);
	assert_rec_has(&r, "blob out/scratch out/bootmem changed");
	assert_int_equal(n, 1);
	rec_free(&r);
}

/* The same tree with room to spare: other bytes, same decoding. */
static void test_bytes_differ_same_decoding(void **state)
{
	const struct fb_region reg = {"kt_mem", 0x7ca00000ULL, 2 << 20};
	struct fb_blob mb = fb_memblock(&reg, 1), big;
	struct pair *p = *state;
	struct rec r;

	big.len = mb.len + 64;
	big.data = calloc(1, big.len);
	assert_non_null(big.data);
	assert_int_equal(fdt_open_into(mb.data, big.data, (int)big.len), 0);
	write_base(p->a, 1, LUO_PA, true);
	write_base(p->b, 1, LUO_PA, true);
	td_write_blob(p->b, "out/sub_fdts/memblock", &big);
	diff(p, KT_OUT, KT_OUT, &r);
	assert_rec_has(&r, "blob out/sub_fdts/memblock out/sub_fdts/memblock changed");
	assert_rec_has(&r, "field bytes: differ -> differ");
	assert_int_equal(r.n, 2);
	rec_free(&r);
	fb_free(&mb);
	fb_free(&big);
}

/* --out-vs-in: the old kernel's out/ against the new kernel's in/. */
static void test_out_vs_in(void **state)
{
	struct fb_blob luo_out = fb_luo("luo-v5", 0, 0, FLBS), luo_in = fb_luo("luo-v5", 1, SESSIONS, FLBS);
	struct pair *p = *state;
	unsigned int n;
	struct rec r;

	td_write_blob(p->a, "out/sub_fdts/LUO", &luo_out);
	td_write_blob(p->b, "in/sub_fdts/LUO", &luo_in);
	td_write_blob(p->b, "out/sub_fdts/LUO", &luo_out);
	n = diff(p, KT_OUT, KT_IN, &r);
	assert_rec_has(&r, "blob out/sub_fdts/LUO in/sub_fdts/LUO changed");
	assert_rec_has(&r, "field liveupdate_num: 0 -> 1");
	assert_rec_has(&r, "field sessions_pa: 0x0 -> 0x325f000");
	assert_int_equal(n, 1);
	rec_free(&r);
	fb_free(&luo_out);
	fb_free(&luo_in);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_identical),
	    T(test_blob_added),
	    T(test_blob_removed),
	    T(test_luo_number_changed),
	    T(test_root_field_changed),
	    T(test_scratch_changed),
	    T(test_bootmem),
	    T(test_bytes_differ_same_decoding),
	    T(test_out_vs_in),
	};

	return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
