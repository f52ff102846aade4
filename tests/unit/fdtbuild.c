// SPDX-License-Identifier: GPL-2.0-only
/* Blob builders, the recording sink and temporary directories shared by the unit tests. */
#include "fdtbuild.h"

#include <errno.h>
#include <ftw.h>
#include <libfdt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode/decoders.h"
#include "render/json_tree.h"
#include "render/text.h"

#define FB_BUF (64 << 10)

void fb_free(struct fb_blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

struct kt_blob fb_kt(const struct fb_blob *b, const char *name)
{
	return (struct kt_blob){.name = name, .path = name, .data = b->data, .len = b->len};
}

struct fb_blob fb_bytes(const void *p, size_t len)
{
	struct fb_blob b = {.data = malloc(len ? len : 1), .len = len};

	assert_non_null(b.data);
	if (len)
		memcpy(b.data, p, len);
	return b;
}

struct fb_blob fb_cut(const struct fb_blob *b, size_t len)
{
	assert_true(len <= b->len);
	return fb_bytes(b->data, len);
}

/* ---- FDTs ---------------------------------------------------------------- */

void fb_start(struct fb *f)
{
	f->buf = calloc(1, FB_BUF);
	assert_non_null(f->buf);
	assert_int_equal(fdt_create(f->buf, FB_BUF), 0);
	assert_int_equal(fdt_finish_reservemap(f->buf), 0);
	assert_int_equal(fdt_begin_node(f->buf, ""), 0);
}

void fb_begin(struct fb *f, const char *name)
{
	assert_int_equal(fdt_begin_node(f->buf, name), 0);
}

void fb_end(struct fb *f)
{
	assert_int_equal(fdt_end_node(f->buf), 0);
}

void fb_prop(struct fb *f, const char *name, const void *p, size_t len)
{
	assert_int_equal(fdt_property(f->buf, name, p, (int)len), 0);
}

void fb_str(struct fb *f, const char *name, const char *s)
{
	fb_prop(f, name, s, strlen(s) + 1);
}

void fb_u32(struct fb *f, const char *name, uint32_t v)
{
	fb_prop(f, name, &v, sizeof(v));
}

void fb_u64(struct fb *f, const char *name, uint64_t v)
{
	fb_prop(f, name, &v, sizeof(v));
}

struct fb_blob fb_finish(struct fb *f)
{
	struct fb_blob b;

	assert_int_equal(fdt_end_node(f->buf), 0);
	assert_int_equal(fdt_finish(f->buf), 0);
	assert_int_equal(fdt_check_full(f->buf, FB_BUF), 0);
	b = fb_bytes(f->buf, fdt_totalsize(f->buf));
	free(f->buf);
	f->buf = NULL;
	return b;
}

/* ---- the formats --------------------------------------------------------- */

static struct fb_blob kho_root(const char *compat, uint64_t mem_map, const struct fb_sub *subs, size_t n,
			       bool v4)
{
	struct fb f;
	size_t i;

	fb_start(&f);
	fb_str(&f, "compatible", compat);
	fb_u64(&f, KHO_PROP_MEM_MAP, mem_map);
	for (i = 0; i < n; i++) {
		fb_begin(&f, subs[i].name);
		if (v4) {
			fb_u64(&f, KHO_PROP_SUB_DATA, subs[i].phys);
			fb_u64(&f, KHO_PROP_SUB_SIZE, subs[i].size);
		} else {
			fb_u64(&f, KHO_V1_PROP_SUB_FDT, subs[i].phys);
		}
		fb_end(&f);
	}
	return fb_finish(&f);
}

struct fb_blob fb_kho_v4(uint64_t mem_map, const struct fb_sub *subs, size_t n)
{
	return kho_root(KHO_V4_COMPATIBLE, mem_map, subs, n, true);
}

struct fb_blob fb_kho_v1(uint64_t mem_map, const struct fb_sub *subs, size_t n)
{
	return kho_root(KHO_V1_COMPATIBLE, mem_map, subs, n, false);
}

struct fb_blob fb_kho_v4_kernel(uint64_t mem_map, const struct fb_sub *subs, size_t n)
{
	struct fb_blob root = kho_root(KHO_V4_COMPATIBLE, mem_map, NULL, 0, true), b;
	void *buf = calloc(1, FB_BUF);
	size_t i;

	assert_non_null(buf);
	assert_int_equal(fdt_open_into(root.data, buf, FB_BUF), 0);
	fb_free(&root);
	/* fdt_add_subnode puts a new node first among its siblings: add in reverse. */
	for (i = n; i-- > 0;) {
		int node = fdt_add_subnode(buf, 0, subs[i].name);

		assert_true(node >= 0);
		assert_int_equal(fdt_setprop(buf, node, KHO_PROP_SUB_DATA, &subs[i].phys, 8), 0);
		assert_int_equal(fdt_setprop(buf, node, KHO_PROP_SUB_SIZE, &subs[i].size, 8), 0);
	}
	assert_int_equal(fdt_pack(buf), 0);
	assert_int_equal(fdt_check_full(buf, FB_BUF), 0);
	b = fb_bytes(buf, fdt_totalsize(buf));
	free(buf);
	return b;
}

struct fb_blob fb_memblock(const struct fb_region *r, size_t n)
{
	struct fb f;
	size_t i;

	fb_start(&f);
	fb_str(&f, "compatible", MEMBLOCK_COMPATIBLE);
	for (i = 0; i < n; i++) {
		fb_begin(&f, r[i].name);
		fb_str(&f, "compatible", RESERVE_MEM_COMPATIBLE);
		fb_u64(&f, "start", r[i].start);
		fb_u64(&f, "size", r[i].size);
		fb_end(&f);
	}
	return fb_finish(&f);
}

struct fb_blob fb_kho_test(const struct fb_kho_test *t)
{
	struct fb f;

	fb_start(&f);
	fb_str(&f, "compatible", KHO_TEST_COMPATIBLE);
	fb_u32(&f, "magic", t->magic);
	fb_begin(&f, "data");
	fb_u32(&f, "nr_folios", t->nr_folios);
	fb_prop(&f, "folios_info", &t->folios, sizeof(t->folios));
	fb_u32(&f, "csum", t->csum);
	fb_end(&f);
	return fb_finish(&f);
}

struct fb_blob fb_luo(const char *compat, uint64_t num, uint64_t sessions_pa, uint64_t flbs_pa)
{
	struct luo_ser l;

	memset(&l, 0, sizeof(l));
	memcpy(l.compatible, compat, strnlen(compat, sizeof(l.compatible)));
	l.liveupdate_num = num;
	l.sessions_pa = sessions_pa;
	l.flbs_pa = flbs_pa;
	return fb_bytes(&l, sizeof(l));
}

struct fb_blob fb_kexec_meta(uint32_t version, const char *release, uint32_t count)
{
	struct kho_kexec_metadata m;

	memset(&m, 0, sizeof(m));
	m.version = version;
	memcpy(m.previous_release, release, strnlen(release, sizeof(m.previous_release)));
	m.kexec_count = count;
	return fb_bytes(&m, sizeof(m));
}

/* ---- the recording sink -------------------------------------------------- */

static void cap_add(struct cap *c, char *line)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->lines = realloc(c->lines, c->alloc * sizeof(*c->lines));
		c->where = realloc(c->where, c->alloc * sizeof(*c->where));
		assert_non_null(c->lines);
		assert_non_null(c->where);
	}
	c->lines[c->n] = line;
	c->where[c->n] = strdup(c->path);
	assert_non_null(c->where[c->n]);
	c->n++;
}

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *dup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(r >= 0);
	return s;
}

