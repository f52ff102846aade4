// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel images (source/kimage.c, decode/vmlinux.c) and the compat check on them
 * (model/handover.c, check/compat.c), on images built in the test: a small vmlinux ELF
 * holding the compatible strings of a 7.3 kernel in .rodata and .data, that ELF as a
 * bzImage payload in each compression the kernel offers (compressed here by libarchive),
 * compressed as a whole, cut short, damaged, and not a kernel at all; and the same ELF
 * after an ABI bump of one of its strings, and with a kernel config embedded (gzip'd by
 * zlib here) whose options the handover needs.
 *
 * `test_kimage --seeds DIR` writes the images as seeds for fuzz_kimage.
 */
#include <archive.h>
#include <archive_entry.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fdtbuild.h"

#include "base/util.h"
#include "check/compat.h"
#include "decode/vmlinux.h"
#include "model/luo_state.h"

#define ERRLEN 512

/* ---- images ------------------------------------------------------------------------ */

/* Literals as the linker lays them out: merged, one the tail of another ("memblock-v1"). */
static const char rodata_73[] =
    "\0Linux version 7.3.4-test (builder@host) (gcc 12) #1 SMP\n\0kho-v4\0luo-v5\0"
    "kexec-metadata\0LUO\0xmemblock-v1\0reserve-mem-v1\0kho-test-v1\0kho_test\0memblock";

/* The file handler: an ops pointer, then char compatible[48]; the test kernel's FLBs. */
static size_t data_73(uint8_t *d, const char *handler)
{
	static const char flbs[] = "liveupdate-test-flb-v0\0liveupdate-test-flb-v1\0liveupdate-test-flb-v2";

	memset(d, 0xff, 8);
	memset(d + 8, 0, 48);
	memcpy(d + 8, handler, strlen(handler));
	memcpy(d + 56, flbs, sizeof(flbs));
	return 56 + sizeof(flbs);
}

struct sec {
	const char *name;
	const void *p;
	size_t len;
};

/* A 64-bit ELF with these PROGBITS, allocated sections, a section-name table and headers last. */
static uint8_t *make_elf(const struct sec *secs, size_t n, size_t *len)
{
	char names[256] = "";
	size_t nlen = 1, off = sizeof(Elf64_Ehdr), i, name_off[8];
	Elf64_Shdr sh[8];
	Elf64_Ehdr eh;
	uint8_t *b;

	assert_true(n + 2 <= KT_ARRAY_SIZE(sh));
	memset(sh, 0, sizeof(sh));
	for (i = 0; i < n; i++) {
		name_off[i] = nlen;
		nlen += snprintf(names + nlen, sizeof(names) - nlen, "%s", secs[i].name) + 1;
	}
	name_off[n] = nlen;
	nlen += snprintf(names + nlen, sizeof(names) - nlen, ".shstrtab") + 1;
	for (i = 0; i < n; i++) {
		sh[i + 1] = (Elf64_Shdr){.sh_name = name_off[i],
					 .sh_type = SHT_PROGBITS,
					 .sh_flags = SHF_ALLOC,
					 .sh_offset = off,
					 .sh_size = secs[i].len,
					 .sh_addralign = 1};
		off += secs[i].len;
	}
	sh[n + 1] = (Elf64_Shdr){.sh_name = name_off[n],
				 .sh_type = SHT_STRTAB,
				 .sh_offset = off,
				 .sh_size = nlen,
				 .sh_addralign = 1};
	off = (off + nlen + 7) & ~(size_t)7;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shoff = off;
	eh.e_shnum = n + 2;
	eh.e_shstrndx = n + 1;
	*len = off + (n + 2) * sizeof(Elf64_Shdr);
	b = kt_calloc(1, *len);
	memcpy(b, &eh, sizeof(eh));
	for (i = 0; i < n; i++)
		memcpy(b + sh[i + 1].sh_offset, secs[i].p, secs[i].len);
	memcpy(b + sh[n + 1].sh_offset, names, nlen);
	memcpy(b + off, sh, (n + 2) * sizeof(Elf64_Shdr));
	return b;
}

