// SPDX-License-Identifier: GPL-2.0-only
/* util.c: sizes parsed and printed, bounded file reads, fixed-size strings, hashing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdtbuild.h"

#include <zlib.h>

#include "base/dl.h"
#include "base/hash.h"
#include "base/size.h"
#include "base/util.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aULL

/* ---- kt_parse_size ------------------------------------------------------- */

static void check_size(const char *s, uint64_t want)
{
	uint64_t v = SENTINEL;
	int ret = kt_parse_size(s, &v);

	if (ret)
		fail_msg("kt_parse_size(\"%s\") = %d, expected 0", s, ret);
	if (v != want)
		fail_msg("kt_parse_size(\"%s\") gave %llu, expected %llu", s, (unsigned long long)v,
			 (unsigned long long)want);
}

/* Refused, and the output left alone. */
static void check_refused(const char *s, int want)
{
	uint64_t v = SENTINEL;
	int ret = kt_parse_size(s, &v);

	if (ret != want)
		fail_msg("kt_parse_size(\"%s\") = %d, expected %d", s, ret, want);
	if (v != SENTINEL)
		fail_msg("kt_parse_size(\"%s\") wrote %llu on failure", s, (unsigned long long)v);
}

static void test_parse_size_plain(void **state)
{
	(void)state;
	check_size("4096", 4096);
	check_size("0", 0);
	check_size("18446744073709551615", UINT64_MAX);
}

static void test_parse_size_suffixes(void **state)
{
	(void)state;
	check_size("1G", 1ULL << 30);
	check_size("512M", 512ULL << 20);
	check_size("2K", 2048);
	check_size("3T", 3ULL << 40);
	check_size("1P", 1ULL << 50);
	check_size("15E", 15ULL << 60);
}

static void test_parse_size_iec_forms(void **state)
{
	(void)state;
	check_size("2KiB", 2048);
	check_size("2KB", 2048);
	check_size("64MiB", 64ULL << 20);
}

static void test_parse_size_garbage(void **state)
{
	static const char *const bad[] = {
	    "", "G", "abc", "12Q", "1.5G", "-1", " 1", "1 G", "1GiBx", "1Gi", "0x", "4096 ",
	};
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++)
		check_refused(bad[i], -EINVAL);
	check_refused(NULL, -EINVAL);
}

static void test_parse_size_suffix_overflow(void **state)
{
	(void)state;
	check_refused("16E", -ERANGE);
	check_refused("17179869184G", -ERANGE); /* 2^34 GiB = 2^64 */
}

static void test_parse_size_number_overflow(void **state)
{
	uint64_t v = SENTINEL;

	(void)state;
	/* 2^64 */
	assert_true(kt_parse_size("18446744073709551616", &v) < 0);
	assert_int_equal(v, SENTINEL);
}

/* ---- kt_fmt_size --------------------------------------------------------- */

static void check_fmt(uint64_t v, const char *want)
{
	char buf[32];

	assert_string_equal(kt_fmt_size(v, buf), want);
}

static void test_fmt_size_exact_units(void **state)
{
	(void)state;
	check_fmt(0, "0 B");
	check_fmt(233, "233 B");
	check_fmt(1023, "1023 B");
	check_fmt(1024, "1 KiB");
	check_fmt(4096, "4 KiB");
	check_fmt(2ULL << 20, "2 MiB");
	check_fmt(1ULL << 30, "1 GiB");
	check_fmt(15ULL << 60, "15 EiB");
}

static void test_fmt_size_fractions(void **state)
{
	(void)state;
	check_fmt(1536, "1.5 KiB");
	check_fmt(0x1d400000ULL + (1ULL << 19), "468.5 MiB");
	check_fmt((3ULL << 30) + (1ULL << 29), "3.5 GiB");
}

/* Just under a unit rounds up to "1.0" of the next unit, never to 1024.0 of this one. */
static void test_fmt_size_rounds_into_next_unit(void **state)
{
	(void)state;
	check_fmt((1ULL << 20) - 1, "1.0 MiB");
}

/* ---- kt_read_file -------------------------------------------------------- */

static int setup(void **state)
{
	*state = td_make();
	return 0;
}

static int teardown(void **state)
{
	td_remove(*state);
	return 0;
}

static int read_n(const char *dir, size_t size, size_t max, size_t *got)
{
	char *data = malloc(size ? size : 1), *p;
	uint8_t *buf = NULL;
	int ret;

	assert_non_null(data);
	memset(data, 'k', size);
	td_write(dir, "f", data, size);
	p = td_path(dir, "f");
	ret = kt_read_file(p, max, &buf, got);
	if (!ret) {
		assert_memory_equal(buf, data, size);
		free(buf);
	}
	free(p);
	free(data);
	return ret;
}

static void test_read_file_within_bound(void **state)
{
	size_t got = 0;

	assert_int_equal(read_n(*state, 10, 10, &got), 0);
	assert_int_equal(got, 10);
	assert_int_equal(read_n(*state, 5000, 5000, &got), 0);
	assert_int_equal(got, 5000);
	assert_int_equal(read_n(*state, 0, 0, &got), 0);
	assert_int_equal(got, 0);
}

