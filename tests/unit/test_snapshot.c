// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshots: loading a directory laid out like debugfs' kho/, saving to a
 * directory or a tarball and loading it back, and every way a source can be
 * refused (tampered, truncated, unsafe, malformed, missing).
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fdtbuild.h"

#include "snapshot/snapshot.h"
#include "source/archive.h"
#include "base/util.h"

#define ERRLEN 512

static const struct fb_sub subs[] = {
    {"memblock", 0x34ac000ULL, 0xd2},
    {"LUO", 0x34a7000ULL, 0x20},
    {"kexec-metadata", 0x34a5000ULL, 0x49},
};

/* The blobs of a kho/ directory before a kexec, as 7.3 lays it out. */
struct tree {
	struct fb_blob fdt, luo, memblock, meta;
};

static void tree_build(struct tree *t)
{
	const struct fb_region r = {"kt_mem", 0x7ca00000ULL, 2 << 20};

	t->fdt = fb_kho_v4(0x188d000ULL, subs, 3);
	t->luo = fb_luo("luo-v5", 0, 0, 0x34a8000ULL);
	t->memblock = fb_memblock(&r, 1);
	t->meta = fb_kexec_meta(1, "7.3.4", 0);
}

static void tree_free(struct tree *t)
{
	fb_free(&t->fdt);
	fb_free(&t->luo);
	fb_free(&t->memblock);
	fb_free(&t->meta);
}

/* Write the tree under root/<prefix>out/. */
static void tree_write(const struct tree *t, const char *root, const char *prefix)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%sout/fdt", prefix);
	td_write_blob(root, rel, &t->fdt);
	snprintf(rel, sizeof(rel), "%sout/scratch_phys", prefix);
	td_write_str(root, rel, "0x73000000\n0x55c00000\n");
	snprintf(rel, sizeof(rel), "%sout/scratch_len", prefix);
	td_write_str(root, rel, "0x9c00000\n0x1d400000\n");
	snprintf(rel, sizeof(rel), "%sout/sub_fdts/LUO", prefix);
	td_write_blob(root, rel, &t->luo);
	snprintf(rel, sizeof(rel), "%sout/sub_fdts/memblock", prefix);
	td_write_blob(root, rel, &t->memblock);
	snprintf(rel, sizeof(rel), "%sout/sub_fdts/kexec-metadata", prefix);
	td_write_blob(root, rel, &t->meta);
}

/* Every test gets an empty temporary directory as its state. */
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

/* Load spec, which must succeed. */
static void load_ok(const char *spec, struct kt_snapshot *s)
{
	char err[ERRLEN] = "";
	int ret = kt_snapshot_load(spec, s, err, sizeof(err));

	if (ret)
		fail_msg("loading %s: %d (%s)", spec, ret, err);
}

/* Load spec, which must fail with want and a message containing needle. */
static void load_fails(const char *spec, int want, const char *needle)
{
	char err[ERRLEN] = "";
	struct kt_snapshot s;
	int ret = kt_snapshot_load(spec, &s, err, sizeof(err));

	kt_snapshot_free(&s);
	if (ret != want)
		fail_msg("loading %s returned %d (%s), expected %d", spec, ret, err, want);
	if (!strstr(err, needle))
		fail_msg("loading %s: message '%s' does not name '%s'", spec, err, needle);
}

/* Load spec, which must be refused with a message containing needle. */
static void load_refused(const char *spec, const char *needle)
{
	char err[ERRLEN] = "";
	struct kt_snapshot s;
	int ret = kt_snapshot_load(spec, &s, err, sizeof(err));

	kt_snapshot_free(&s);
	if (ret >= 0)
		fail_msg("loading %s succeeded, expected it refused", spec);
	if (!strstr(err, needle))
		fail_msg("loading %s: message '%s' does not name '%s'", spec, err, needle);
}

