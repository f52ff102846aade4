// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-list readers (decode/luo_kernel.c, decode/luo_kernel_flb.c) on a kernel the
 * test fabricates (tests/fake_kernel.h): its BTF, its kallsyms and a RAM image read as
 * kcore. Each case lays the kernel's structures out the way the kernel links them and
 * compares what the readers report with what was laid out; broken lists (loops, pointers
 * out of RAM) must end in an error, never a hang or a crash. The layouts and symbols are
 * read once per process, as in the tools: the cases without them run in a child.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fdtbuild.h"
#include "../fake_kernel.h"

#include "base/util.h"
#include "decode/luo_kernel.h"
#include "decode/luo_kernel_flb.h"
#include "model/luo_state.h"
#include "snapshot/snapshot.h"
#include "source/physmem.h"

struct fix {
	char *dir;
	uint8_t *ram;
	struct kt_physmem *pm;
	char err[256];
	uint64_t next; /* the next free byte of RAM for fk_new() */
};

static int setup(void **state)
{
	struct fix *f = kt_calloc(1, sizeof(*f));

	f->dir = td_make();
	f->ram = kt_calloc(1, FK_SIZE);
	assert_int_equal(fk_write(f->dir), 0);
	{
		char *btf = td_path(f->dir, "btf"), *syms = td_path(f->dir, "kallsyms");

		setenv("KHO_TOOLS_BTF", btf, 1);
		setenv("KHO_TOOLS_KALLSYMS", syms, 1);
		free(btf);
		free(syms);
	}
	fk_empty(f->ram);
	f->next = FK_VIRT + 4096;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	kt_physmem_close(f->pm);
	td_remove(f->dir);
	free(f->ram);
	free(f);
	return 0;
}

/* size bytes of zeroed RAM, 64-byte aligned (the first page holds the globals). */
static uint64_t fk_new(struct fix *f, size_t size)
{
	uint64_t va = f->next;

	f->next += (size + 63) & ~63ULL;
	assert_true(f->next <= FK_VIRT + FK_SIZE);
	return va;
}

/* The image as kcore shows it: the RAM in the direct map. */
static void open_image(struct fix *f)
{
	struct fb_seg seg = {.paddr = FK_PHYS, .vaddr = FK_VIRT, .size = FK_SIZE, .data = f->ram};

	kt_physmem_close(f->pm);
	f->pm = fb_open_image(f->dir, &seg, 1, FK_IOMEM, 0);
}

/* ---- building the kernel's objects ------------------------------------------ */

static uint64_t add_handler(struct fix *f, const char *compat)
{
	uint64_t fh = fk_new(f, FK_FH_SIZE);

	fk_bytes(f->ram, fh + FK_FH_COMPAT, compat, strlen(compat));
	fk_list_init(f->ram, fh + FK_FH_FLBS);
	fk_list_add(f->ram, FK_HANDLER_LIST, fh + FK_FH_LIST);
	return fh;
}

static uint64_t add_flb(struct fix *f, const char *compat)
{
	uint64_t flb = fk_new(f, FK_FLB_SIZE);

	fk_bytes(f->ram, flb + FK_FLB_COMPAT, compat, strlen(compat));
	fk_list_add(f->ram, FK_FLB_GLOBAL + FK_FG_LIST, flb + FK_FLB_LIST);
	return flb;
}

/* liveupdate_register_flb(fh, flb): a link on the handler's list. */
static void link_flb(struct fix *f, uint64_t fh, uint64_t flb)
{
	uint64_t link = fk_new(f, FK_LINK_SIZE);

	fk_u64(f->ram, link + FK_LINK_FLB, flb);
	fk_list_add(f->ram, fh + FK_FH_FLBS, link + FK_LINK_LIST);
}

static void flb_state(struct fix *f, uint64_t st, uint32_t count, uint64_t data, uint64_t obj)
{
	fk_u32(f->ram, st + FK_ST_COUNT, count);
	fk_u64(f->ram, st + FK_ST_DATA, data);
	fk_u64(f->ram, st + FK_ST_OBJ, obj);
}

static uint64_t add_session(struct fix *f, uint64_t hdr, const char *name, uint8_t retrieved)
{
	uint64_t s = fk_new(f, FK_S_SIZE), count;

	fk_bytes(f->ram, s + FK_S_NAME, name, strlen(name));
	f->ram[s + FK_S_RETRIEVED - FK_VIRT] = retrieved;
	fk_list_init(f->ram, s + FK_S_FILES);
	fk_list_add(f->ram, hdr + FK_HDR_LIST, s + FK_S_LIST);
	memcpy(&count, f->ram + (hdr + FK_HDR_COUNT - FK_VIRT), 8);
	fk_u64(f->ram, hdr + FK_HDR_COUNT, count + 1);
	return s;
}

/* A preserved file of handler fh whose inode says size bytes. */
static uint64_t add_file(struct fix *f, uint64_t s, uint64_t fh, uint64_t token, uint64_t size)
{
	uint64_t lf = fk_new(f, FK_F_SIZE), file = fk_new(f, 8), inode = fk_new(f, 8), count;

	fk_u64(f->ram, lf + FK_F_FH, fh);
	fk_u64(f->ram, lf + FK_F_FILE, file);
	fk_u64(f->ram, lf + FK_F_DATA, 0x5000 + token);
	fk_u64(f->ram, lf + FK_F_TOKEN, token);
	fk_u64(f->ram, file + FK_FILE_INODE, inode);
	fk_u64(f->ram, inode + FK_INODE_SIZE, size);
	fk_list_add(f->ram, s + FK_S_FILES, lf + FK_F_LIST);
	memcpy(&count, f->ram + (s + FK_S_COUNT - FK_VIRT), 8);
	fk_u64(f->ram, s + FK_S_COUNT, count + 1);
	return lf;
}