/* The test kernel's vmlinux, its file handler's compatible being handler. */
static uint8_t *vmlinux_73(const char *handler, size_t *len)
{
	uint8_t data[256];
	const struct sec secs[] = {
	    {".rodata", rodata_73, sizeof(rodata_73)},
	    {".data", data, data_73(data, handler)},
	};

	return make_elf(secs, KT_ARRAY_SIZE(secs), len);
}

/* Replace every old (same length) in b: an ABI bump of one compatible string. */
static void bump(uint8_t *b, size_t len, const char *old, const char *new)
{
	size_t n = strlen(old), hits = 0;
	uint8_t *p = b;

	assert_int_equal(strlen(new), n);
	while ((p = memmem(p, b + len - p, old, n))) {
		memcpy(p, new, n);
		hits++;
	}
	assert_true(hits > 0);
}

struct filter {
	const char *name; /* as libarchive names it, and kimage reports it */
	int (*add)(struct archive *);
};

static const struct filter filters[] = {
    {"gzip", archive_write_add_filter_gzip}, {"bzip2", archive_write_add_filter_bzip2},
    {"lzma", archive_write_add_filter_lzma}, {"xz", archive_write_add_filter_xz},
    {"lz4", archive_write_add_filter_lz4},   {"zstd", archive_write_add_filter_zstd},
};

/* in[0..len) as one stream of filter f (libarchive's raw format writes it bare). */
static uint8_t *compress_with(const struct filter *f, const void *in, size_t len, size_t *outlen)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = len * 2 + 65536, used = 0;
	uint8_t *out = kt_malloc(cap);

	assert_int_equal(f->add(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, in, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	*outlen = used;
	return out;
}

/* Offsets of the x86 boot header (Documentation/arch/x86/boot.rst). */
#define SETUP_SECTS 0x1f1
#define HDRS	    0x202
#define VERSION	    0x206
#define PAYLOAD_OFF 0x248
#define PAYLOAD_LEN 0x24c
#define PM_START    1024 /* one setup sector after the boot sector */
#define PAYLOAD_AT  64	 /* the payload's offset in the protected-mode code */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * A bzImage around a payload: as arch/x86/boot/compressed/Makefile builds it, the
 * uncompressed size follows every stream but gzip's, and decompressor code follows it.
 */
static uint8_t *make_bzimage(const struct filter *f, const uint8_t *elf, size_t elflen, size_t *len)
{
	size_t n, plen;
	uint8_t *z = compress_with(f, elf, elflen, &n), *b;
	bool gzip = !strcmp(f->name, "gzip");

	plen = n + (gzip ? 0 : 4);
	*len = PM_START + PAYLOAD_AT + plen + 256;
	b = kt_calloc(1, *len);
	b[SETUP_SECTS] = 1;
	memcpy(b + HDRS, "HdrS", 4);
	b[VERSION] = 0x0f;
	b[VERSION + 1] = 0x02;
	put32(b + PAYLOAD_OFF, PAYLOAD_AT);
	put32(b + PAYLOAD_LEN, plen);
	memcpy(b + PM_START + PAYLOAD_AT, z, n);
	if (!gzip)
		put32(b + PM_START + PAYLOAD_AT + n, elflen);
	memset(b + PM_START + PAYLOAD_AT + plen, 0xcc, 256);
	free(z);
	return b;
}

static int parse(uint8_t *buf, size_t len, struct kt_vmlinux *v, char *err)
{
	err[0] = '\0';
	return kt_vmlinux_parse("img", buf, len, v, err, ERRLEN);
}

/* ---- reading images -------------------------------------------------------------- */

static void test_elf_strings(void **state)
{
	struct kt_vmlinux v;
	char err[ERRLEN], other[64];
	size_t len;
	uint8_t *b = vmlinux_73("memfd-v2", &len);

	(void)state;
	assert_int_equal(parse(b, len, &v, err), 0);
	assert_int_equal(v.img.kind, KT_KIMAGE_ELF);
	assert_string_equal(v.img.compression, "");
	assert_string_equal(v.release, "7.3.4-test");
	assert_int_equal(v.nr_data, 2);
	assert_true(kt_vmlinux_knows(&v, "kho-v4"));
	assert_true(kt_vmlinux_knows(&v, "luo-v5"));
	assert_true(kt_vmlinux_knows(&v, "memfd-v2"));		     /* .data, after a pointer */
	assert_true(kt_vmlinux_knows(&v, "memblock-v1"));	     /* the tail of a longer literal */
	assert_true(kt_vmlinux_knows(&v, "liveupdate-test-flb-v0")); /* at the very end */
	assert_false(kt_vmlinux_knows(&v, "kho-v"));		     /* a prefix is not the string */
	assert_false(kt_vmlinux_knows(&v, "memfd-v3"));
	assert_false(kt_vmlinux_knows(&v, ""));
	assert_true(kt_vmlinux_other_version(&v, "memfd-v3", other, sizeof(other)));
	assert_string_equal(other, "memfd-v2");
	assert_true(kt_vmlinux_other_version(&v, "kho-v1", other, sizeof(other)));
	assert_string_equal(other, "kho-v4");
	assert_false(kt_vmlinux_other_version(&v, "kho-v4", other, sizeof(other))); /* only itself */
	assert_false(kt_vmlinux_other_version(&v, "memblock", other, sizeof(other)));
	kt_vmlinux_free(&v);
}

static void test_bzimage_each_compression(void **state)
{
	size_t elflen, len, i;
	uint8_t *elf = vmlinux_73("memfd-v2", &elflen);

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(filters); i++) {
		struct kt_vmlinux v;
		char err[ERRLEN];
		uint8_t *b = make_bzimage(&filters[i], elf, elflen, &len);
		int ret = parse(b, len, &v, err);

		if (ret)
			fail_msg("%s: %s", filters[i].name, err);
		assert_int_equal(v.img.kind, KT_KIMAGE_BZIMAGE);
		assert_string_equal(v.img.compression, filters[i].name);
		assert_int_equal(v.img.len, elflen);
		assert_memory_equal(v.img.elf, elf, elflen);
		assert_true(kt_vmlinux_knows(&v, "memfd-v2"));
		assert_string_equal(v.release, "7.3.4-test");
		kt_vmlinux_free(&v);
	}
	free(elf);
}