static void assert_file(const struct kt_snapshot *s, const char *path, const struct fb_blob *b)
{
	const struct kt_file *f = kt_snapshot_file(s, path);

	if (!f)
		fail_msg("%s missing from the snapshot", path);
	assert_int_equal(f->len, b->len);
	assert_memory_equal(f->data, b->data, b->len);
}

/* A saved copy of the debugfs-like tree in tmp: returns the destination path. */
static char *saved(const char *tmp, const char *name, const char *release, const char *taken)
{
	char *src = td_path(tmp, "src"), *dest = td_path(tmp, name), err[ERRLEN] = "";
	struct kt_snapshot s;
	struct tree t;
	int ret;

	tree_build(&t);
	tree_write(&t, tmp, "src/");
	tree_free(&t);
	load_ok(src, &s);
	s.release = release ? strdup(release) : NULL;
	s.taken = taken ? strdup(taken) : NULL;
	ret = kt_snapshot_save(&s, dest, err, sizeof(err));
	kt_snapshot_free(&s);
	free(src);
	if (ret)
		fail_msg("saving to %s: %d (%s)", dest, ret, err);
	return dest;
}

/* ---- loading a directory ------------------------------------------------- */

static void test_load_dir_fdt(void **state)
{
	const char *tmp = *state;
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	load_ok(tmp, &s);
	assert_int_equal(s.kind, KT_SRC_DIR);
	assert_true(s.dir[KT_OUT].present);
	assert_true(s.dir[KT_OUT].has_fdt);
	assert_string_equal(s.dir[KT_OUT].fdt.path, "out/fdt");
	assert_int_equal(s.dir[KT_OUT].fdt.len, t.fdt.len);
	assert_memory_equal(s.dir[KT_OUT].fdt.data, t.fdt.data, t.fdt.len);
	assert_false(s.dir[KT_IN].present);
	kt_snapshot_free(&s);
	tree_free(&t);
}

static void test_load_dir_scratch(void **state)
{
	const char *tmp = *state;
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	load_ok(tmp, &s);
	assert_true(s.dir[KT_OUT].areas.present);
	assert_string_equal(s.dir[KT_OUT].areas.word, "scratch");
	assert_int_equal(s.dir[KT_OUT].areas.n, 2);
	assert_int_equal(s.dir[KT_OUT].areas.v[0].phys, 0x73000000ULL);
	assert_int_equal(s.dir[KT_OUT].areas.v[0].len, 0x9c00000ULL);
	assert_int_equal(s.dir[KT_OUT].areas.v[1].phys, 0x55c00000ULL);
	assert_int_equal(s.dir[KT_OUT].areas.v[1].len, 0x1d400000ULL);
	assert_int_equal(s.dir[KT_OUT].areas.total, 0x9c00000ULL + 0x1d400000ULL);
	kt_snapshot_free(&s);
	tree_free(&t);
}

/* 7.4's layout: the same areas as bootmem_phys/bootmem_len, read as such and named so. */
static void test_load_dir_bootmem(void **state)
{
	const char *tmp = *state;
	struct kt_snapshot s;

	td_write_str(tmp, "out/bootmem_phys", "0x73000000\n0x55c00000\n0x100000000\n");
	td_write_str(tmp, "out/bootmem_len", "0x9c00000\n0x1d400000\n0x1000\n");
	load_ok(tmp, &s);
	assert_true(s.dir[KT_OUT].areas.present);
	assert_string_equal(s.dir[KT_OUT].areas.word, "bootmem");
	assert_int_equal(s.dir[KT_OUT].areas.n, 3);
	assert_int_equal(s.dir[KT_OUT].areas.v[2].phys, 0x100000000ULL);
	assert_int_equal(s.dir[KT_OUT].areas.total, 0x9c00000ULL + 0x1d400000ULL + 0x1000);
	kt_snapshot_free(&s);
	/* No area at all (the kdump kernel reserves none): present, empty. */
	td_write_str(tmp, "out/bootmem_phys", "");
	td_write_str(tmp, "out/bootmem_len", "");
	load_ok(tmp, &s);
	assert_true(s.dir[KT_OUT].areas.present);
	assert_int_equal(s.dir[KT_OUT].areas.n, 0);
	kt_snapshot_free(&s);
	/* Malformed under the new name: refused, naming the file. */
	td_write_str(tmp, "out/bootmem_len", "0x9c00000\n");
	td_write_str(tmp, "out/bootmem_phys", "0x73000000\n0x55c00000\n");
	load_fails(tmp, -EINVAL, "out/bootmem_len");
}