/* ---- what the readers report -------------------------------------------------- */

struct seen {
	char text[8192]; /* one line per record */
	size_t len;
	int flbs, sessions, files, errors;
	struct kt_luo_flb_rec flb[4]; /* the first ones, names and handlers dropped */
};

static void say(struct seen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct seen *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s->len += vsnprintf(s->text + s->len, sizeof(s->text) - s->len, fmt, ap);
	va_end(ap);
	assert_true(s->len < sizeof(s->text));
}

static void on_flb(void *ctx, const struct kt_luo_flb_rec *r)
{
	struct seen *s = ctx;
	size_t i;

	say(s, "flb %s handlers=", r->name);
	for (i = 0; i < r->handlers_len; i++)
		say(s, "%c", r->handlers[i] ? r->handlers[i] : ',');
	say(s, "\n");
	if (s->flbs < 4) {
		s->flb[s->flbs] = *r;
		s->flb[s->flbs].name = s->flb[s->flbs].handlers = NULL;
	}
	s->flbs++;
}

static void *on_session(void *ctx, const char *name, enum kt_sess_state state, uint64_t claimed)
{
	struct seen *s = ctx;

	say(s, "session %s %s files=%llu\n", name, kt_sess_state_name[state], (unsigned long long)claimed);
	s->sessions++;
	return (void *)(uintptr_t)s->sessions;
}

static void on_file(void *ctx, void *session, const struct kt_luo_file_rec *r)
{
	struct seen *s = ctx;

	say(s, "file %d %s token=%llu data=0x%llx size=%s%llu%s\n", (int)(uintptr_t)session, r->handler,
	    (unsigned long long)r->token, (unsigned long long)r->data, r->has_size ? "" : "?",
	    (unsigned long long)r->size, r->error ? " error" : "");
	s->files++;
}

static void on_session_error(void *ctx, void *session, const char *msg)
{
	struct seen *s = ctx;

	say(s, "error %d %s\n", (int)(uintptr_t)session, msg);
	s->errors++;
}

static const struct kt_luo_rec_ops ops = {on_session, on_file, on_session_error};

static int walk(struct fix *f, struct seen *s, struct kt_luo_kernel_incoming *in)
{
	memset(s, 0, sizeof(*s));
	open_image(f);
	return kt_luo_kernel_walk(f->pm, &ops, s, in, f->err, sizeof(f->err));
}

static int flbs(struct fix *f, struct seen *s, struct kt_luo_flb_pages *pages)
{
	memset(s, 0, sizeof(*s));
	open_image(f);
	return kt_luo_kernel_flbs(f->pm, on_flb, s, pages, f->err, sizeof(f->err));
}

/* The LUO state of the live kernel the test laid out (no process holds a session). */
static void gather(struct fix *f, struct kt_luo_state *st)
{
	struct kt_snapshot live = {.kind = KT_SRC_LIVE, .origin = (char *)"live"};

	open_image(f);
	setenv("KHO_TOOLS_PROC", f->dir, 1); /* no processes */
	assert_int_equal(kt_luo_gather(&live, f->pm, st), 0);
	unsetenv("KHO_TOOLS_PROC");
}

/* ---- sessions ----------------------------------------------------------------- */

static void test_empty_kernel(void **state)
{
	struct fix *f = *state;
	struct kt_luo_kernel_incoming in;
	struct kt_luo_flb_pages pages;
	struct seen s;

	assert_int_equal(walk(f, &s, &in), 0);
	assert_int_equal(s.sessions, 0);
	assert_true(in.known);
	assert_false(in.active);
	assert_int_equal(flbs(f, &s, &pages), 0);
	assert_int_equal(s.flbs, 0);
	assert_int_equal(pages.out_pa, 0);
	assert_int_equal(pages.in_pa, 0);
}

/* Scenes: kernels laid out for a test and, with --seeds, for the fuzz_luo_kernel corpus. */

/* One outgoing session with two files, a retrieved one with one, one not retrieved yet. */
static void scene_sessions(struct fix *f)
{
	uint64_t fh = add_handler(f, "memfd-v2");
	uint64_t out = FK_SESSION_GLOBAL + FK_G_OUT, inc = FK_SESSION_GLOBAL + FK_G_IN;
	uint64_t a = add_session(f, out, "vm-0", 0), b;

	add_file(f, a, fh, 1, 4096);
	add_file(f, a, fh, 2, 1 << 20);
	b = add_session(f, inc, "vm-1", 1);
	add_file(f, b, fh, 7, 0);
	add_session(f, inc, "vm-2", 0);
}