static void test_compressed_vmlinux(void **state)
{
	struct kt_vmlinux v;
	char err[ERRLEN];
	size_t elflen, len;
	uint8_t *elf = vmlinux_73("memfd-v2", &elflen), *b = compress_with(&filters[3], elf, elflen, &len);

	(void)state;
	assert_int_equal(parse(b, len, &v, err), 0);
	assert_int_equal(v.img.kind, KT_KIMAGE_ELF);
	assert_string_equal(v.img.compression, "xz");
	assert_true(kt_vmlinux_knows(&v, "luo-v5"));
	kt_vmlinux_free(&v);
	free(elf);
}

/* One bad image: the error, and a message naming the image. */
static void expect_bad(uint8_t *b, size_t len, int want, const char *says, const char *what)
{
	struct kt_vmlinux v;
	char err[ERRLEN];
	int ret = parse(b, len, &v, err);

	if (ret != want)
		fail_msg("%s: %d (%s), expected %d", what, ret, err, want);
	if (!strstr(err, "img: ") || !strstr(err, says))
		fail_msg("%s: '%s' does not say '%s'", what, err, says);
	assert_null(v.img.elf);
	assert_null(v.data);
}

static void test_bad_images(void **state)
{
	static const char text[] = "#!/bin/sh\necho not a kernel\n";
	static const struct sec no_banner[] = {{".rodata", "\0kho-v4\0", 8}};
	static const struct sec no_data[] = {{".text", "\x90\x90", 2}};
	size_t elflen, len;
	uint8_t *elf = vmlinux_73("memfd-v2", &elflen), *b;

	(void)state;
	expect_bad(kt_memdup(text, sizeof(text)), sizeof(text), -EINVAL, "not a kernel image", "text");
	expect_bad(kt_malloc(1), 0, -EINVAL, "not a kernel image", "empty");
	expect_bad(kt_memdup(elf, elflen / 2), elflen / 2, -EBADMSG, "truncated", "ELF cut in half");
	b = make_elf(no_banner, 1, &len);
	expect_bad(b, len, -EINVAL, "not a Linux kernel", "ELF without a banner");
	b = make_elf(no_data, 1, &len);
	expect_bad(b, len, -EINVAL, "not a vmlinux", "ELF without data");
	b = compress_with(&filters[3], text, sizeof(text), &len);
	expect_bad(b, len, -EINVAL, "not of an ELF vmlinux", "xz'd text");

	b = make_bzimage(&filters[3], elf, elflen, &len);
	expect_bad(kt_memdup(b, len / 2), len / 2, -EBADMSG, "truncated", "bzImage cut in the payload");
	expect_bad(kt_memdup(b, 0x240), 0x240, -EBADMSG, "truncated", "bzImage cut in its header");
	b[VERSION] = 0x06;
	expect_bad(kt_memdup(b, len), len, -ENOTSUP, "boot protocol 2.06", "boot protocol 2.06");
	b[VERSION] = 0x0f;
	b[PM_START + PAYLOAD_AT + 100] ^= 0x55;
	expect_bad(kt_memdup(b, len), len, -EBADMSG, "payload: corrupt", "damaged xz stream");
	b[PM_START + PAYLOAD_AT + 100] ^= 0x55;
	memcpy(b + PM_START + PAYLOAD_AT, "\x11\x22\x33\x44\x55\x66", 6);
	expect_bad(b, len, -ENOTSUP, "unsupported payload compression (starts 11 22 33 44)",
		   "unknown compression");

	b = make_bzimage(&filters[5], elf, elflen, &len);
	put32(b + PM_START + PAYLOAD_AT + kt_le32(b + PAYLOAD_LEN) - 4, elflen + 1);
	expect_bad(b, len, -EBADMSG, "the image says", "size trailer off by one");
	free(elf);
}