static void test_load_dir_subs_sorted(void **state)
{
	const char *tmp = *state;
	const struct kt_blob *luo;
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	load_ok(tmp, &s);
	assert_int_equal(s.dir[KT_OUT].nr_subs, 3);
	assert_string_equal(s.dir[KT_OUT].subs[0].name, "LUO");
	assert_string_equal(s.dir[KT_OUT].subs[1].name, "kexec-metadata");
	assert_string_equal(s.dir[KT_OUT].subs[2].name, "memblock");
	luo = kt_snapshot_sub(&s, KT_OUT, "LUO");
	assert_non_null(luo);
	assert_string_equal(luo->path, "out/sub_fdts/LUO");
	assert_int_equal(luo->len, sizeof(struct luo_ser));
	assert_null(kt_snapshot_sub(&s, KT_IN, "LUO"));
	kt_snapshot_free(&s);
	tree_free(&t);
}

/* A capture directory that holds kho/ one level down. */
static void test_load_dir_kho_nested(void **state)
{
	const char *tmp = *state;
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "kho/");
	td_write_str(tmp, "uname", "7.3.4\n");
	load_ok(tmp, &s);
	assert_true(s.dir[KT_OUT].has_fdt);
	assert_file(&s, "out/sub_fdts/memblock", &t.memblock);
	assert_null(kt_snapshot_file(&s, "uname"));
	kt_snapshot_free(&s);
	tree_free(&t);
}

/* After a kexec: in/ with the previous kernel's root and blobs, no out/fdt. */
static void test_load_dir_incoming(void **state)
{
	const char *tmp = *state;
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	td_write_blob(tmp, "in/fdt", &t.fdt);
	td_write_blob(tmp, "in/sub_fdts/LUO", &t.luo);
	td_write_blob(tmp, "out/sub_fdts/LUO", &t.luo);
	load_ok(tmp, &s);
	assert_true(s.dir[KT_IN].present);
	assert_true(s.dir[KT_IN].has_fdt);
	assert_int_equal(s.dir[KT_IN].nr_subs, 1);
	assert_true(s.dir[KT_OUT].present);
	assert_false(s.dir[KT_OUT].has_fdt);
	kt_snapshot_free(&s);
	tree_free(&t);
}

/* 6.16-6.19 had out/finalize. */
static void test_load_dir_finalize(void **state)
{
	const char *tmp = *state;
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	td_write_str(tmp, "out/finalize", "1\n");
	load_ok(tmp, &s);
	assert_true(s.has_finalize);
	assert_int_equal(s.finalize, 1);
	kt_snapshot_free(&s);
	tree_free(&t);
}

static void test_load_dir_not_a_snapshot(void **state)
{
	const char *tmp = *state;

	td_write_str(tmp, "notes.txt", "hello\n");
	load_fails(tmp, -EINVAL, tmp);
}

static void test_load_missing_path(void **state)
{
	char *p = td_path(*state, "no-such-snapshot");

	load_fails(p, -ENOENT, p);
	free(p);
}

/* ---- malformed scratch files --------------------------------------------- */

static void test_scratch_not_a_number(void **state)
{
	const char *tmp = *state;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	tree_free(&t);
	td_write_str(tmp, "out/scratch_phys", "0x73000000\nbanana\n");
	load_fails(tmp, -EINVAL, "out/scratch_phys");
}