static void test_sessions_and_files(void **state)
{
	struct fix *f = *state;
	struct kt_luo_kernel_incoming in;
	struct seen s;

	scene_sessions(f);
	assert_int_equal(walk(f, &s, &in), 0);
	assert_string_equal(s.text, "session vm-0 outgoing files=2\n"
				    "file 1 memfd-v2 token=1 data=0x5001 size=4096\n"
				    "file 1 memfd-v2 token=2 data=0x5002 size=1048576\n"
				    "session vm-1 retrieved files=1\n"
				    "file 2 memfd-v2 token=7 data=0x5007 size=0\n"
				    "session vm-2 incoming files=0\n");
	assert_true(in.listed);
}

/* Sessions handed over but not deserialized yet: only the chain's head is known. */
static void test_incoming_not_listed(void **state)
{
	struct fix *f = *state;
	uint64_t hdr = FK_SESSION_GLOBAL + FK_G_IN;
	struct kt_luo_kernel_incoming in;
	struct seen s;

	f->ram[hdr + FK_HDR_ACTIVE - FK_VIRT] = 1;
	fk_u64(f->ram, hdr + FK_HDR_HEAD_PA, 0x7000);
	assert_int_equal(walk(f, &s, &in), 0);
	assert_false(in.listed);
	assert_true(in.known && in.active);
	assert_int_equal(in.head_pa, 0x7000);
}

/* A file list that loops back on itself is that session's error; the walk goes on. */
static void test_file_list_loop(void **state)
{
	struct fix *f = *state;
	uint64_t fh = add_handler(f, "memfd-v2");
	uint64_t s0 = add_session(f, FK_SESSION_GLOBAL + FK_G_OUT, "looped", 0);
	uint64_t lf = add_file(f, s0, fh, 1, 10);
	struct kt_luo_kernel_incoming in;
	struct seen s;

	fk_u64(f->ram, lf + FK_F_LIST + FK_NEXT, lf + FK_F_LIST);
	add_session(f, FK_SESSION_GLOBAL + FK_G_OUT, "after", 0);
	assert_int_equal(walk(f, &s, &in), 0);
	assert_int_equal(s.errors, 1);
	assert_non_null(strstr(s.text, "error 1 file list unreadable or looping after 1 of 1 files\n"));
	assert_non_null(strstr(s.text, "session after outgoing"));
	assert_int_equal(s.files, 1); /* each file once */
}

/*
 * A longer loop: the fourth file links on to the second. Found where it closes (the
 * second file does not link back to the fourth), in constant memory, never a hang.
 */
static void test_file_list_longer_loop(void **state)
{
	struct fix *f = *state;
	uint64_t fh = add_handler(f, "memfd-v2");
	uint64_t s0 = add_session(f, FK_SESSION_GLOBAL + FK_G_OUT, "looped", 0), lf[4];
	struct kt_luo_kernel_incoming in;
	struct seen s;
	int i;

	for (i = 0; i < 4; i++)
		lf[i] = add_file(f, s0, fh, i + 1, 10);
	fk_u64(f->ram, lf[3] + FK_F_LIST + FK_NEXT, lf[1] + FK_F_LIST);
	assert_int_equal(walk(f, &s, &in), 0);
	assert_int_equal(s.errors, 1);
	assert_non_null(strstr(s.text, "error 1 file 5 of 4 does not link back to the one before\n"));
}

/* A session list that never returns to its head fails the walk. */
static void test_session_list_loop(void **state)
{
	struct fix *f = *state;
	uint64_t s0 = add_session(f, FK_SESSION_GLOBAL + FK_G_OUT, "a", 0);
	struct kt_luo_kernel_incoming in;
	struct seen s;

	fk_u64(f->ram, s0 + FK_S_LIST + FK_NEXT, s0 + FK_S_LIST);
	assert_int_equal(walk(f, &s, &in), -ELOOP);
	assert_string_equal(f->err, "session list loops after 1 sessions (count 1)");
}

static void test_session_out_of_ram(void **state)
{
	struct fix *f = *state;
	struct kt_luo_kernel_incoming in;
	struct seen s;

	fk_u64(f->ram, FK_SESSION_GLOBAL + FK_G_OUT + FK_HDR_LIST + FK_NEXT, FK_VIRT + FK_SIZE + 0x1000);
	fk_u64(f->ram, FK_SESSION_GLOBAL + FK_G_OUT + FK_HDR_COUNT, 1);
	assert_int_equal(walk(f, &s, &in), -EFAULT);
	assert_non_null(strstr(f->err, "not readable"));
}

/* ---- a kernel that changes while it is read ----------------------------------- */

/*
 * The kernel's lists change between two kcore reads of the walk: before read number
 * `from` and every `every` reads after, change() runs (up to `max` times, 0: no bound)
 * and the image is written again under the open kcore.
 */
struct churn {
	struct fix *f;
	unsigned int reads, from, every, max, changes;
	void (*change)(struct churn *c);
	uint64_t session, fh; /* the session the changes act on, its files' handler */
};

static void before_read(void *ctx)
{
	struct churn *c = ctx;
	struct fb_seg seg = {.paddr = FK_PHYS, .vaddr = FK_VIRT, .size = FK_SIZE, .data = c->f->ram};
	char *core;

	if (++c->reads < c->from || (c->reads - c->from) % c->every || (c->max && c->changes == c->max))
		return;
	c->change(c);
	c->changes++;
	core = td_path(c->f->dir, "kcore");
	fb_write_core(core, &seg, 1, 0);
	free(core);
}