/* ---- compat ------------------------------------------------------------------------ */

struct snap {
	char *dir;
	struct kt_snapshot s;
	struct kt_state c;
};

/* A 7.3 machine before the reboot: session vm-0 with memfd token 7, one FLB preserved. */
static void snap_load(struct snap *x, bool luo_known)
{
	static const struct fb_sub subs[] = {{"memblock", 0x34ac000ULL, 0xd2},
					     {"LUO", 0x34a7000ULL, 0x20},
					     {"kexec-metadata", 0x34a5000ULL, 0x49}};
	const struct fb_region r = {"kt_mem", 0x7ca00000ULL, 2 << 20};
	struct fb_blob fdt = fb_kho_v4(0x188d000ULL, subs, KT_ARRAY_SIZE(subs)),
		       luo = fb_luo("luo-v5", 1, 0, 0), mb = fb_memblock(&r, 1),
		       meta = fb_kexec_meta(1, "7.3.4", 0);
	struct kt_luo_session *s;
	struct kt_luo_file *f;
	struct kt_luo_flb *flb;
	char err[ERRLEN];

	x->dir = td_make();
	td_write_blob(x->dir, "out/fdt", &fdt);
	td_write_str(x->dir, "out/scratch_phys", "0x73000000\n");
	td_write_str(x->dir, "out/scratch_len", "0x9c00000\n");
	td_write_blob(x->dir, "out/sub_fdts/LUO", &luo);
	td_write_blob(x->dir, "out/sub_fdts/memblock", &mb);
	td_write_blob(x->dir, "out/sub_fdts/kexec-metadata", &meta);
	fb_free(&fdt);
	fb_free(&luo);
	fb_free(&mb);
	fb_free(&meta);
	if (kt_snapshot_load(x->dir, &x->s, err, sizeof(err)))
		fail_msg("load: %s", err);
	kt_state_init(&x->c, &x->s);
	/* The LUO state as the kernel's lists give it (the sources are tested elsewhere). */
	x->c.luo_loaded = true;
	x->c.luo.kernel_ok = x->c.luo.flbs_ok = luo_known;
	if (!luo_known) {
		x->c.luo.kernel_note = kt_strdup("no physical memory access");
		return;
	}
	s = kt_luo_add_session(&x->c.luo, "vm-0", KT_SESS_OUTGOING);
	s->files_known = true;
	f = kt_luo_add_file(s);
	f->handler = "memfd-v2";
	f->token = 7;
	flb = kt_luo_add_flb(&x->c.luo, "liveupdate-test-flb-v0", false);
	flb->state = KT_FLB_PRESERVED;
	flb->count = 1;
	/* An incoming session is not handed over again. */
	kt_luo_add_session(&x->c.luo, "old", KT_SESS_RETRIEVED)->files_known = true;
}