static void cap_node_begin(void *ctx, const char *name, const char *format, const uint64_t *size)
{
	struct cap *c = ctx;
	size_t l = strlen(c->path);

	(void)size;
	cap_add(c, format ? dup_printf("begin %s %s", name, format) : dup_printf("begin %s", name));
	snprintf(c->path + l, sizeof(c->path) - l, "%s%s", l ? "/" : "", name);
}

static void cap_field(void *ctx, const char *key, const struct kt_val *v)
{
	char buf[512];

	/* A value kt_val_text does not write shows as this, not as stack garbage. */
	memset(buf, 'X', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	kt_val_text(v, buf, sizeof(buf));
	cap_add(ctx, dup_printf("field %s=%s", key, buf));
}

static void cap_note(void *ctx, enum kt_note kind, const char *msg)
{
	static const char *const level[] = {"error", "warning", "info"};

	cap_add(ctx, dup_printf("%s %s", level[kind], msg));
}

static void cap_node_end(void *ctx)
{
	struct cap *c = ctx;
	char *slash;

	cap_add(c, dup_printf("end"));
	slash = strrchr(c->path, '/');
	if (slash)
		*slash = '\0';
	else
		c->path[0] = '\0';
}

static const struct kt_sink_ops cap_ops = {
    .node_begin = cap_node_begin,
    .field = cap_field,
    .note = cap_note,
    .node_end = cap_node_end,
};

void cap_init(struct cap *c)
{
	memset(c, 0, sizeof(*c));
	c->sink = (struct kt_sink){.ops = &cap_ops, .ctx = c};
}

void cap_free(struct cap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->lines[i]);
		free(c->where[i]);
	}
	free(c->lines);
	free(c->where);
	memset(c, 0, sizeof(*c));
}