static int walk_churning(struct fix *f, struct churn *c, struct seen *s)
{
	struct kt_luo_kernel_incoming in;

	memset(s, 0, sizeof(*s));
	open_image(f);
	c->f = f;
	kt_physmem_before_read(f->pm, before_read, c);
	return kt_luo_kernel_walk(f->pm, &ops, s, &in, f->err, sizeof(f->err));
}

static void add_count(struct fix *f, uint64_t va, int64_t d)
{
	uint64_t v;

	memcpy(&v, f->ram + (va - FK_VIRT), 8);
	fk_u64(f->ram, va, v + d);
}

/* A session closed: off the outgoing list (luo_session_remove). */
static void close_session(struct fix *f, uint64_t s)
{
	fk_list_del(f->ram, s + FK_S_LIST);
	add_count(f, FK_SESSION_GLOBAL + FK_G_OUT + FK_HDR_COUNT, -1);
}

/*
 * The churner's session closed and a new one created in its freed memory (the slab
 * hands the same object out again), named after the change: churn-1, churn-2, ...
 */
static void replace_in_place(struct churn *c)
{
	uint64_t hdr = FK_SESSION_GLOBAL + FK_G_OUT;
	char name[LUO_SESSION_NAME_LEN] = "";

	close_session(c->f, c->session);
	snprintf(name, sizeof(name), "churn-%u", c->changes + 1);
	fk_bytes(c->f->ram, c->session + FK_S_NAME, name, sizeof(name));
	fk_list_add(c->f->ram, hdr + FK_HDR_LIST, c->session + FK_S_LIST);
	add_count(c->f, hdr + FK_HDR_COUNT, 1);
}

/* Held sessions a, b, c and the churner's churn-0 among them. */
static void held_and_churner(struct fix *f, struct churn *c)
{
	uint64_t out = FK_SESSION_GLOBAL + FK_G_OUT;

	add_session(f, out, "a", 0);
	c->session = add_session(f, out, "churn-0", 0);
	add_session(f, out, "b", 0);
	add_session(f, out, "c", 0);
}

/* Replaced once mid-walk: read again, the list as it is after, never both or a mix. */
static void test_churn_replaced_mid_read(void **state)
{
	struct fix *f = *state;
	struct churn c = {.from = 4, .every = 1, .max = 1, .change = replace_in_place};
	struct seen s;

	held_and_churner(f, &c);
	assert_int_equal(walk_churning(f, &c, &s), 0);
	assert_int_equal(c.changes, 1);
	assert_string_equal(s.text, "session a outgoing files=0\n"
				    "session b outgoing files=0\n"
				    "session c outgoing files=0\n"
				    "session churn-1 outgoing files=0\n");
}

/* Created and closed again while the walk was at the tail: the head is as it was, the walk not. */
static void create_then_close(struct churn *c)
{
	if (c->changes % 2 == 0)
		c->session = add_session(c->f, FK_SESSION_GLOBAL + FK_G_OUT, "brief", 0);
	else
		close_session(c->f, c->session);
}

static void test_churn_tail_came_and_went(void **state)
{
	struct fix *f = *state;
	uint64_t out = FK_SESSION_GLOBAL + FK_G_OUT;
	struct churn c = {.from = 4, .every = 4, .max = 2, .change = create_then_close};
	struct seen s;

	add_session(f, out, "a", 0);
	add_session(f, out, "b", 0);
	assert_int_equal(walk_churning(f, &c, &s), 0);
	assert_int_equal(c.changes, 2);
	assert_string_equal(s.text, "session a outgoing files=0\n"
				    "session b outgoing files=0\n");
}

/* Changing on every read: no read holds, the walk says so and hands on nothing. */
static void test_churn_never_settles(void **state)
{
	struct fix *f = *state;
	struct churn c = {.from = 1, .every = 1, .change = replace_in_place};
	struct seen s;

	held_and_churner(f, &c);
	assert_int_equal(walk_churning(f, &c, &s), -EAGAIN);
	assert_int_equal(s.sessions, 0);
	assert_non_null(strstr(f->err, "the outgoing session list was changing: 5 attempts (last: "));
}

/* A file preserved while the session's files are read: the files listed match the count. */
static void preserve_one(struct churn *c)
{
	add_file(c->f, c->session, c->fh, 100 + c->changes, 4096);
}

static void test_churn_file_preserved_mid_read(void **state)
{
	struct fix *f = *state;
	struct churn c = {.from = 5, .every = 1, .max = 1, .change = preserve_one};
	struct seen s;

	c.fh = add_handler(f, "memfd-v2");
	c.session = add_session(f, FK_SESSION_GLOBAL + FK_G_OUT, "vm", 0);
	add_file(f, c.session, c.fh, 1, 10);
	add_file(f, c.session, c.fh, 2, 20);
	assert_int_equal(walk_churning(f, &c, &s), 0);
	assert_int_equal(c.changes, 1);
	assert_string_equal(s.text, "session vm outgoing files=3\n"
				    "file 1 memfd-v2 token=1 data=0x5001 size=10\n"
				    "file 1 memfd-v2 token=2 data=0x5002 size=20\n"
				    "file 1 memfd-v2 token=100 data=0x5064 size=4096\n");
}