static void snap_free(struct snap *x)
{
	kt_state_free(&x->c);
	kt_snapshot_free(&x->s);
	td_remove(x->dir);
}

static struct kt_vmlinux target_73(const char *old, const char *new)
{
	struct kt_vmlinux v;
	char err[ERRLEN];
	size_t len;
	uint8_t *b = vmlinux_73("memfd-v2", &len);

	if (old)
		bump(b, len, old, new);
	if (parse(b, len, &v, err))
		fail_msg("%s", err);
	return v;
}

static const struct kt_compat_item *item(const struct kt_compat *c, enum kt_ho_holder h, const char *compat)
{
	size_t i;

	for (i = 0; i < c->ho.n; i++)
		if (c->items[i].obj->holder == h && c->items[i].obj->compat &&
		    !strcmp(c->items[i].obj->compat, compat))
			return &c->items[i];
	fail_msg("no %s %s", kt_ho_holder_name[h], compat);
	return NULL;
}

static void test_compat_same_kernel(void **state)
{
	struct kt_vmlinux t = target_73(NULL, NULL);
	struct kt_compat c;
	struct snap x;
	size_t i;

	(void)state;
	snap_load(&x, true);
	kt_compat_run(&x.c, &t, &c);
	for (i = 0; i < c.ho.n; i++)
		if (c.items[i].status != KT_CHECK_OK)
			fail_msg("%s", c.items[i].msg);
	/* root, 3 sub-blobs, LUO's format, memblock-v1 and reserve-mem-v1, one file, one FLB; no config */
	assert_int_equal(t.config.state, KT_IKCONFIG_ABSENT);
	assert_int_equal(c.ho.n, 9);
	assert_int_equal(kt_check_verdict(c.count), 0);
	assert_true(item(&c, KT_HO_ROOT, "kho-v4")->known);
	assert_true(item(&c, KT_HO_SUBFDT, "reserve-mem-v1")->known);
	assert_string_equal(item(&c, KT_HO_SUBFDT, "reserve-mem-v1")->obj->object,
			    "out/sub_fdts/memblock/kt_mem");
	assert_int_equal(item(&c, KT_HO_FILE, "memfd-v2")->obj->token, 7);
	kt_compat_free(&c);
	snap_free(&x);
	kt_vmlinux_free(&t);
}

static void test_compat_abi_bump(void **state)
{
	struct {
		const char *old, *new;
		enum kt_ho_holder holder;
		enum kt_check_status status;
		int verdict;
		const char *says;
	} cases[] = {
	    {"memfd-v2", "memfd-v3", KT_HO_FILE, KT_CHECK_FAIL, 1,
	     "file handler memfd-v2 (session vm-0 token 7): unknown to the target (it knows memfd-v3): its "
	     "state is "
	     "lost"},
	    {"kho-v4", "kho-v5", KT_HO_ROOT, KT_CHECK_FAIL, 1,
	     "root kho-v4 (out/fdt): unknown to the target"},
	    {"luo-v5", "luo-v6", KT_HO_LUO, KT_CHECK_FAIL, 1, "(it knows luo-v6)"},
	    {"liveupdate-test-flb-v0", "liveupdate-test-flb-v9", KT_HO_FLB, KT_CHECK_FAIL, 1,
	     "its state is lost"},
	    {"memblock-v1", "memblock-v2", KT_HO_SUBFDT, KT_CHECK_WARN, 0, "it will be ignored"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		struct kt_vmlinux t = target_73(cases[i].old, cases[i].new);
		const struct kt_compat_item *it;
		struct kt_compat c;
		struct snap x;

		snap_load(&x, true);
		kt_compat_run(&x.c, &t, &c);
		it = item(&c, cases[i].holder, cases[i].old);
		assert_false(it->known);
		assert_int_equal(it->status, cases[i].status);
		assert_string_equal(it->other, cases[i].new);
		if (!strstr(it->msg, cases[i].says))
			fail_msg("'%s' does not say '%s'", it->msg, cases[i].says);
		assert_int_equal(kt_check_verdict(c.count), cases[i].verdict);
		assert_int_equal(c.count[KT_CHECK_OK], c.ho.n - 1);
		kt_compat_free(&c);
		snap_free(&x);
		kt_vmlinux_free(&t);
	}
}

static void test_compat_cannot_tell(void **state)
{
	struct kt_vmlinux t = target_73(NULL, NULL);
	struct kt_compat c;
	struct snap x;

	(void)state;
	snap_load(&x, false);
	kt_compat_run(&x.c, &t, &c);
	assert_int_equal(c.count[KT_CHECK_UNKNOWN], 1);
	assert_int_equal(kt_check_verdict(c.count), 2);
	assert_string_equal(
	    c.items[c.ho.n - 1].msg,
	    "file handler (outgoing sessions and FLBs): cannot tell: no physical memory access");
	kt_compat_free(&c);
	snap_free(&x);
	kt_vmlinux_free(&t);
}

/* ---- the embedded config ------------------------------------------------------------ */

/* text gzip'd by zlib (windowBits 16 + 15: a gzip header), as the kernel's build gzips it. */
static uint8_t *gzip_text(const char *text, size_t *n)
{
	z_stream z = {0};
	size_t cap = compressBound(strlen(text)) + 64;
	uint8_t *out = kt_malloc(cap);

	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)text;
	z.avail_in = strlen(text);
	z.next_out = out;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*n = z.total_out;
	deflateEnd(&z);
	return out;
}