long cap_find(const struct cap *c, const char *path, const char *line)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if ((!path || !strcmp(c->where[i], path)) && !strcmp(c->lines[i], line))
			return (long)i;
	return -1;
}

size_t cap_count(const struct cap *c, const char *path, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		if ((!path || !strcmp(c->where[i], path)) && !strncmp(c->lines[i], prefix, strlen(prefix)))
			n++;
	return n;
}

const char *cap_first(const struct cap *c, const char *path, const char *prefix)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if ((!path || !strcmp(c->where[i], path)) && !strncmp(c->lines[i], prefix, strlen(prefix)))
			return c->lines[i];
	return NULL;
}

void cap_print(const struct cap *c)
{
	size_t i;

	print_error("decoded (%zu lines):\n", c->n);
	for (i = 0; i < c->n; i++)
		print_error("  [%s] %s\n", c->where[i], c->lines[i]);
}

void cap_check(const struct cap *c, const char *path, const char *line, bool want, const char *file,
	       int lineno)
{
	if ((cap_find(c, path, line) >= 0) == want)
		return;
	cap_print(c);
	print_error("%s line '%s' in node '%s'\n", want ? "missing" : "unexpected", line, path ? path : "*");
	_fail(file, lineno);
}

void cap_check_prefix(const struct cap *c, const char *path, const char *prefix, size_t want,
		      const char *file, int lineno)
{
	size_t got = cap_count(c, path, prefix);

	if (got == want)
		return;
	cap_print(c);
	print_error("%zu lines start with '%s' in node '%s', expected %zu\n", got, prefix, path ? path : "*",
		    want);
	_fail(file, lineno);
}

void cap_decode(struct cap *c, const struct kt_blob *b, const struct kt_snapshot *snap, enum kt_dirn dirn)
{
	static const struct kt_snapshot empty;
	struct kt_dctx ctx = {.snap = snap ? snap : &empty, .dirn = dirn};

	kt_decode_blob(b, &c->sink, &ctx);
}

/* ---- crash isolation ----------------------------------------------------- */