/* The model of a kernel that never held still: marked changing, no kernel session in it. */
static void test_churn_model(void **state)
{
	struct fix *f = *state;
	struct churn c = {.from = 1, .every = 1, .change = replace_in_place, .f = f};
	struct kt_snapshot live = {.kind = KT_SRC_LIVE, .origin = (char *)"live"};
	struct kt_luo_state st;

	held_and_churner(f, &c);
	open_image(f);
	kt_physmem_before_read(f->pm, before_read, &c);
	setenv("KHO_TOOLS_PROC", f->dir, 1); /* no processes */
	assert_int_equal(kt_luo_gather(&live, f->pm, &st), 0);
	unsetenv("KHO_TOOLS_PROC");
	assert_true(st.kernel_changing);
	assert_false(st.kernel_ok);
	assert_int_equal(st.nr_sessions, 0);
	assert_non_null(strstr(st.kernel_note, "was changing: 5 attempts"));
	kt_luo_state_free(&st);
}

/* ---- FLBs --------------------------------------------------------------------- */

/*
 * The kernel's test FLBs: three, registered with memfd-v2, one also with a second handler;
 * v0 preserved by 6 files, v1 retrieved with 2 files left, v2 finished after a failed
 * retrieve. The outgoing header page exists from boot; the incoming one is inactive.
 */
static uint64_t scene_flbs(struct fix *f)
{
	uint64_t memfd = add_handler(f, "memfd-v2"), other = add_handler(f, "iommu-v1");
	uint64_t flb[3], page = fk_new(f, 4096);
	int i;

	for (i = 0; i < 3; i++) {
		char name[48];

		snprintf(name, sizeof(name), "liveupdate-test-flb-v%d", i);
		flb[i] = add_flb(f, name);
		link_flb(f, memfd, flb[i]);
	}
	link_flb(f, other, flb[2]);
	flb_state(f, flb[0] + FK_FLB_OUT, 6, 0xFEEDF00DCAFEBEE0ULL, FK_VIRT + 0x3000);
	flb_state(f, flb[1] + FK_FLB_IN, 2, 0x1234, 0);
	fk_u32(f->ram, flb[1] + FK_FLB_IN + FK_ST_RSTATUS, 1);
	f->ram[flb[2] + FK_FLB_IN + FK_ST_FINISHED - FK_VIRT] = 1;
	fk_u32(f->ram, flb[2] + FK_FLB_IN + FK_ST_RSTATUS, (uint32_t)-ENOENT);
	fk_u64(f->ram, FK_FLB_GLOBAL + FK_FG_OUT + FK_FH_SER, page);
	f->ram[FK_FLB_GLOBAL + FK_FG_OUT + FK_FH_ACTIVE - FK_VIRT] = 1;
	fk_u64(f->ram, FK_FLB_GLOBAL + FK_FG_IN + FK_FH_SER, page);
	return page;
}

static void scene_flbs_only(struct fix *f)
{
	scene_flbs(f);
}

static void test_flbs(void **state)
{
	struct fix *f = *state;
	uint64_t page = scene_flbs(f);
	struct kt_luo_flb_pages pages;
	struct seen s;

	assert_int_equal(flbs(f, &s, &pages), 0);
	assert_string_equal(s.text, "flb liveupdate-test-flb-v0 handlers=memfd-v2\n"
				    "flb liveupdate-test-flb-v1 handlers=memfd-v2\n"
				    "flb liveupdate-test-flb-v2 handlers=memfd-v2,iommu-v1\n");
	assert_int_equal(s.flb[0].out_count, 6);
	assert_true(s.flb[0].out_data == 0xFEEDF00DCAFEBEE0ULL);
	assert_true(s.flb[0].out_object);
	assert_int_equal(s.flb[0].in_count, 0);
	assert_int_equal(s.flb[1].in_count, 2);
	assert_int_equal(s.flb[1].in_data, 0x1234);
	assert_false(s.flb[1].in_object);
	assert_int_equal(s.flb[1].retrieve_status, 1);
	assert_false(s.flb[1].finished);
	assert_true(s.flb[2].finished);
	assert_int_equal(s.flb[2].retrieve_status, -ENOENT);
	assert_int_equal(pages.out_pa, page - FK_DIRECTMAP);
	assert_int_equal(pages.in_pa, 0);
}

/*
 * After a kexec: the previous kernel's FLB page (incoming, active) names v1, which this
 * kernel registered and retrieved, and gone-v9, which nothing registered here.
 */
static void scene_handover(struct fix *f)
{
	uint64_t page = scene_flbs(f);
	struct luo_flb_header_ser h = {.pgcnt = 1, .count = 2};
	struct luo_flb_ser e[2] = {{"liveupdate-test-flb-v1", 0x1234, 3}, {"gone-v9", 0x99, 1}};

	fk_bytes(f->ram, page, &h, sizeof(h));
	fk_bytes(f->ram, page + sizeof(h), e, sizeof(e));
	fk_u64(f->ram, FK_FLB_GLOBAL + FK_FG_IN + FK_FH_SER, page);
	f->ram[FK_FLB_GLOBAL + FK_FG_IN + FK_FH_ACTIVE - FK_VIRT] = 1;
}

