// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoders on blobs built in the test: what each format decodes to, how a blob
 * is matched to its decoder, and what malformed, truncated and stale blobs give.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdtbuild.h"

#include "decode/decoders.h"
#include "decode/kho_root.h"

#define PMM 0x188d000ULL

static const struct fb_sub subs[] = {
    {"memblock", 0x34ac000ULL, 0xd2},
    {"LUO", 0x34a7000ULL, 0x20},
    {"kho_test", 0x34a6000ULL, 0xf0},
};

/* Decode b, named name, as a blob of direction d of an empty snapshot. */
static void decode(struct cap *c, const struct fb_blob *b, const char *name, enum kt_dirn d)
{
	struct kt_blob kb = fb_kt(b, name);

	cap_init(c);
	cap_decode(c, &kb, NULL, d);
}

static const char *format_of(const struct fb_blob *b, const char *name)
{
	struct kt_blob kb = fb_kt(b, name);

	return kt_decoder_for(&kb)->format;
}

/* ---- kho-v4 / kho-v1 roots ------------------------------------------------ */

static void test_kho_v4_root_props(void **state)
{
	struct fb_blob b = fb_kho_v4(PMM, subs, 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "fdt", KT_OUT);
	assert_cap_has(&c, "", "begin fdt kho-v4");
	assert_cap_has(&c, "fdt", "field compatible=kho-v4");
	assert_cap_has(&c, "fdt", "field preserved-memory-map=0x188d000");
	cap_free(&c);
	fb_free(&b);
}

static void test_kho_v4_sub_nodes(void **state)
{
	struct fb_blob b = fb_kho_v4(PMM, subs, 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "fdt", KT_OUT);
	assert_cap_has(&c, "fdt", "begin memblock");
	assert_cap_has(&c, "fdt/memblock", "field preserved-data=0x34ac000");
	assert_cap_has(&c, "fdt", "begin LUO");
	assert_cap_has(&c, "fdt/LUO", "field preserved-data=0x34a7000");
	cap_free(&c);
	fb_free(&b);
}

/* blob-size 0x20 is stored as a native u64: 32 bytes, not 0x2000000000000000 (2 EiB). */
static void test_kho_v4_values_native_endian(void **state)
{
	struct fb_blob b = fb_kho_v4(PMM, subs, 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "fdt", KT_OUT);
	assert_cap_has(&c, "fdt/LUO", "field blob-size=32 B");
	assert_cap_has(&c, "fdt/memblock", "field blob-size=210 B");
	cap_free(&c);
	fb_free(&b);
}