/* How the embedded config is damaged. */
enum damage { WHOLE, CORRUPT, NO_END };

/*
 * The test kernel's vmlinux with config embedded at the end of its .rodata, as
 * kernel/configs.c lays it out: "IKCFG_ST", the gzip'd file, "IKCFG_ED".
 */
static uint8_t *vmlinux_cfg(const char *config, enum damage d, size_t *len)
{
	size_t n, at = sizeof(rodata_73);
	uint8_t data[256], *gz = gzip_text(config, &n), *ro = kt_malloc(at + n + 16), *elf;
	const struct sec secs[] = {
	    {".rodata", ro, at + 8 + n + (d == NO_END ? 7 : 8)},
	    {".data", data, data_73(data, "memfd-v2")},
	};

	memcpy(ro, rodata_73, at);
	memcpy(ro + at, "IKCFG_ST", 8);
	memcpy(ro + at + 8, gz, n);
	/* The first deflate block after zlib's 10-byte gzip header: final, of the reserved type 3. */
	if (d == CORRUPT)
		ro[at + 8 + 10] = 0x07;
	/* NO_END: the section ends inside the end marker. */
	memcpy(ro + at + 8 + n, "IKCFG_ED", 8);
	elf = make_elf(secs, KT_ARRAY_SIZE(secs), len);
	free(gz);
	free(ro);
	return elf;
}

static void test_ikconfig_parse(void **state)
{
	static const char text[] = "#\n# Automatically generated file; DO NOT EDIT.\n#\n"
				   "CONFIG_KEXEC_HANDOVER=y\n# CONFIG_LIVEUPDATE is not set\n\n"
				   "CONFIG_NR_CPUS=64\nCONFIG_CMDLINE=\"a b=c\"\n#CONFIG_X is not set\n"
				   "CONFIG_NR_CPUS=8";
	static const struct {
		const char *text, *says;
	} bad[] = {
	    {"CONFIG_A=y\nCONFIG_B y\n", "line 2 is no option"},
	    {"CONFIG_=y\n", "line 1 is no option"},
	    {"# comment only\n", "holds no option"},
	    {"", "holds no option"},
	    {"CONFIG_A=y\n\0CONFIG_B=y\n", "not text"},
	};
	struct kt_ikconfig c;
	size_t i;

	(void)state;
	assert_int_equal(kt_ikconfig_parse(&c, kt_memdup(text, sizeof(text) - 1), sizeof(text) - 1), 0);
	assert_int_equal(c.state, KT_IKCONFIG_READ);
	assert_int_equal(c.n, 5);
	assert_string_equal(kt_ikconfig_get(&c, "CONFIG_KEXEC_HANDOVER"), "y");
	assert_null(kt_ikconfig_get(&c, "CONFIG_LIVEUPDATE"));
	assert_null(kt_ikconfig_get(&c, "CONFIG_X")); /* "#CONFIG_X": a comment, not an option */
	assert_null(kt_ikconfig_get(&c, "CONFIG_KEXEC"));
	assert_string_equal(kt_ikconfig_get(&c, "CONFIG_CMDLINE"), "\"a b=c\"");
	assert_string_equal(kt_ikconfig_get(&c, "CONFIG_NR_CPUS"), "8"); /* the last line, unterminated */
	kt_ikconfig_free(&c);
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		size_t n = strlen(bad[i].text) + (strstr(bad[i].says, "text") ? 12 : 0);

		assert_int_equal(kt_ikconfig_parse(&c, kt_memdup(bad[i].text, n + 1), n), -EBADMSG);
		assert_int_equal(c.state, KT_IKCONFIG_BROKEN);
		if (!strstr(c.why, bad[i].says))
			fail_msg("'%s' does not say '%s'", c.why, bad[i].says);
		kt_ikconfig_free(&c);
	}
}