/* The model joins the handed-over page with what this kernel registered. */
static void test_handover_model(void **state)
{
	struct fix *f = *state;
	struct kt_luo_state st;
	const struct kt_luo_flb *v1, *gone, *v0;

	scene_handover(f);
	gather(f, &st);
	assert_true(st.kernel_ok && st.flbs_ok);
	assert_null(st.flb_note);
	v0 = kt_luo_find_flb(&st, "liveupdate-test-flb-v0", false);
	v1 = kt_luo_find_flb(&st, "liveupdate-test-flb-v1", true);
	gone = kt_luo_find_flb(&st, "gone-v9", true);
	assert_non_null(v0);
	assert_int_equal(v0->state, KT_FLB_PRESERVED);
	assert_int_equal(v0->count, 6);
	assert_non_null(v1);
	assert_int_equal(v1->state, KT_FLB_RETRIEVED);
	assert_true(v1->handed_over);
	assert_int_equal(v1->handed_over_count, 3);
	assert_int_equal(v1->count, 2); /* files still depending on it */
	assert_non_null(gone);
	assert_int_equal(gone->state, KT_FLB_UNCLAIMED);
	assert_int_equal(gone->data, 0x99);
	kt_luo_state_free(&st);
}

/* ---- systemd's session ------------------------------------------------------------ */

/* A page of RAM for the test to fill (page aligned). */
static uint64_t fk_page(struct fix *f)
{
	f->next = (f->next + 4095) & ~4095ULL;
	return fk_new(f, 4096);
}

/*
 * A memfd holding text as the kernel preserves one: its memfd_luo_ser, the folio array (a
 * kho_vmalloc of one chunk listing one page of folio entries) and a page per 4 KiB of text.
 * Returns the phys of the memfd_luo_ser (a luo_file's serialized_data).
 */
static uint64_t fk_memfd(struct fix *f, const char *text)
{
	size_t len = strlen(text), pages = (len + 4095) / 4096, i;
	uint64_t chunk = fk_page(f), array = fk_page(f), ser = fk_new(f, sizeof(struct memfd_luo_ser));
	struct memfd_luo_ser m = {.size = len, .seals = 0x1f, .nr_folios = pages};

	fk_u64(f->ram, chunk, 0);
	fk_u64(f->ram, chunk + 8, array - FK_DIRECTMAP);
	for (i = 0; i < pages; i++) {
		uint64_t page = fk_page(f);
		struct memfd_luo_folio_ser e = {(page - FK_DIRECTMAP) >> 12, i};

		fk_bytes(f->ram, page, text + i * 4096, len - i * 4096 < 4096 ? len - i * 4096 : 4096);
		fk_bytes(f->ram, array + i * sizeof(e), &e, sizeof(e));
	}
	m.folios = (struct kho_vmalloc_ser){.first = chunk - FK_DIRECTMAP, .total_pages = 1};
	fk_bytes(f->ram, ser, &m, sizeof(m));
	return ser - FK_DIRECTMAP;
}

/* What systemd-shutdown leaves after a kexec, as systemd 262 wrote it in the test VM. */
#define SD_MAPPING                                                                                           \
	"{\"version\":1,\"state\":{\"KExecCount\":4,\"ShutdownStartTimestamp\":{\"realtime\":"               \
	"1795850497907615,"                                                                                  \
	"\"monotonic\":82907616},\"ShutdownFinishTimestamp\":{\"realtime\":1795850506271026,\"monotonic\":"  \
	"91271027}},\"units\":{\"fdstore-test.service\":{\"fdstore\":[{\"type\":\"fd\",\"name\":\"mem2\","   \
	"\"token\":1},{\"type\":\"fd\",\"name\":\"mem1\",\"token\":2}]},\"luosession-test.service\":{"       \
	"\"fdstore\":"                                                                                       \
	"[{\"type\":\"luo_session\",\"name\":\"demo\",\"sessionName\":\"luosession-te-x\"}]}}}"

/*
 * The second kernel early in boot: the incoming session "systemd" (the mapping as token 0,
 * two fd-store memfds), not retrieved yet; a LUOSession= session PID 1 already retrieved for
 * its unit; the agent's outgoing vm-0.
 */
static void scene_systemd(struct fix *f, const char *mapping)
{
	uint64_t fh = add_handler(f, "memfd-v2"), inc = FK_SESSION_GLOBAL + FK_G_IN;
	uint64_t sd = add_session(f, inc, "systemd", 0), lf;

	lf = add_file(f, sd, fh, 0, strlen(mapping));
	fk_u64(f->ram, lf + FK_F_DATA, fk_memfd(f, mapping));
	add_file(f, sd, fh, 1, 1 << 20);
	add_file(f, sd, fh, 2, 1 << 16);
	add_file(f, add_session(f, inc, "luosession-te-x", 1), fh, 77, 4096);
	add_file(f, add_session(f, FK_SESSION_GLOBAL + FK_G_OUT, "vm-0", 0), fh, 1, 4096);
}

static const struct kt_luo_session *session_named(const struct kt_luo_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		if (!strcmp(st->sessions[i].name, name))
			return &st->sessions[i];
	return NULL;
}