void fb_in_child(int (*fn)(void *), void *arg, const char *why, const char *file, int lineno)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};
		size_t i;
		int r;

		/* cmocka's handlers would longjmp into its runner and go on with the next tests here. */
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		r = fn(arg);

		fflush(stdout);
		fflush(stderr);
		_exit(r ? FB_CHILD_FAILED : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	if (WIFSIGNALED(status))
		print_error("%s: crashed with signal %d\n", why, WTERMSIG(status));
	else if (WEXITSTATUS(status) == FB_CHILD_FAILED)
		print_error("%s: not as expected\n", why);
	else
		print_error("%s: died with exit status %d (a sanitizer report above?)\n", why,
			    WEXITSTATUS(status));
	_fail(file, lineno);
}

/* ---- temporary directories ----------------------------------------------- */

char *td_make(void)
{
	const char *base = getenv("TMPDIR");
	char *p = dup_printf("%s/kt-unit.XXXXXX", base && *base ? base : "/tmp");

	assert_non_null(mkdtemp(p));
	return p;
}

char *td_path(const char *root, const char *rel)
{
	return dup_printf("%s/%s", root, rel);
}

void td_write(const char *root, const char *rel, const void *data, size_t len)
{
	char *p = td_path(root, rel), *slash;
	FILE *f;

	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		*slash = '/';
	}
	f = fopen(p, "wb");
	if (!f)
		fail_msg("%s: %s", p, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(p);
}

void td_write_str(const char *root, const char *rel, const char *s)
{
	td_write(root, rel, s, strlen(s));
}

void td_write_blob(const char *root, const char *rel, const struct fb_blob *b)
{
	td_write(root, rel, b->data, b->len);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void td_remove(char *root)
{
	if (root)
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

/* ---- memory images laid out like /proc/kcore ------------------------------ */

#include <elf.h>
#include <fcntl.h>

#include "source/physmem.h"
#include "../kcore_image.h"

void fb_write_core(const char *path, const struct fb_seg *segs, size_t n, off_t cut)
{
	size_t hdr = sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr), i;
	uint64_t base = (hdr + KT_PAGE_SIZE - 1) & ~(KT_PAGE_SIZE - 1), off = 0, end = base;
	uint8_t *h = calloc(1, hdr);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)h;
	Elf64_Phdr *ph = (Elf64_Phdr *)(h + sizeof(*eh));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_non_null(h);
	assert_true(fd >= 0);
	/* e_phnum is 16 bits; PN_XNUM and beyond would need the extended count. */
	assert_true(n + 1 < PN_XNUM);
	kt_core_ehdr(eh, (Elf64_Half)(n + 1));
	ph[0].p_type = PT_NOTE;
	for (i = 0; i < n; i++) {
		if (segs[i].fixed || segs[i].off)
			off = segs[i].off;
		ph[i + 1] = (Elf64_Phdr){.p_type = PT_LOAD,
					 .p_flags = PF_R | PF_W | PF_X,
					 .p_offset = base + off,
					 .p_vaddr = segs[i].vaddr,
					 .p_paddr = segs[i].paddr,
					 .p_filesz = segs[i].size,
					 .p_memsz = segs[i].size,
					 .p_align = KT_PAGE_SIZE};
		if (segs[i].data)
			assert_int_equal(pwrite(fd, segs[i].data, segs[i].size, (off_t)(base + off)),
					 (ssize_t)segs[i].size);
		off += segs[i].size;
		if (base + off > end)
			end = base + off;
	}
	assert_int_equal(pwrite(fd, h, hdr, 0), (ssize_t)hdr);
	assert_int_equal(ftruncate(fd, cut ? cut : (off_t)end), 0);
	assert_int_equal(close(fd), 0);
	free(h);
}

struct kt_physmem *fb_open_image(const char *root, const struct fb_seg *segs, size_t n, const char *iomem,
				 off_t cut)
{
	char *core = td_path(root, "kcore"), *io = td_path(root, "iomem"), err[512] = "";
	struct kt_physmem *pm = NULL;

	fb_write_core(core, segs, n, cut);
	td_write_str(root, "iomem", iomem);
	if (kt_physmem_open_kcore(core, io, &pm, err, sizeof(err)))
		fail_msg("%s: %s", core, err);
	free(core);
	free(io);
	return pm;
}