static void test_scratch_trailing_junk(void **state)
{
	const char *tmp = *state;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	tree_free(&t);
	td_write_str(tmp, "out/scratch_len", "0x9c00000\n0x1d400000 bytes\n");
	load_fails(tmp, -EINVAL, "out/scratch_len");
}

static void test_scratch_count_mismatch(void **state)
{
	const char *tmp = *state;
	struct tree t;

	tree_build(&t);
	tree_write(&t, tmp, "");
	tree_free(&t);
	td_write_str(tmp, "out/scratch_len", "0x9c00000\n");
	load_fails(tmp, -EINVAL, "out/scratch_len");
}

/* ---- saving and loading back --------------------------------------------- */

static void check_same_files(const char *dest)
{
	struct kt_snapshot s;
	struct tree t;

	tree_build(&t);
	load_ok(dest, &s);
	/* The six files written, plus the MANIFEST. */
	assert_int_equal(s.files.n, 7);
	assert_non_null(kt_snapshot_file(&s, KT_CHECKSUMS_FILE));
	assert_file(&s, "out/fdt", &t.fdt);
	assert_file(&s, "out/sub_fdts/LUO", &t.luo);
	assert_file(&s, "out/sub_fdts/memblock", &t.memblock);
	assert_file(&s, "out/sub_fdts/kexec-metadata", &t.meta);
	assert_int_equal(s.dir[KT_OUT].areas.n, 2);
	kt_snapshot_free(&s);
	tree_free(&t);
}

static void check_manifest_meta(const char *dest, int kind)
{
	struct kt_snapshot s;

	load_ok(dest, &s);
	assert_int_equal(s.kind, kind);
	assert_non_null(s.release);
	assert_string_equal(s.release, "7.3.4-kt1");
	assert_non_null(s.taken);
	assert_string_equal(s.taken, "2026-01-02T03:04:05Z");
	kt_snapshot_free(&s);
}

static void test_save_dir_same_files(void **state)
{
	char *dest = saved(*state, "snap", NULL, NULL);

	check_same_files(dest);
	free(dest);
}

static void test_save_dir_release_and_time(void **state)
{
	char *dest = saved(*state, "snap", "7.3.4-kt1", "2026-01-02T03:04:05Z");

	check_manifest_meta(dest, KT_SRC_DIR);
	free(dest);
}

static void test_save_tar_same_files(void **state)
{
	char *dest = saved(*state, "snap.tar", NULL, NULL);

	check_same_files(dest);
	free(dest);
}

static void test_save_tar_release_and_time(void **state)
{
	char *dest = saved(*state, "snap.tar", "7.3.4-kt1", "2026-01-02T03:04:05Z");

	check_manifest_meta(dest, KT_SRC_TAR);
	free(dest);
}

/* A saved snapshot saved again keeps its time and release. */
static void test_save_resave_keeps_meta(void **state)
{
	char *first = saved(*state, "snap", "7.3.4-kt1", "2026-01-02T03:04:05Z");
	char *second = td_path(*state, "again.tar"), err[ERRLEN] = "";
	struct kt_snapshot s;
	int ret;

	load_ok(first, &s);
	ret = kt_snapshot_save(&s, second, err, sizeof(err));
	kt_snapshot_free(&s);
	if (ret)
		fail_msg("saving %s: %d (%s)", second, ret, err);
	check_manifest_meta(second, KT_SRC_TAR);
	free(first);
	free(second);
}