/* The mapping in token 0 names the files of "systemd" and the LUOSession= session by unit. */
static void test_systemd_mapping(void **state)
{
	struct fix *f = *state;
	const struct kt_luo_session *sd, *demo, *vm;
	struct kt_luo_state st;

	scene_systemd(f, SD_MAPPING);
	gather(f, &st);
	assert_null(st.sd.mapping_note);
	assert_true(st.sd.mapping);
	assert_true(st.sd.has_kexec_count);
	assert_int_equal(st.sd.kexec_count, 4);
	assert_int_equal(st.sd.units, 2);
	assert_int_equal(st.sd.stamp[KT_SD_SHUTDOWN_FINISH].monotonic, 91271027);
	assert_false(st.sd.stamp[KT_SD_SHUTDOWN_LATE_START].set);
	sd = session_named(&st, "systemd");
	demo = session_named(&st, "luosession-te-x");
	vm = session_named(&st, "vm-0");
	assert_non_null(sd);
	assert_int_equal(sd->nr_files, 3);
	assert_null(sd->files[0].unit); /* the mapping itself */
	assert_true(sd->files[0].has_memfd);
	assert_string_equal(sd->files[1].unit, "fdstore-test.service");
	assert_string_equal(sd->files[1].fdname, "mem2");
	assert_string_equal(sd->files[2].fdname, "mem1");
	assert_string_equal(demo->unit, "luosession-test.service");
	assert_string_equal(demo->fdname, "demo");
	assert_null(vm->unit);
	kt_luo_state_free(&st);
}

/* A mapping systemd wrote in a version this tool does not read: said, nothing named. */
static void test_systemd_mapping_refused(void **state)
{
	struct fix *f = *state;
	struct kt_luo_state st;

	scene_systemd(f, "{\"version\":2,\"units\":{}}");
	gather(f, &st);
	assert_false(st.sd.mapping);
	assert_non_null(st.sd.mapping_note);
	assert_non_null(strstr(st.sd.mapping_note, "systemd LUO mapping version 2"));
	assert_null(session_named(&st, "luosession-te-x")->unit);
	kt_luo_state_free(&st);
}

/* Token 0 that is no memfd state (a retrieved session, or torn memory): the note says why. */
static void test_systemd_mapping_unreadable(void **state)
{
	struct fix *f = *state;
	uint64_t fh = add_handler(f, "memfd-v2");
	struct kt_luo_state st;

	add_file(f, add_session(f, FK_SESSION_GLOBAL + FK_G_IN, "systemd", 0), fh, 0, 607);
	gather(f, &st);
	assert_false(st.sd.mapping);
	assert_non_null(strstr(st.sd.mapping_note, "the mapping (token 0) is not a readable memfd"));
	kt_luo_state_free(&st);
}

/* An FLB registered with no handler (its handler unregistered) still shows. */
static void test_flb_without_handler(void **state)
{
	struct fix *f = *state;
	struct kt_luo_flb_pages pages;
	struct seen s;

	add_handler(f, "memfd-v2");
	add_flb(f, "lonely-v1");
	assert_int_equal(flbs(f, &s, &pages), 0);
	assert_string_equal(s.text, "flb lonely-v1 handlers=\n");
}

/* A compatible filling its whole array has no NUL in the kernel: cut at 48 bytes. */
static void test_flb_name_unterminated(void **state)
{
	struct fix *f = *state;
	char name[LUO_FLB_COMPAT_LEN];
	uint64_t flb;
	struct kt_luo_flb_pages pages;
	struct seen s;

	memset(name, 'x', sizeof(name));
	flb = add_flb(f, "");
	fk_bytes(f->ram, flb + FK_FLB_COMPAT, name, sizeof(name));
	fk_u64(f->ram, flb + FK_FLB_LIST + 16, 0x4141414141414141ULL); /* the bytes right after */
	assert_int_equal(flbs(f, &s, &pages), 0);
	assert_int_equal(strlen(s.text), strlen("flb  handlers=\n") + sizeof(name));
}

static void test_flb_list_loop(void **state)
{
	struct fix *f = *state;
	uint64_t flb = add_flb(f, "a-v1");
	struct kt_luo_flb_pages pages;
	struct seen s;

	fk_u64(f->ram, flb + FK_FLB_LIST + FK_NEXT, flb + FK_FLB_LIST);
	assert_int_equal(flbs(f, &s, &pages), -ELOOP);
	assert_string_equal(f->err, "FLB list loops or is longer than 1024");
	assert_int_equal(s.flbs, 1);
}

static void test_handler_flb_list_loop(void **state)
{
	struct fix *f = *state;
	uint64_t fh = add_handler(f, "memfd-v2"), flb = add_flb(f, "a-v1"), link;
	struct kt_luo_flb_pages pages;
	struct seen s;

	link_flb(f, fh, flb);
	memcpy(&link, f->ram + (fh + FK_FH_FLBS - FK_VIRT), 8);
	fk_u64(f->ram, link + FK_NEXT, link);
	assert_int_equal(flbs(f, &s, &pages), -ELOOP);
	assert_string_equal(f->err, "FLB list of handler memfd-v2 loops");
	assert_int_equal(s.flbs, 0);
}

static void test_handler_list_out_of_ram(void **state)
{
	struct fix *f = *state;
	struct kt_luo_flb_pages pages;
	struct seen s;

	fk_u64(f->ram, FK_HANDLER_LIST + FK_NEXT, 0xffffffffff000000ULL);
	assert_int_equal(flbs(f, &s, &pages), -EFAULT);
	assert_non_null(strstr(f->err, "file handler list unreadable"));
}

/* ---- kernels the readers cannot read: a fresh process each ---------------------- */

