// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rows (view/rows.c) printed through libsmartcols (render/table.c) with the options of
 * util-linux tools: the column choice (-o, +LIST, --output-all), -n, -r, -P, -b, -s (numbers by
 * value, a hidden sort column), the tree and --list, and unknown columns refused by name. The
 * expected text is what libsmartcols' own formats are (KEY="value", \x escapes in raw mode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "render/table.h"

static const struct kt_colspec cols[] = {
    {"NAME", "the name", KT_COL_TREE},
    {"SIZE", "bytes", KT_COL_SIZE},
    {"FILES", "a count", KT_COL_NUM},
    {"NOTE", "text", 0},
};
static const struct kt_table_def def = {cols, KT_ARRAY_SIZE(cols), "NAME,SIZE"};

/* Two sessions, a file under the first; sizes whose text order differs from their value order. */
static void fill(struct kt_rows *r)
{
	size_t a, f, b;

	kt_rows_init(r, &def);
	a = kt_rows_add(r, KT_ROW_NONE);
	kt_rows_str(r, a, "NAME", "vm-a");
	kt_rows_size(r, a, "SIZE", 2u << 20);
	kt_rows_u64(r, a, "FILES", 10);
	kt_rows_str(r, a, "NOTE", "two words");
	f = kt_rows_add(r, a);
	kt_rows_str(r, f, "NAME", "7");
	kt_rows_size(r, f, "SIZE", 2u << 20);
	b = kt_rows_add(r, KT_ROW_NONE);
	kt_rows_str(r, b, "NAME", "vm-b");
	kt_rows_size(r, b, "SIZE", 512);
	kt_rows_u64(r, b, "FILES", 9);
}

/* The table as printed with o; NULL when it was refused (err then says why). */
static char *print(const struct kt_table_opts *o, char *err, size_t errlen)
{
	struct kt_rows r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	assert_non_null(f);
	fill(&r);
	ret = kt_table_print(&r, o, f, err, errlen);
	fclose(f);
	kt_rows_free(&r);
	if (ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void expect(const struct kt_table_opts *o, const char *want)
{
	char err[128];
	char *got = print(o, err, sizeof(err));

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_pairs_bytes_and_defaults(void **state)
{
	(void)state;
	expect(&(struct kt_table_opts){.pairs = true, .bytes = true},
	       "NAME=\"vm-a\" SIZE=\"2097152\"\nNAME=\"7\" SIZE=\"2097152\"\nNAME=\"vm-b\" SIZE=\"512\"\n");
	expect(&(struct kt_table_opts){.pairs = true},
	       "NAME=\"vm-a\" SIZE=\"2 MiB\"\nNAME=\"7\" SIZE=\"2 MiB\"\nNAME=\"vm-b\" SIZE=\"512 B\"\n");
}

static void test_output_list_and_plus(void **state)
{
	(void)state;
	expect(&(struct kt_table_opts){.pairs = true, .output = "FILES,NAME"},
	       "FILES=\"10\" NAME=\"vm-a\"\nFILES=\"\" NAME=\"7\"\nFILES=\"9\" NAME=\"vm-b\"\n");
	expect(&(struct kt_table_opts){.raw = true, .noheadings = true, .output = "+NOTE", .bytes = true},
	       "vm-a 2097152 two\\x20words\n7 2097152 \nvm-b 512 \n");
	expect(&(struct kt_table_opts){.raw = true, .all = true, .bytes = true},
	       "NAME SIZE FILES NOTE\nvm-a 2097152 10 two\\x20words\n7 2097152  \nvm-b 512 9 \n");
}

static void test_sort_by_value_hidden_column(void **state)
{
	(void)state;
	/* FILES is not shown; 9 sorts before 10 (by value, not text); the file stays under vm-a. */
	expect(&(struct kt_table_opts){.raw = true, .noheadings = true, .sort = "FILES", .output = "NAME"},
	       "vm-b\nvm-a\n7\n");
	/* SIZE by value: 512 B before 2 MiB although "2" < "5" as text. */
	expect(&(struct kt_table_opts){.raw = true, .noheadings = true, .sort = "SIZE", .output = "NAME"},
	       "vm-b\nvm-a\n7\n");
}

static void test_tree_and_list(void **state)
{
	char err[128], *t;

	(void)state;
	t = print(&(struct kt_table_opts){.output = "NAME"}, err, sizeof(err));
	assert_non_null(t);
	/* The file is drawn under its session; --list drops the drawing. */
	assert_non_null(strstr(t, "vm-a\n"));
	assert_null(strstr(t, "\n7\n"));
	assert_non_null(strstr(t, "-7\n"));
	free(t);
	expect(&(struct kt_table_opts){.output = "NAME", .list = true, .noheadings = true},
	       "vm-a\n7\nvm-b\n");
}

static void test_unknown_columns_refused(void **state)
{
	char err[128];

	(void)state;
	assert_null(print(&(struct kt_table_opts){.output = "NAME,SIZ"}, err, sizeof(err)));
	assert_string_equal(err, "unknown column 'SIZ' (--help lists them)");
	assert_null(print(&(struct kt_table_opts){.sort = "nope"}, err, sizeof(err)));
	assert_string_equal(err, "unknown sort column 'nope' (--help lists them)");
}

static void test_screen_width(void **state)
{
	struct kt_rows r;
	char err[128], *out, *line, *save = NULL;

	(void)state;
	fill(&r);
	assert_int_equal(
	    kt_table_string(&r, &(struct kt_table_opts){.all = true, .width = 60}, &out, err, sizeof(err)),
	    0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 60);
	free(out);
	kt_rows_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pairs_bytes_and_defaults),	cmocka_unit_test(test_output_list_and_plus),
	    cmocka_unit_test(test_sort_by_value_hidden_column), cmocka_unit_test(test_tree_and_list),
	    cmocka_unit_test(test_unknown_columns_refused),	cmocka_unit_test(test_screen_width),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