static void test_ikconfig_bounded(void **state)
{
	static const char line[] = "CONFIG_X=y\n";
	size_t n = KT_IKCONFIG_MAX / (sizeof(line) - 1) + 1, i, len;
	char *big = kt_malloc(n * (sizeof(line) - 1) + 1);
	struct kt_vmlinux v;
	char err[ERRLEN];
	uint8_t *b;

	(void)state;
	for (i = 0; i < n; i++)
		memcpy(big + i * (sizeof(line) - 1), line, sizeof(line));
	b = vmlinux_cfg(big, WHOLE, &len);
	assert_int_equal(parse(b, len, &v, err), 0);
	assert_int_equal(v.config.state, KT_IKCONFIG_BROKEN);
	if (!strstr(v.config.why, "more than 1048576 bytes"))
		fail_msg("%s", v.config.why);
	kt_vmlinux_free(&v);
	free(big);
}

#define ALL_Y "CONFIG_KEXEC_HANDOVER=y\nCONFIG_LIVEUPDATE=y\nCONFIG_LIVEUPDATE_MEMFD=y\n"

static void test_compat_config(void **state)
{
	static const char *const options[] = {"CONFIG_KEXEC_HANDOVER", "CONFIG_LIVEUPDATE",
					      "CONFIG_LIVEUPDATE_MEMFD"};
	/* What each config gives the three options, told by the text itself. */
	static const struct {
		const char *name, *config;
		enum damage d;
		const char *value[3];
		enum kt_check_status status[3];
		int verdict;
		const char *says; /* of CONFIG_LIVEUPDATE_MEMFD */
	} cases[] = {
	    {"all y",
	     "# CONFIG_IKCONFIG_PROC is not set\n" ALL_Y,
	     WHOLE,
	     {"y", "y", "y"},
	     {KT_CHECK_OK, KT_CHECK_OK, KT_CHECK_OK},
	     0,
	     "config CONFIG_LIVEUPDATE_MEMFD (needed by session vm-0 token 7): =y in the target"},
	    {"memfd not set",
	     "CONFIG_KEXEC_HANDOVER=y\nCONFIG_LIVEUPDATE=y\n# CONFIG_LIVEUPDATE_MEMFD is not set\n",
	     WHOLE,
	     {"y", "y", "not set"},
	     {KT_CHECK_OK, KT_CHECK_OK, KT_CHECK_FAIL},
	     1,
	     "config CONFIG_LIVEUPDATE_MEMFD (needed by session vm-0 token 7): not set in the target: its "
	     "state is lost"},
	    {"memfd missing",
	     "CONFIG_KEXEC_HANDOVER=y\nCONFIG_LIVEUPDATE=y\n",
	     WHOLE,
	     {"y", "y", "not set"},
	     {KT_CHECK_OK, KT_CHECK_OK, KT_CHECK_FAIL},
	     1,
	     "its state is lost"},
	    {"memfd m",
	     "CONFIG_KEXEC_HANDOVER=y\nCONFIG_LIVEUPDATE=y\nCONFIG_LIVEUPDATE_MEMFD=m\n",
	     WHOLE,
	     {"y", "y", "m"},
	     {KT_CHECK_OK, KT_CHECK_OK, KT_CHECK_WARN},
	     0,
	     "=m in the target: its module must be loaded before the handover is retrieved"},
	    {"corrupt gzip",
	     ALL_Y,
	     CORRUPT,
	     {NULL, NULL, NULL},
	     {KT_CHECK_UNKNOWN, KT_CHECK_UNKNOWN, KT_CHECK_UNKNOWN},
	     2,
	     "config CONFIG_LIVEUPDATE_MEMFD (needed by session vm-0 token 7): cannot tell: the embedded "
	     "config: corrupt"},
	    {"no end marker",
	     ALL_Y,
	     NO_END,
	     {NULL, NULL, NULL},
	     {KT_CHECK_UNKNOWN, KT_CHECK_UNKNOWN, KT_CHECK_UNKNOWN},
	     2,
	     "cannot tell: the embedded config is cut short: no IKCFG_ED after IKCFG_ST"},
	};
	size_t i, k, len;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		uint8_t *b = vmlinux_cfg(cases[i].config, cases[i].d, &len);
		const struct kt_compat_item *it;
		struct kt_vmlinux t;
		struct kt_compat c;
		char err[ERRLEN];
		struct snap x;

		if (parse(b, len, &t, err))
			fail_msg("%s: %s", cases[i].name, err);
		snap_load(&x, true);
		kt_compat_run(&x.c, &t, &c);
		/* The 9 objects of the same kernel, all known, then one per option. */
		assert_int_equal(c.ho.n, 9 + KT_ARRAY_SIZE(options));
		for (k = 0; k < KT_ARRAY_SIZE(options); k++) {
			it = item(&c, KT_HO_CONFIG, options[k]);
			if (it->status != cases[i].status[k])
				fail_msg("%s: %s", cases[i].name, it->msg);
			if (cases[i].value[k])
				assert_string_equal(it->value, cases[i].value[k]);
			else
				assert_null(it->value);
			assert_true(it->obj->required);
		}
		if (!strstr(it->msg, cases[i].says))
			fail_msg("%s: '%s' does not say '%s'", cases[i].name, it->msg, cases[i].says);
		assert_int_equal(kt_check_verdict(c.count), cases[i].verdict);
		assert_string_equal(item(&c, KT_HO_CONFIG, "CONFIG_KEXEC_HANDOVER")->obj->object,
				    "needed by out/fdt and 8 more");
		kt_compat_free(&c);
		snap_free(&x);
		kt_vmlinux_free(&t);
	}
}