static int without_btf(void *arg)
{
	struct fix *f = arg;
	struct kt_luo_kernel_incoming in;
	struct kt_luo_flb_pages pages;
	struct seen s;

	setenv("KHO_TOOLS_BTF", "/nonexistent", 1);
	if (walk(f, &s, &in) != -ENODEV || !strstr(f->err, "live session lists unavailable"))
		return 1;
	return flbs(f, &s, &pages) == -ENODEV && strstr(f->err, "live FLB lists unavailable") ? 0 : 2;
}

static int without_symbols(void *arg)
{
	struct fix *f = arg;
	struct kt_luo_kernel_incoming in;
	struct kt_luo_flb_pages pages;
	struct seen s;
	char *syms = td_path(f->dir, "kallsyms");
	FILE *o = fopen(syms, "w");

	/* Symbols without CONFIG_KALLSYMS_ALL: text only. */
	fprintf(o, "ffffffff81000000 T _text\n");
	fclose(o);
	free(syms);
	if (walk(f, &s, &in) != -ENOENT || !strstr(f->err, "needs CONFIG_KALLSYMS_ALL"))
		return 1;
	return flbs(f, &s, &pages) == -ENOENT && strstr(f->err, "needs CONFIG_KALLSYMS_ALL") ? 0 : 2;
}

static int old_kernel(void *arg)
{
	struct fix *f = arg;
	struct kt_luo_flb_pages pages;
	struct seen s;
	char *btf = td_path(f->dir, "btf");
	struct btf *b = btf__new_empty();
	const void *raw;
	uint32_t size;
	FILE *o = fopen(btf, "wb");

	/* A kernel from before FLBs: BTF without luo_flb_global. */
	btf__add_struct(b, "luo_session", 112);
	raw = btf__raw_data(b, &size);
	fwrite(raw, 1, size, o);
	fclose(o);
	btf__free(b);
	free(btf);
	return flbs(f, &s, &pages) == -ENOENT &&
		       !strcmp(f->err, "kernel BTF lacks struct luo_flb_global.incoming "
				       "(a kernel without FLBs?)")
		   ? 0
		   : 1;
}

static void test_no_btf(void **state)
{
	assert_in_child(without_btf, *state, "readers without kernel BTF");
}

static void test_no_symbols(void **state)
{
	assert_in_child(without_symbols, *state, "readers without kallsyms of data");
}

static void test_old_kernel(void **state)
{
	assert_in_child(old_kernel, *state, "FLB reader on a kernel before FLBs");
}

/* `test_luo_kernel --seeds DIR`: each scene's RAM image, for fuzz_luo_kernel. */
static int write_seeds(const char *dir)
{
	static const struct {
		const char *name;
		void (*build)(struct fix *f);
	} scenes[] = {
	    {"empty", NULL},
	    {"sessions", scene_sessions},
	    {"flbs", scene_flbs_only},
	    {"handover", scene_handover},
	};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(scenes); i++) {
		void *state;
		struct fix *f;
		char *path;
		FILE *o;

		setup(&state);
		f = state;
		if (scenes[i].build)
			scenes[i].build(f);
		path = kt_asprintf("%s/%s", dir, scenes[i].name);
		o = fopen(path, "wb");
		if (!o || fwrite(f->ram, 1, f->next - FK_VIRT, o) != f->next - FK_VIRT || fclose(o)) {
			perror(path);
			return 1;
		}
		free(path);
		teardown(&state);
	}
	return 0;
}

/*
 * `test_luo_kernel --fixture DIR [systemd]`: a kernel for the shell tests, after a kexec:
 * DIR/btf, DIR/kallsyms, DIR/kcore and DIR/iomem (for KHO_TOOLS_BTF, _KALLSYMS, _KCORE,
 * _IOMEM) with the sessions of scene_sessions and the FLBs of scene_handover, or with
 * scene_systemd (systemd's session and its mapping, before PID 1 retrieves it).
 */
static int write_fixture(const char *dir, bool systemd)
{
	void *state;
	struct fix *f;
	char *core;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	setup(&state);
	f = state;
	if (systemd) {
		scene_systemd(f, SD_MAPPING);
	} else {
		scene_sessions(f);
		scene_handover(f);
	}
	if (fk_write(dir)) {
		fprintf(stderr, "%s: cannot write the kernel's BTF and symbols\n", dir);
		return 1;
	}
	{
		struct fb_seg seg = {.paddr = FK_PHYS, .vaddr = FK_VIRT, .size = FK_SIZE, .data = f->ram};

		core = td_path(dir, "kcore");
		fb_write_core(core, &seg, 1, 0);
		free(core);
	}
	td_write_str(dir, "iomem", FK_IOMEM);
	teardown(&state);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    /* In a child each: layouts and symbols are read once per process. */
	    cmocka_unit_test_setup_teardown(test_no_btf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_symbols, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_old_kernel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_kernel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions_and_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incoming_not_listed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_list_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_list_longer_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_list_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_out_of_ram, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_churn_replaced_mid_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_churn_tail_came_and_went, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_churn_never_settles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_churn_file_preserved_mid_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_churn_model, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flbs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handover_model, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_systemd_mapping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_systemd_mapping_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_systemd_mapping_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flb_without_handler, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flb_name_unterminated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flb_list_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_flb_list_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_list_out_of_ram, setup, teardown),
	};

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--fixture"))
		return write_fixture(argv[2], argc == 4 && !strcmp(argv[3], "systemd"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