static void test_read_file_past_bound(void **state)
{
	size_t got = 0;

	assert_int_equal(read_n(*state, 11, 10, &got), -EFBIG);
	assert_int_equal(read_n(*state, 4097, 4096, &got), -EFBIG);
	assert_int_equal(read_n(*state, 100000, 4096, &got), -EFBIG);
}

static void test_read_file_missing(void **state)
{
	char *p = td_path(*state, "absent");
	uint8_t *buf = NULL;
	size_t len = 0;

	assert_int_equal(kt_read_file(p, 4096, &buf, &len), -ENOENT);
	free(p);
}

/* ---- kt_cstr ------------------------------------------------------------- */

static void test_cstr_terminated(void **state)
{
	char dst[9];

	(void)state;
	assert_true(kt_cstr(dst, sizeof(dst), "luo-v5\0\0", 8));
	assert_string_equal(dst, "luo-v5");
}

static void test_cstr_unterminated_larger_dst(void **state)
{
	char dst[9];

	(void)state;
	assert_false(kt_cstr(dst, sizeof(dst), "#!/bin/s", 8));
	assert_string_equal(dst, "#!/bin/s");
}

/* A field with no NUL copied into a buffer of the field's own size: still unterminated. */
static void test_cstr_unterminated_same_size(void **state)
{
	char dst[4];

	(void)state;
	assert_false(kt_cstr(dst, sizeof(dst), "abcd", 4));
}

static void test_cstr_truncates(void **state)
{
	char dst[4];

	(void)state;
	assert_true(kt_cstr(dst, sizeof(dst), "abcdef", 7));
	assert_string_equal(dst, "abc");
}

/* ---- kt_printable, kt_sha256_hex ----------------------------------------- */

static void test_printable(void **state)
{
	(void)state;
	assert_true(kt_printable("7.3.4 text\n\twith tabs", 21));
	assert_true(kt_printable("", 0));
	assert_false(kt_printable("a\0b", 3));
	assert_false(kt_printable("\x1b[0m", 4));
	assert_false(kt_printable("\xc3\xa9", 2));
}

static void test_sha256(void **state)
{
	char hex[KT_SHA256_HEX];

	(void)state;
	/* FIPS 180-2 test vectors. */
	kt_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	kt_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* kt_dl_open: a library or a symbol that is not there is one line, said again on every call. */
static void test_dl_open(void **state)
{
	static void *fn;
	static const struct kt_dl_sym missing_sym[] = {{"kt_no_such_function", &fn}};
	static const struct kt_dl_sym zlib_syms[] = {{"zlibVersion", &fn}};
	struct kt_dl none = {"libkt-no-such-library.so.0", zlib_syms, 1, false, 0, ""};
	struct kt_dl nosym = {"libz.so.1", missing_sym, 1, false, 0, ""};
	struct kt_dl zlib = {"libz.so.1", zlib_syms, 1, false, 0, ""};
	char err[256];

	(void)state;
	assert_int_equal(kt_dl_open(&none, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "libkt-no-such-library.so.0"));
	err[0] = '\0';
	assert_int_equal(kt_dl_open(&none, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "libkt-no-such-library.so.0"));
	assert_int_equal(kt_dl_open(&nosym, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "libz.so.1: no kt_no_such_function");
	assert_int_equal(kt_dl_open(&zlib, err, sizeof(err)), 0);
	assert_non_null(fn);
	assert_string_equal(((const char *(*)(void))fn)(), ZLIB_VERSION);
}

/* kt_grow: 16 first, or exactly a count asked for ahead; then doubling; new room zeroed. */
static void test_grow(void **state)
{
	uint32_t *v = NULL;
	size_t cap = 0, i;

	(void)state;
	KT_GROW(v, cap, 1);
	assert_int_equal(cap, 16);
	free(v);
	v = NULL;
	cap = 0;
	KT_GROW(v, cap, 630000);
	assert_int_equal(cap, 630000);
	for (i = 0; i < cap; i++)
		assert_int_equal(v[i], 0);
	memset(v, 0xff, cap * sizeof(*v));
	KT_GROW(v, cap, 630001);
	assert_int_equal(cap, 1260000);
	assert_int_equal(v[629999], UINT32_MAX);
	for (i = 630000; i < cap; i++)
		assert_int_equal(v[i], 0);
	KT_GROW(v, cap, 5000000);
	assert_int_equal(cap, 5000000);
	KT_GROW(v, cap, 10);
	assert_int_equal(cap, 5000000);
	free(v);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_size_plain),
	    cmocka_unit_test(test_parse_size_suffixes),
	    cmocka_unit_test(test_parse_size_iec_forms),
	    cmocka_unit_test(test_parse_size_garbage),
	    cmocka_unit_test(test_parse_size_suffix_overflow),
	    cmocka_unit_test(test_parse_size_number_overflow),
	    cmocka_unit_test(test_fmt_size_exact_units),
	    cmocka_unit_test(test_fmt_size_fractions),
	    cmocka_unit_test(test_fmt_size_rounds_into_next_unit),
	    T(test_read_file_within_bound),
	    T(test_read_file_past_bound),
	    T(test_read_file_missing),
	    cmocka_unit_test(test_cstr_terminated),
	    cmocka_unit_test(test_cstr_unterminated_larger_dst),
	    cmocka_unit_test(test_cstr_unterminated_same_size),
	    cmocka_unit_test(test_cstr_truncates),
	    cmocka_unit_test(test_printable),
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_dl_open),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