/*
 * `test_kimage --seeds DIR`: the images above, for fuzz_kimage and as tests/fixtures/kimage:
 * the vmlinux, a bzImage of it in each compression, it xz'd whole, and it after the ABI bump
 * of its file handler (memfd-v3).
 */
static int write_seeds(const char *dir)
{
	size_t elflen, len, i;
	uint8_t *elf = vmlinux_73("memfd-v2", &elflen), *b;
	char name[32];

	td_write(dir, "vmlinux", elf, elflen);
	for (i = 0; i < KT_ARRAY_SIZE(filters); i++) {
		b = make_bzimage(&filters[i], elf, elflen, &len);
		snprintf(name, sizeof(name), "bzImage-%s", filters[i].name);
		td_write(dir, name, b, len);
		free(b);
	}
	b = compress_with(&filters[3], elf, elflen, &len);
	td_write(dir, "vmlinux.xz", b, len);
	free(b);
	free(elf);
	elf = vmlinux_73("memfd-v3", &elflen);
	td_write(dir, "vmlinux-memfd-v3", elf, elflen);
	free(elf);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf_strings),	       cmocka_unit_test(test_bzimage_each_compression),
	    cmocka_unit_test(test_compressed_vmlinux), cmocka_unit_test(test_bad_images),
	    cmocka_unit_test(test_compat_same_kernel), cmocka_unit_test(test_compat_abi_bump),
	    cmocka_unit_test(test_compat_cannot_tell), cmocka_unit_test(test_ikconfig_parse),
	    cmocka_unit_test(test_ikconfig_bounded),   cmocka_unit_test(test_compat_config),
	};

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