static void test_save_refuses_existing_dir(void **state)
{
	char *dest = td_path(*state, "snap"), *src = td_path(*state, "src"), err[ERRLEN] = "";
	struct kt_snapshot s;
	struct tree t;
	int ret;

	tree_build(&t);
	tree_write(&t, *state, "src/");
	tree_free(&t);
	assert_int_equal(mkdir(dest, 0755), 0);
	load_ok(src, &s);
	ret = kt_snapshot_save(&s, dest, err, sizeof(err));
	kt_snapshot_free(&s);
	assert_int_equal(ret, -EEXIST);
	assert_non_null(strstr(err, dest));
	/* Nothing was written into it. */
	assert_int_equal(rmdir(dest), 0);
	free(dest);
	free(src);
}

static void test_save_refuses_existing_tar(void **state)
{
	char *dest = td_path(*state, "snap.tar"), *src = td_path(*state, "src"), err[ERRLEN] = "";
	struct kt_snapshot s;
	uint8_t *data;
	struct tree t;
	size_t len;
	int ret;

	tree_build(&t);
	tree_write(&t, *state, "src/");
	tree_free(&t);
	td_write_str(*state, "snap.tar", "precious");
	load_ok(src, &s);
	ret = kt_snapshot_save(&s, dest, err, sizeof(err));
	kt_snapshot_free(&s);
	assert_int_equal(ret, -EEXIST);
	assert_int_equal(kt_read_file(dest, 4096, &data, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(data, "precious", 8);
	free(data);
	free(dest);
	free(src);
}

/* ---- tampering ----------------------------------------------------------- */

static void test_tampered_dir_file(void **state)
{
	char *dest = saved(*state, "snap", NULL, NULL);
	struct fb_blob luo = fb_luo("luo-v5", 7, 0, 0x34a8000ULL);

	td_write_blob(dest, "out/sub_fdts/LUO", &luo);
	load_fails(dest, -EBADMSG, "out/sub_fdts/LUO");
	fb_free(&luo);
	free(dest);
}

/* The tar header checksum covers only headers: the MANIFEST still catches changed data. */
static void test_tampered_tar_data(void **state)
{
	char *dest = saved(*state, "snap.tar", NULL, NULL);
	uint8_t *data, *p;
	size_t len;

	assert_int_equal(kt_read_file(dest, 1 << 20, &data, &len), 0);
	p = memmem(data, len, "luo-v5\0\0", 8);
	assert_non_null(p);
	p[8] = 7; /* liveupdate_num */
	assert_int_equal(unlink(dest), 0);
	assert_int_equal(kt_write_file(dest, data, len), 0);
	load_fails(dest, -EBADMSG, "out/sub_fdts/LUO");
	free(data);
	free(dest);
}

static void test_manifest_file_missing(void **state)
{
	char *dest = saved(*state, "snap", NULL, NULL), *victim = td_path(dest, "out/sub_fdts/memblock");

	assert_int_equal(unlink(victim), 0);
	load_fails(dest, -ENOENT, "out/sub_fdts/memblock");
	free(victim);
	free(dest);
}

/* ---- tarballs that are not ours ------------------------------------------ */

struct entry {
	const char *name;
	const char *data;
};

/* A ustar file written by hand, so names the writer would never produce can be tried. */
static void write_tar(const char *path, const struct entry *e, size_t n)
{
	FILE *f = fopen(path, "wb");
	static const char zero[512];
	size_t i, k;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		char h[512];
		size_t len = strlen(e[i].data);
		unsigned int sum = 0;

		memset(h, 0, sizeof(h));
		assert_true(strlen(e[i].name) < 100);
		memcpy(h, e[i].name, strlen(e[i].name));
		memcpy(h + 100, "0000644", 7);
		memcpy(h + 108, "0000000", 7);
		memcpy(h + 116, "0000000", 7);
		assert_true(len < 1 << 20);
		snprintf(h + 124, 12, "%011o", (unsigned int)len);
		memcpy(h + 136, "00000000000", 11);
		memset(h + 148, ' ', 8);
		h[156] = '0';
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
		for (k = 0; k < sizeof(h); k++)
			sum += (unsigned char)h[k];
		snprintf(h + 148, 8, "%06o", sum & 0777777);
		h[155] = ' ';
		assert_int_equal(fwrite(h, 1, 512, f), 512);
		assert_int_equal(fwrite(e[i].data, 1, len, f), len);
		assert_int_equal(fwrite(zero, 1, (512 - len % 512) % 512, f), (512 - len % 512) % 512);
	}
	assert_int_equal(fwrite(zero, 1, 512, f), 512);
	assert_int_equal(fwrite(zero, 1, 512, f), 512);
	assert_int_equal(fclose(f), 0);
}

/* The control for the two below: the same hand-written tarball with safe names loads. */
static void test_tar_handmade_loads(void **state)
{
	const struct entry e[] = {{"out/sub_fdts/blob", "abc"}, {"./out/scratch_phys", "0x1000\n"}};
	char *p = td_path(*state, "hand.tar");
	struct kt_snapshot s;

	write_tar(p, e, 2);
	load_ok(p, &s);
	assert_non_null(kt_snapshot_sub(&s, KT_OUT, "blob"));
	assert_non_null(kt_snapshot_file(&s, "out/scratch_phys"));
	kt_snapshot_free(&s);
	free(p);
}

static void test_tar_dotdot_first(void **state)
{
	const struct entry e[] = {{"out/sub_fdts/blob", "abc"}, {"../evil", "x"}};
	char *p = td_path(*state, "evil.tar");

	write_tar(p, e, 2);
	load_fails(p, -EBADMSG, "../evil");
	free(p);
}

static void test_tar_dotdot_inside(void **state)
{
	const struct entry e[] = {{"out/sub_fdts/../../../evil", "x"}};
	char *p = td_path(*state, "evil.tar");

	write_tar(p, e, 1);
	load_fails(p, -EBADMSG, "out/sub_fdts/../../../evil");
	free(p);
}

static void test_tar_absolute(void **state)
{
	const struct entry e[] = {{"/etc/evil", "x"}};
	char *p = td_path(*state, "evil.tar");

	write_tar(p, e, 1);
	load_fails(p, -EBADMSG, "/etc/evil");
	free(p);
}

/*
 * A second entry for a file the MANIFEST lists: only one of the two can be the
 * one that was checked, so the tarball is refused rather than showing both.
 * Tried with the forged copy after and before the real one.
 */
static void test_tar_duplicate_entry(void **state)
{
	char *src = saved(*state, "snap.tar", NULL, NULL), *dest[2];
	struct fb_blob evil = fb_luo("luo-v5", 99, 0x325f000ULL, 0x34a8000ULL);
	struct kt_file *files;
	struct kt_snapshot s;
	char err[256];
	size_t i, k, n;
	int order;

	load_ok(src, &s);
	files = calloc(s.files.n + 1, sizeof(*files));
	assert_non_null(files);
	for (order = 0; order < 2; order++) {
		dest[order] = td_path(*state, order ? "dup-before.tar" : "dup-after.tar");
		for (i = 0, n = 0; i < s.files.n; i++) {
			bool luo = !strcmp(s.files.v[i].path, "out/sub_fdts/LUO");

			if (luo && order)
				files[n++] = (struct kt_file){s.files.v[i].path, evil.data, evil.len};
			files[n++] = s.files.v[i];
			if (luo && !order)
				files[n++] = (struct kt_file){s.files.v[i].path, evil.data, evil.len};
		}
		assert_int_equal(n, s.files.n + 1);
		assert_int_equal(kt_archive_write(dest[order], dest[order], files, n, err, sizeof(err)), 0);
	}
	free(files);
	kt_snapshot_free(&s);
	for (k = 0; k < 2; k++) {
		load_refused(dest[k], "out/sub_fdts/LUO");
		free(dest[k]);
	}
	fb_free(&evil);
	free(src);
}

static void test_not_a_tar(void **state)
{
	char *p = td_path(*state, "notes"), text[1024];

	memset(text, 'a', sizeof(text));
	td_write(*state, "notes", text, sizeof(text));
	load_fails(p, -EBADMSG, p);
	free(p);
}

/* Cut inside the first entry's data. */
static void test_tar_truncated_in_entry(void **state)
{
	char *dest = saved(*state, "snap.tar", NULL, NULL);

	assert_int_equal(truncate(dest, 512 + 100), 0);
	load_fails(dest, -EBADMSG, dest);
	free(dest);
}

/*
 * An archive cut after whole entries reads as a shorter tar (libarchive, like GNU tar,
 * takes the end of the file for the end of the archive): the checksum list, written
 * first, names the file that is gone.
 */
static void test_tar_truncated_end(void **state)
{
	char *src = saved(*state, "snap.tar", NULL, NULL), *dest = td_path(*state, "cut.tar"), err[256];
	struct kt_snapshot s;

	load_ok(src, &s);
	assert_string_equal(s.files.v[s.files.n - 1].path, "out/sub_fdts/memblock");
	assert_int_equal(kt_archive_write(dest, dest, s.files.v, s.files.n - 1, err, sizeof(err)), 0);
	kt_snapshot_free(&s);
	load_fails(dest, -ENOENT, "out/sub_fdts/memblock listed in the manifest is missing");
	free(dest);
	free(src);
}

/* ---- live mode ----------------------------------------------------------- */

static void test_live_env_missing(void **state)
{
	char *p = td_path(*state, "no-kho");

	assert_int_equal(setenv("KHO_TOOLS_DEBUGFS", p, 1), 0);
	load_fails(NULL, -ENOENT, "KHO is not enabled");
	load_fails("live", -ENOENT, p);
	unsetenv("KHO_TOOLS_DEBUGFS");
	free(p);
}

static void test_live_env_dir(void **state)
{
	char *p = td_path(*state, "kho");
	struct kt_snapshot s;
	struct utsname u;
	struct tree t;

	tree_build(&t);
	tree_write(&t, *state, "kho/");
	assert_int_equal(setenv("KHO_TOOLS_DEBUGFS", p, 1), 0);
	load_ok("live", &s);
	unsetenv("KHO_TOOLS_DEBUGFS");
	assert_int_equal(s.kind, KT_SRC_LIVE);
	assert_file(&s, "out/fdt", &t.fdt);
	assert_int_equal(uname(&u), 0);
	assert_non_null(s.release);
	assert_string_equal(s.release, u.release);
	kt_snapshot_free(&s);
	tree_free(&t);
	free(p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_load_dir_fdt),
	    T(test_load_dir_scratch),
	    T(test_load_dir_bootmem),
	    T(test_load_dir_subs_sorted),
	    T(test_load_dir_kho_nested),
	    T(test_load_dir_incoming),
	    T(test_load_dir_finalize),
	    T(test_load_dir_not_a_snapshot),
	    T(test_load_missing_path),
	    T(test_scratch_not_a_number),
	    T(test_scratch_trailing_junk),
	    T(test_scratch_count_mismatch),
	    T(test_save_dir_same_files),
	    T(test_save_dir_release_and_time),
	    T(test_save_tar_same_files),
	    T(test_save_tar_release_and_time),
	    T(test_save_resave_keeps_meta),
	    T(test_save_refuses_existing_dir),
	    T(test_save_refuses_existing_tar),
	    T(test_tampered_dir_file),
	    T(test_tampered_tar_data),
	    T(test_manifest_file_missing),
	    T(test_tar_handmade_loads),
	    T(test_tar_dotdot_first),
	    T(test_tar_dotdot_inside),
	    T(test_tar_absolute),
	    T(test_tar_duplicate_entry),
	    T(test_not_a_tar),
	    T(test_tar_truncated_in_entry),
	    T(test_tar_truncated_end),
	    T(test_live_env_missing),
	    T(test_live_env_dir),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