static void test_kho_v4_valid_has_no_notes(void **state)
{
	struct fb_blob b = fb_kho_v4(PMM, subs, 3);
	struct cap c;

	(void)state;
	decode(&c, &b, "fdt", KT_OUT);
	assert_cap_count(&c, NULL, "error ", 0);
	assert_cap_count(&c, NULL, "warning ", 0);
	assert_cap_count(&c, NULL, "info ", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_kho_v4_missing_mem_map(void **state)
{
	struct fb_blob b;
	struct cap c;
	struct fb f;

	(void)state;
	fb_start(&f);
	fb_str(&f, "compatible", KHO_V4_COMPATIBLE);
	b = fb_finish(&f);
	decode(&c, &b, "fdt", KT_OUT);
	assert_cap_has(&c, "fdt", "error no valid 'preserved-memory-map' property");
	cap_free(&c);
	fb_free(&b);
}

/* The root says LUO is 64 bytes, but sub_fdts/LUO holds 32. */
static void test_kho_v4_blob_size_mismatch(void **state)
{
	const struct fb_sub one = {"LUO", 0x34a7000ULL, 64};
	struct fb_blob b = fb_kho_v4(PMM, &one, 1), luo = fb_luo("luo-v5", 1, 0, 0);
	struct kt_blob sub = fb_kt(&luo, "LUO"), root = fb_kt(&b, "fdt");
	struct kt_snapshot snap;
	struct cap c;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	snap.dir[KT_OUT].present = true;
	snap.dir[KT_OUT].subs = &sub;
	snap.dir[KT_OUT].nr_subs = 1;
	cap_init(&c);
	cap_decode(&c, &root, &snap, KT_OUT);
	assert_cap_has(&c, "fdt/LUO", "warning blob-size is 64 but sub_fdts/LUO holds 32 bytes");
	cap_free(&c);
	fb_free(&luo);
	fb_free(&b);
}

static void test_kho_v1_root(void **state)
{
	const struct fb_sub v1[] = {{"memblock", 0x7f000000ULL, 0}, {"luo", 0x7e000000ULL, 0}};
	struct fb_blob b = fb_kho_v1(0x1000, v1, 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "fdt", KT_IN);
	assert_cap_has(&c, "", "begin fdt kho-v1");
	assert_cap_has(&c, "fdt", "field compatible=kho-v1");
	assert_cap_has(&c, "fdt", "field preserved-memory-map=0x1000");
	assert_cap_has(&c, "fdt/memblock", "field fdt=0x7f000000");
	assert_cap_has(&c, "fdt/luo", "field fdt=0x7e000000");
	assert_cap_count(&c, NULL, "error ", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_kho_v1_sub_without_fdt(void **state)
{
	struct fb_blob b;
	struct cap c;
	struct fb f;

	(void)state;
	fb_start(&f);
	fb_str(&f, "compatible", KHO_V1_COMPATIBLE);
	fb_u64(&f, KHO_PROP_MEM_MAP, 0x1000);
	fb_begin(&f, "memblock");
	fb_end(&f);
	b = fb_finish(&f);
	decode(&c, &b, "fdt", KT_IN);
	assert_cap_has(&c, "fdt/memblock", "error no valid 'fdt' property");
	cap_free(&c);
	fb_free(&b);
}

/* ---- memblock --------------------------------------------------------------- */

static void test_memblock_regions(void **state)
{
	const struct fb_region r[] = {{"kt_mem", 0x7ca00000ULL, 2 << 20}, {"other", 0x1000, 0x1800}};
	struct fb_blob b = fb_memblock(r, 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "memblock", KT_OUT);
	assert_cap_has(&c, "", "begin memblock memblock-v1");
	assert_cap_has(&c, "memblock", "field compatible=memblock-v1");
	assert_cap_has(&c, "memblock", "begin kt_mem reserve-mem-v1");
	assert_cap_has(&c, "memblock/kt_mem", "field start=0x7ca00000");
	assert_cap_has(&c, "memblock/kt_mem", "field size=2 MiB");
	assert_cap_has(&c, "memblock/other", "field start=0x1000");
	assert_cap_has(&c, "memblock/other", "field size=6 KiB");
	assert_cap_count(&c, NULL, "error ", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_memblock_region_with_u32_start(void **state)
{
	struct fb_blob b;
	struct cap c;
	struct fb f;

	(void)state;
	fb_start(&f);
	fb_str(&f, "compatible", MEMBLOCK_COMPATIBLE);
	fb_begin(&f, "r");
	fb_str(&f, "compatible", RESERVE_MEM_COMPATIBLE);
	fb_u32(&f, "start", 0x1000);
	fb_u64(&f, "size", 0x1000);
	fb_end(&f);
	b = fb_finish(&f);
	decode(&c, &b, "memblock", KT_OUT);
	assert_cap_has(&c, "memblock/r", "error region without a valid u64 start and size");
	cap_free(&c);
	fb_free(&b);
}

/* ---- kho-test --------------------------------------------------------------- */

static const struct fb_kho_test good_test = {
    .magic = KHO_TEST_MAGIC,
    .nr_folios = 13,
    .folios = {.first = 0x1b41000ULL, .total_pages = 5, .flags = 2, .order = 3},
    .csum = 0x12345678,
};

static void test_kho_test_fields(void **state)
{
	struct fb_blob b = fb_kho_test(&good_test);
	struct cap c;

	(void)state;
	decode(&c, &b, "kho_test", KT_OUT);
	assert_cap_has(&c, "", "begin kho_test kho-test-v1");
	assert_cap_has(&c, "kho_test", "field magic=1263030049");
	assert_cap_has(&c, "kho_test/data", "field nr_folios=13");
	assert_cap_has(&c, "kho_test/data", "field folios_info.first=0x1b41000");
	assert_cap_has(&c, "kho_test/data", "field folios_info.total_pages=5");
	assert_cap_has(&c, "kho_test/data", "field folios_info.flags=2");
	assert_cap_has(&c, "kho_test/data", "field folios_info.order=3");
	assert_cap_has(&c, "kho_test/data", "field csum=305419896");
	assert_cap_count(&c, NULL, "error ", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_kho_test_wrong_magic(void **state)
{
	struct fb_kho_test t = good_test;
	struct fb_blob b;
	struct cap c;

	(void)state;
	t.magic = 0x214f484b; /* "KHO!" stored big-endian */
	b = fb_kho_test(&t);
	decode(&c, &b, "kho_test", KT_OUT);
	assert_cap_has(&c, "kho_test", "error magic is not 0x4b484f21 (\"KHO!\")");
	cap_free(&c);
	fb_free(&b);
}

/* ---- luo-v5 ----------------------------------------------------------------- */

static void test_luo_valid(void **state)
{
	struct fb_blob b = fb_luo("luo-v5", 1, 0x325f000ULL, 0x34a8000ULL);
	struct cap c;

	(void)state;
	decode(&c, &b, "LUO", KT_IN);
	assert_cap_has(&c, "", "begin LUO luo-v5");
	assert_cap_has(&c, "LUO", "field compatible=luo-v5");
	assert_cap_has(&c, "LUO", "field liveupdate_num=1");
	assert_cap_has(&c, "LUO", "field sessions_pa=0x325f000");
	assert_cap_has(&c, "LUO", "field flbs_pa=0x34a8000");
	assert_cap_count(&c, NULL, "field stale=", 0);
	assert_cap_count(&c, NULL, "error ", 0);
	assert_cap_count(&c, NULL, "warning ", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_luo_not_serialized(void **state)
{
	struct fb_blob b = fb_luo("luo-v5", 0, 0, 0x34a8000ULL);
	const char *info;
	struct cap c;

	(void)state;
	decode(&c, &b, "LUO", KT_OUT);
	info = cap_first(&c, "LUO", "info ");
	if (!info || !strstr(info, "not serialized")) {
		cap_print(&c);
		fail_msg("no info note saying the sessions are not serialized");
	}
	cap_free(&c);
	fb_free(&b);
}

/* A stale incoming copy: flagged, and nothing in it shown as LUO state. */
static void check_stale(const struct fb_blob *b)
{
	struct cap c;

	decode(&c, b, "LUO", KT_IN);
	assert_cap_has(&c, "LUO", "field stale=true");
	assert_cap_count(&c, "LUO", "warning stale: ", 1);
	assert_cap_count(&c, NULL, "field liveupdate_num=", 0);
	assert_cap_count(&c, NULL, "field sessions_pa=", 0);
	cap_free(&c);
}

static void test_luo_stale_garbage(void **state)
{
	uint8_t junk[32];
	struct fb_blob b;
	uint32_t x = 0x12345678;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (uint8_t)(x >> 16) | 0x80; /* never a NUL, never ASCII */
	}
	b = fb_bytes(junk, sizeof(junk));
	check_stale(&b);
	fb_free(&b);
}

static void test_luo_stale_zeros(void **state)
{
	uint8_t zero[32] = {0};
	struct fb_blob b = fb_bytes(zero, sizeof(zero));

	(void)state;
	check_stale(&b);
	fb_free(&b);
}

static void test_luo_stale_shell_script(void **state)
{
	static const char script[] = "#!/bin/sh\nmount -t proc proc /proc\n";
	struct fb_blob b = fb_bytes(script, 32);

	(void)state;
	check_stale(&b);
	fb_free(&b);
}

/* The right compatible but addresses that are not page addresses. */
static void test_luo_stale_bad_addresses(void **state)
{
	struct fb_blob b = fb_luo("luo-v5", 1, 0x325f123ULL, 0x34a8000ULL);

	(void)state;
	check_stale(&b);
	fb_free(&b);
}

static void test_luo_unsupported_version(void **state)
{
	struct fb_blob b = fb_luo("luo-v9", 1, 0x325f000ULL, 0x34a8000ULL);
	struct cap c;

	(void)state;
	decode(&c, &b, "LUO", KT_IN);
	assert_cap_has(&c, "LUO", "field compatible=luo-v9");
	assert_cap_has(&c, "LUO", "error unsupported LUO ABI 'luo-v9' (this tool reads luo-v5)");
	assert_cap_count(&c, NULL, "field liveupdate_num=", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_luo_short_outgoing(void **state)
{
	struct fb_blob full = fb_luo("luo-v5", 1, 0, 0), b = fb_cut(&full, 16);
	struct cap c;

	(void)state;
	decode(&c, &b, "LUO", KT_OUT);
	assert_cap_has(&c, "LUO", "error too short for a luo_ser: 16 of 32 bytes");
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/* ---- kexec-metadata --------------------------------------------------------- */

static void test_kexec_meta_valid(void **state)
{
	struct fb_blob b = fb_kexec_meta(1, "7.3.4", 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "kexec-metadata", KT_IN);
	assert_cap_has(&c, "", "begin kexec-metadata kexec-metadata");
	assert_cap_has(&c, "kexec-metadata", "field version=1");
	assert_cap_has(&c, "kexec-metadata", "field previous_release=7.3.4");
	assert_cap_has(&c, "kexec-metadata", "field kexec_count=2");
	assert_cap_count(&c, NULL, "error ", 0);
	assert_cap_count(&c, NULL, "warning ", 0);
	cap_free(&c);
	fb_free(&b);
}

static void test_kexec_meta_short(void **state)
{
	struct fb_blob full = fb_kexec_meta(1, "7.3.4", 2), b = fb_cut(&full, 72);
	struct cap c;

	(void)state;
	decode(&c, &b, "kexec-metadata", KT_IN);
	assert_cap_has(&c, "kexec-metadata", "error too short: 72 of 73 bytes");
	assert_cap_count(&c, NULL, "field ", 0);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

static void test_kexec_meta_bad_version(void **state)
{
	struct fb_blob b = fb_kexec_meta(2, "7.3.4", 2);
	struct cap c;

	(void)state;
	decode(&c, &b, "kexec-metadata", KT_IN);
	assert_cap_has(&c, "kexec-metadata", "error unsupported version 2 (this tool reads 1)");
	assert_cap_count(&c, NULL, "field previous_release=", 0);
	cap_free(&c);
	fb_free(&b);
}

/* All 65 bytes of previous_release used, no NUL: not a string. */
static void test_kexec_meta_unterminated_release(void **state)
{
	char rel[KT_UTS_LEN];
	struct fb_blob b;
	struct cap c;

	(void)state;
	memset(rel, 'A', sizeof(rel));
	b = fb_kexec_meta(1, rel, 2);
	assert_null(memchr(b.data + 4, '\0', KT_UTS_LEN));
	decode(&c, &b, "kexec-metadata", KT_IN);
	assert_cap_has(&c, "kexec-metadata", "error previous_release is not a terminated string");
	assert_cap_count(&c, NULL, "field previous_release=", 0);
	cap_free(&c);
	fb_free(&b);
}

/* ---- generic FDT typing ----------------------------------------------------- */

static void decode_generic(struct cap *c)
{
	static const uint8_t odd[] = {0x01, 0x02, 0x03};
	struct fb_blob b;
	struct fb f;

	fb_start(&f);
	fb_str(&f, "compatible", "acme,widget-v1");
	fb_str(&f, "label", "hello");
	fb_prop(&f, "names", "a\0bc", 5);
	fb_u32(&f, "count", 0x01020304);
	fb_u64(&f, "cookie", 0x0102030405060708ULL);
	fb_prop(&f, "flag", NULL, 0);
	fb_prop(&f, "odd", odd, sizeof(odd));
	fb_begin(&f, "child");
	fb_u32(&f, "inner", 7);
	fb_end(&f);
	b = fb_finish(&f);
	decode(c, &b, "mystery", KT_OUT);
	fb_free(&b);
}

static void test_generic_format(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "", "begin mystery fdt");
	assert_cap_count(&c, NULL, "error ", 0);
	cap_free(&c);
}

static void test_generic_string(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "mystery", "field label=hello");
	cap_free(&c);
}

static void test_generic_string_list(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "mystery", "field names=\"a\", \"bc\"");
	cap_free(&c);
}

static void test_generic_u32(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "mystery", "field count=16909060");
	assert_cap_has(&c, "mystery/child", "field inner=7");
	cap_free(&c);
}

static void test_generic_u64(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "mystery", "field cookie=72623859790382856");
	cap_free(&c);
}

static void test_generic_empty_is_bool(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "mystery", "field flag=true");
	cap_free(&c);
}

static void test_generic_odd_length_is_bytes(void **state)
{
	struct cap c;

	(void)state;
	decode_generic(&c);
	assert_cap_has(&c, "mystery", "field odd=01 02 03");
	cap_free(&c);
}

/* ---- raw -------------------------------------------------------------------- */

static void test_raw_bytes(void **state)
{
	static const uint8_t data[] = {0xde, 0xad, 0xbe, 0xef};
	struct fb_blob b = fb_bytes(data, sizeof(data));
	struct cap c;

	(void)state;
	decode(&c, &b, "unknown-blob", KT_OUT);
	assert_cap_has(&c, "", "begin unknown-blob raw");
	assert_cap_has(&c, "unknown-blob", "field data=de ad be ef");
	cap_free(&c);
	fb_free(&b);
}

/* debugfs can expose an empty file: its data is an empty value, not whatever was in the buffer. */
static void test_raw_empty(void **state)
{
	struct fb_blob b = fb_bytes(NULL, 0);
	struct cap c;

	(void)state;
	decode(&c, &b, "empty", KT_OUT);
	assert_cap_has(&c, "empty", "field data=");
	cap_free(&c);
	fb_free(&b);
}

static void test_raw_large_is_capped(void **state)
{
	size_t len = 70000;
	uint8_t *data = calloc(1, len);
	struct fb_blob b;
	struct cap c;

	(void)state;
	assert_non_null(data);
	b = fb_bytes(data, len);
	free(data);
	decode(&c, &b, "big", KT_OUT);
	assert_cap_has(&c, "big", "info first 64 KiB of 70000 bytes shown");
	cap_free(&c);
	fb_free(&b);
}

/* ---- decoder selection ------------------------------------------------------ */

static void test_select_by_compatible(void **state)
{
	const struct fb_region r = {"r", 0x1000, 0x1000};
	struct fb_blob root = fb_kho_v4(PMM, subs, 1), mb = fb_memblock(&r, 1), kt = fb_kho_test(&good_test);

	(void)state;
	/* Names that point elsewhere: the compatible decides. */
	assert_string_equal(format_of(&root, "whatever"), "kho-v4");
	assert_string_equal(format_of(&mb, "LUO"), "memblock-v1");
	assert_string_equal(format_of(&kt, "kexec-metadata"), "kho-test-v1");
	fb_free(&root);
	fb_free(&mb);
	fb_free(&kt);
}

static void test_select_by_name(void **state)
{
	struct fb_blob luo = fb_luo("luo-v5", 1, 0, 0), meta = fb_kexec_meta(1, "7.3.4", 1);

	(void)state;
	assert_string_equal(format_of(&luo, "LUO"), "luo-v5");
	assert_string_equal(format_of(&meta, "kexec-metadata"), "kexec-metadata");
	fb_free(&luo);
	fb_free(&meta);
}

static void test_select_fallback_fdt(void **state)
{
	struct fb_blob b;
	struct fb f;

	(void)state;
	fb_start(&f);
	fb_str(&f, "compatible", "acme,widget-v1");
	b = fb_finish(&f);
	assert_string_equal(format_of(&b, "widget"), "fdt");
	fb_free(&b);
}

static void test_select_fallback_raw(void **state)
{
	struct fb_blob b = fb_luo("luo-v5", 1, 0, 0);

	(void)state;
	/* luo-v5 is matched by the blob's name only. */
	assert_string_equal(format_of(&b, "luo"), "raw");
	fb_free(&b);
}

/* A compatible that only starts like a known one is not that format. */
static void test_select_exact_compatible(void **state)
{
	struct fb_blob a, b;
	struct fb f;

	(void)state;
	fb_start(&f);
	fb_str(&f, "compatible", "kho-v4x");
	a = fb_finish(&f);
	fb_start(&f);
	fb_str(&f, "compatible", "kho-v");
	b = fb_finish(&f);
	assert_string_equal(format_of(&a, "fdt"), "fdt");
	assert_string_equal(format_of(&b, "fdt"), "fdt");
	fb_free(&a);
	fb_free(&b);
}

/* ---- malformed FDTs --------------------------------------------------------- */

/*
 * Each runs in a child (assert_in_child): a malformed blob must give one error
 * note and no fields, and must never crash the decoder.
 */
struct malformed {
	const struct fb_blob *b;
	bool direct; /* call the kho-v4 decoder itself, not the table */
};

static int malformed_child(void *arg)
{
	const struct malformed *m = arg;
	struct kt_blob kb = fb_kt(m->b, "fdt");
	int ret = 0;
	struct cap c;

	cap_init(&c);
	if (m->direct)
		kt_dec_kho_v4.decode(&kb, &c.sink, NULL);
	else
		cap_decode(&c, &kb, NULL, KT_OUT);
	if (cap_count(&c, NULL, "error ") != 1 || cap_count(&c, NULL, "field ") != 0) {
		cap_print(&c);
		ret = 1;
	}
	cap_free(&c);
	return ret;
}

static void check_malformed(const struct fb_blob *b, bool direct, const char *what)
{
	struct malformed m = {b, direct};

	assert_in_child(malformed_child, &m, what);
}

/* Not an FDT at all to the table (it would show raw bytes), so ask the kho-v4 decoder. */
static void test_malformed_bad_magic(void **state)
{
	struct fb_blob b = fb_kho_v4(PMM, subs, 2);

	(void)state;
	b.data[0] ^= 0xff;
	check_malformed(&b, true, "kho-v4 root with a bad magic");
	fb_free(&b);
}

static void test_malformed_struct_block(void **state)
{
	struct fb_blob b = fb_kho_v4(PMM, subs, 2);
	uint32_t bad = cpu_to_fdt32(0x0000000f);

	(void)state;
	/* The root's FDT_BEGIN_NODE tag becomes a tag that does not exist. */
	memcpy(b.data + fdt_off_dt_struct(b.data), &bad, sizeof(bad));
	check_malformed(&b, false, "root with a corrupted struct block");
	fb_free(&b);
}

/* Only a header: the magic, a totalsize past the end, every other field zero. */
static void test_malformed_zero_header(void **state)
{
	uint8_t hdr[sizeof(struct fdt_header)] = {0};
	struct fb_blob b;

	(void)state;
	fdt_set_magic(hdr, FDT_MAGIC);
	fdt_set_totalsize(hdr, 4096);
	b = fb_bytes(hdr, sizeof(hdr));
	check_malformed(&b, false, "zero header with totalsize past the end");
	fb_free(&b);
}

static void test_malformed_huge_totalsize(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 2), b = fb_cut(&full, 200);

	(void)state;
	fdt_set_totalsize(b.data, KT_MAX_BLOB_SIZE + 1); /* past KT_MAX_BLOB_SIZE */
	check_malformed(&b, false, "root claiming more than KT_MAX_BLOB_SIZE");
	fb_free(&b);
	fb_free(&full);
}

/* The FDT magic, then less than a header. */
static void test_malformed_shorter_than_header(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 2), b = fb_cut(&full, 20);

	(void)state;
	check_malformed(&b, false, "20-byte blob starting with the FDT magic");
	fb_free(&b);
	fb_free(&full);
}

/* ---- truncated roots (debugfs keeps the size the root had when registered) -- */

static size_t node_offset(const struct fb_blob *b, const char *name)
{
	int node = fdt_subnode_offset(b->data, 0, name);

	assert_true(node > 0);
	return fdt_off_dt_struct(b->data) + (size_t)node;
}

static size_t prop_value_offset(const struct fb_blob *b, const char *node, const char *prop)
{
	const uint8_t *p = fdt_getprop(b->data, fdt_subnode_offset(b->data, 0, node), prop, NULL);

	assert_non_null(p);
	return (size_t)(p - b->data);
}

static void check_truncation_warning(const struct cap *c, size_t have, size_t total)
{
	char want[96];

	snprintf(want, sizeof(want), "warning truncated: %zu of %zu bytes", have, total);
	assert_cap_count(c, "fdt", want, 1);
}

/* Cut where the strings block starts: every node is there, every name is lost. */
static void test_truncated_strings_lost(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	b = fb_cut(&full, fdt_off_dt_strings(full.data));
	assert_string_equal(format_of(&b, "fdt"), "kho-v4");
	decode(&c, &b, "fdt", KT_OUT);
	check_truncation_warning(&c, b.len, full.len);
	assert_cap_has(&c, "fdt", "field compatible=kho-v4");
	assert_cap_has(&c, "fdt", "field preserved-memory-map=0x188d000");
	assert_cap_has(&c, "fdt/memblock", "field preserved-data=0x34ac000");
	assert_cap_has(&c, "fdt/kho_test", "field blob-size=240 B");
	assert_cap_count(&c, NULL, "field ?", 0);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/* Cut in the middle of the strings block: the names past the cut are rebuilt. */
static void test_truncated_inside_strings(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	b = fb_cut(&full, fdt_off_dt_strings(full.data) + fdt_size_dt_strings(full.data) / 2);
	decode(&c, &b, "fdt", KT_OUT);
	check_truncation_warning(&c, b.len, full.len);
	assert_cap_has(&c, "fdt", "field compatible=kho-v4");
	assert_cap_has(&c, "fdt", "field preserved-memory-map=0x188d000");
	assert_cap_has(&c, "fdt/LUO", "field preserved-data=0x34a7000");
	assert_cap_has(&c, "fdt/LUO", "field blob-size=32 B");
	assert_cap_count(&c, NULL, "field ?", 0);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/* Cut in the struct block where the last node begins: that node is gone, the rest decodes. */
static void test_truncated_inside_struct(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	b = fb_cut(&full, node_offset(&full, "kho_test"));
	assert_string_equal(format_of(&b, "fdt"), "kho-v4");
	decode(&c, &b, "fdt", KT_OUT);
	check_truncation_warning(&c, b.len, full.len);
	assert_cap_has(&c, "fdt", "field compatible=kho-v4");
	assert_cap_has(&c, "fdt/memblock", "field blob-size=210 B");
	assert_cap_has(&c, "fdt/LUO", "field preserved-data=0x34a7000");
	assert_cap_has(&c, "fdt/LUO", "field blob-size=32 B");
	assert_cap_lacks(&c, "fdt", "begin kho_test");
	assert_cap_count(&c, NULL, "field ?", 0);
	assert_cap_count(&c, NULL, "error ", 0);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/* The kernel's layout, cut inside the last node as the 7.3 live out/fdt is. */
static void test_truncated_kernel_layout(void **state)
{
	struct fb_blob full = fb_kho_v4_kernel(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	b = fb_cut(&full, node_offset(&full, "kho_test") + 16);
	assert_string_equal(format_of(&b, "fdt"), "kho-v4");
	decode(&c, &b, "fdt", KT_OUT);
	check_truncation_warning(&c, b.len, full.len);
	assert_cap_has(&c, "fdt", "field compatible=kho-v4");
	assert_cap_has(&c, "fdt", "field preserved-memory-map=0x188d000");
	assert_cap_has(&c, "fdt/memblock", "field preserved-data=0x34ac000");
	assert_cap_has(&c, "fdt/LUO", "field blob-size=32 B");
	assert_cap_count(&c, NULL, "field ?", 0);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/*
 * The kernel's layout cut before any sub-node property: only the root's two
 * names are referenced, and "compatible" is not the last string of the block.
 * It must still be rebuilt, or the root is not even recognised as kho-v4.
 */
static void test_truncated_kernel_layout_root_only(void **state)
{
	struct fb_blob full = fb_kho_v4_kernel(PMM, subs, 3), b;

	(void)state;
	b = fb_cut(&full, node_offset(&full, "memblock") + 4);
	assert_string_equal(format_of(&b, "fdt"), "kho-v4");
	fb_free(&b);
	fb_free(&full);
}

/* A value the cut went through is not there to show: no zero-padded number in its place. */
static void test_truncated_inside_value(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	/* 0x34a6000 is stored 00 60 4a 03 00 00 00 00: two bytes survive. */
	b = fb_cut(&full, prop_value_offset(&full, "kho_test", KHO_PROP_SUB_DATA) + 2);
	decode(&c, &b, "fdt", KT_OUT);
	check_truncation_warning(&c, b.len, full.len);
	assert_cap_has(&c, "fdt/LUO", "field blob-size=32 B");
	assert_cap_count(&c, "fdt/kho_test", "field preserved-data=", 0);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/* Likewise a node name the cut went through: "kho_test" cut to "kho" is not a node called "kho". */
static void test_truncated_inside_node_name(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	b = fb_cut(&full, node_offset(&full, "kho_test") + 4 + 3);
	decode(&c, &b, "fdt", KT_OUT);
	check_truncation_warning(&c, b.len, full.len);
	assert_cap_has(&c, "fdt", "begin LUO");
	assert_cap_lacks(&c, "fdt", "begin kho");
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

/* Cut inside the reserve map: no node survives, but the blob is still reported as truncated. */
static void test_truncated_before_struct(void **state)
{
	struct fb_blob full = fb_kho_v4(PMM, subs, 3), b;
	struct cap c;

	(void)state;
	b = fb_cut(&full, fdt_off_dt_struct(full.data) - 8);
	decode(&c, &b, "fdt", KT_OUT);
	assert_cap_count(&c, NULL, "warning truncated: ", 1);
	assert_cap_count(&c, NULL, "begin ", 1);
	cap_free(&c);
	fb_free(&b);
	fb_free(&full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kho_v4_root_props),
	    cmocka_unit_test(test_kho_v4_sub_nodes),
	    cmocka_unit_test(test_kho_v4_values_native_endian),
	    cmocka_unit_test(test_kho_v4_valid_has_no_notes),
	    cmocka_unit_test(test_kho_v4_missing_mem_map),
	    cmocka_unit_test(test_kho_v4_blob_size_mismatch),
	    cmocka_unit_test(test_kho_v1_root),
	    cmocka_unit_test(test_kho_v1_sub_without_fdt),
	    cmocka_unit_test(test_memblock_regions),
	    cmocka_unit_test(test_memblock_region_with_u32_start),
	    cmocka_unit_test(test_kho_test_fields),
	    cmocka_unit_test(test_kho_test_wrong_magic),
	    cmocka_unit_test(test_luo_valid),
	    cmocka_unit_test(test_luo_not_serialized),
	    cmocka_unit_test(test_luo_stale_garbage),
	    cmocka_unit_test(test_luo_stale_zeros),
	    cmocka_unit_test(test_luo_stale_shell_script),
	    cmocka_unit_test(test_luo_stale_bad_addresses),
	    cmocka_unit_test(test_luo_unsupported_version),
	    cmocka_unit_test(test_luo_short_outgoing),
	    cmocka_unit_test(test_kexec_meta_valid),
	    cmocka_unit_test(test_kexec_meta_short),
	    cmocka_unit_test(test_kexec_meta_bad_version),
	    cmocka_unit_test(test_kexec_meta_unterminated_release),
	    cmocka_unit_test(test_generic_format),
	    cmocka_unit_test(test_generic_string),
	    cmocka_unit_test(test_generic_string_list),
	    cmocka_unit_test(test_generic_u32),
	    cmocka_unit_test(test_generic_u64),
	    cmocka_unit_test(test_generic_empty_is_bool),
	    cmocka_unit_test(test_generic_odd_length_is_bytes),
	    cmocka_unit_test(test_raw_bytes),
	    cmocka_unit_test(test_raw_empty),
	    cmocka_unit_test(test_raw_large_is_capped),
	    cmocka_unit_test(test_select_by_compatible),
	    cmocka_unit_test(test_select_by_name),
	    cmocka_unit_test(test_select_fallback_fdt),
	    cmocka_unit_test(test_select_fallback_raw),
	    cmocka_unit_test(test_select_exact_compatible),
	    cmocka_unit_test(test_malformed_bad_magic),
	    cmocka_unit_test(test_malformed_struct_block),
	    cmocka_unit_test(test_malformed_zero_header),
	    cmocka_unit_test(test_malformed_huge_totalsize),
	    cmocka_unit_test(test_malformed_shorter_than_header),
	    cmocka_unit_test(test_truncated_strings_lost),
	    cmocka_unit_test(test_truncated_inside_strings),
	    cmocka_unit_test(test_truncated_inside_struct),
	    cmocka_unit_test(test_truncated_kernel_layout),
	    cmocka_unit_test(test_truncated_kernel_layout_root_only),
	    cmocka_unit_test(test_truncated_inside_value),
	    cmocka_unit_test(test_truncated_inside_node_name),
	    cmocka_unit_test(test_truncated_before_struct),
	};

	return cmocka_run_group_tests_name("decoders", tests, NULL, NULL);
}
