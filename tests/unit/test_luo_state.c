// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LUO state model away from physical memory: its saved form (export, then
 * import, must give back every field; import must refuse what it cannot read,
 * with -EBADMSG and a message) and the procfs source (session fds found under a
 * proc directory built in the test: PID/fd/N symlinks whose targets need not
 * exist, and PID/comm).
 *
 * `test_luo_state --seeds DIR` writes, instead of testing, saved forms for the
 * fuzz_luo_state corpus.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdtbuild.h"

#include "model/luo_state.h"
#include "source/physmem.h"
#include "base/util.h"

/* ---- a state with every field set, and odd bytes everywhere text goes ----------- */

static const char *const odd_names[] = {
    "plain",
    "with space and 100% \"quotes\"",
    "\xc3\xbc"
    "tf-8 \xff tab\tnl\n=&%%20",
    /* The longest the model holds. */
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
};

static void fill(struct kt_luo_state *st)
{
	struct kt_luo_session *s;
	struct kt_luo_file *f;
	struct kt_luo_flb *fl;

	memset(st, 0, sizeof(*st));
	s = kt_luo_add_session(st, odd_names[0], KT_SESS_OUTGOING);
	s->pid = 1234;
	s->fd = 7;
	strcpy(s->comm, "kho-agent");

	s = kt_luo_add_session(st, odd_names[1], KT_SESS_INCOMING);
	s->files_known = true;
	s->files_claimed = 3;
	f = kt_luo_add_file(s);
	f->handler = MEMFD_V2_COMPATIBLE;
	f->token = UINT64_MAX;
	f->data = 0x1234000;
	f->has_size = true;
	f->size = 8192;
	f->has_memfd = true;
	f->memfd = (struct kt_memfd){.pos = UINT64_MAX,
				     .size = 8192,
				     .nr_folios = 2,
				     .seals = 0x3f,
				     .flags = UINT32_MAX,
				     .folios_first = 0x100000, /* fuzz_luo_state has a chunk there */
				     .folios_total_pages = UINT32_MAX,
				     .folios_order = 10};
	f = kt_luo_add_file(s);
	f->handler = "kvm-vm-v1";
	f->retrieve_status = -5;
	f->error = kt_strdup("retrieve failed: Bad address (0x10) 100%");
	f = kt_luo_add_file(s);
	f->token = 42;
	f->retrieve_status = 1;
	f->has_size = true;
	f->size = 0;

	s = kt_luo_add_session(st, odd_names[2], KT_SESS_SERIALIZED);
	s->files_known = true;
	s->files_claimed = 5;
	strcpy(s->comm, "a b%c\xe2\x82\xac");
	s->error = kt_strdup("files: block 0x1000 loops back\n(second line)");

	s = kt_luo_add_session(st, odd_names[3], KT_SESS_RETRIEVED);
	s->pid = 99;
	s->fd = 3;
	strcpy(s->comm, "0123456789abcdef");
	s->error = kt_strdup("");

	fl = kt_luo_add_flb(st, "iommu-v1", true);
	fl->state = KT_FLB_RETRIEVED;
	fl->data = 0x1000;
	fl->count = 3;
	fl->handed_over = true;
	fl->handed_over_count = 4;
	fl->object = true;
	fl->retrieve_status = 1;
	fl->handlers = kt_memdup("iommu\0vfio-\xff", 13);
	fl->handlers_len = 12;
	fl = kt_luo_add_flb(st, "weird name %20 x\x01", false);
	fl->state = KT_FLB_REGISTERED;
	fl = kt_luo_add_flb(st, "", false);
	memset(fl->name, 'n', LUO_FLB_COMPAT_LEN);
	fl->state = KT_FLB_FAILED;
	fl->data = UINT64_MAX;
	fl->count = UINT64_MAX;
	fl->retrieve_status = -22;
	st->kernel_note = kt_strdup("kallsyms addresses hidden (not root) = 100%");
	st->flb_note = kt_strdup("FLB page: \xfe");
	st->kernel_ok = st->flbs_ok = st->incoming_settled = true;
}

static void assert_str_eq(const char *got, const char *want, const char *what)
{
	if (!got != !want || (got && strcmp(got, want)))
		fail_msg("%s: '%s', expected '%s'", what, got ? got : "(null)", want ? want : "(null)");
}

static void assert_same(const struct kt_luo_state *got, const struct kt_luo_state *want)
{
	size_t i, k;

	assert_int_equal(got->nr_sessions, want->nr_sessions);
	for (i = 0; i < want->nr_sessions; i++) {
		const struct kt_luo_session *g = &got->sessions[i], *w = &want->sessions[i];

		assert_str_eq(g->name, w->name, "name");
		assert_int_equal(g->state, w->state);
		assert_int_equal(g->files_claimed, w->files_claimed);
		assert_int_equal(g->files_known, w->files_known);
		assert_int_equal(g->pid, w->pid);
		assert_int_equal(g->fd, w->fd);
		assert_str_eq(g->comm, w->comm, "comm");
		assert_str_eq(g->error, w->error, "session error");
		assert_int_equal(g->nr_files, w->nr_files);
		for (k = 0; k < w->nr_files; k++) {
			const struct kt_luo_file *gf = &g->files[k], *wf = &w->files[k];

			assert_str_eq(gf->handler, wf->handler, "handler");
			assert_int_equal(gf->token, wf->token);
			assert_int_equal(gf->data, wf->data);
			assert_int_equal(gf->retrieve_status, wf->retrieve_status);
			assert_int_equal(gf->has_size, wf->has_size);
			assert_int_equal(gf->size, wf->size);
			assert_int_equal(gf->has_memfd, wf->has_memfd);
			assert_int_equal(gf->memfd.pos, wf->memfd.pos);
			assert_int_equal(gf->memfd.size, wf->memfd.size);
			assert_int_equal(gf->memfd.nr_folios, wf->memfd.nr_folios);
			assert_int_equal(gf->memfd.seals, wf->memfd.seals);
			assert_int_equal(gf->memfd.flags, wf->memfd.flags);
			assert_int_equal(gf->memfd.folios_first, wf->memfd.folios_first);
			assert_int_equal(gf->memfd.folios_total_pages, wf->memfd.folios_total_pages);
			assert_int_equal(gf->memfd.folios_order, wf->memfd.folios_order);
			assert_str_eq(gf->error, wf->error, "file error");
		}
	}
	assert_int_equal(got->nr_flbs, want->nr_flbs);
	for (i = 0; i < want->nr_flbs; i++) {
		const struct kt_luo_flb *g = &got->flbs[i], *w = &want->flbs[i];

		assert_str_eq(g->name, w->name, "flb name");
		assert_int_equal(g->incoming, w->incoming);
		assert_int_equal(g->state, w->state);
		assert_int_equal(g->data, w->data);
		assert_int_equal(g->count, w->count);
		assert_int_equal(g->handed_over, w->handed_over);
		assert_int_equal(g->handed_over_count, w->handed_over_count);
		assert_int_equal(g->object, w->object);
		assert_int_equal(g->retrieve_status, w->retrieve_status);
		assert_int_equal(g->handlers_len, w->handlers_len);
		if (w->handlers)
			assert_memory_equal(g->handlers, w->handlers, w->handlers_len + 1);
		else
			assert_null(g->handlers);
	}
	assert_str_eq(got->kernel_note, want->kernel_note, "kernel note");
	assert_str_eq(got->flb_note, want->flb_note, "flb note");
	assert_int_equal(got->kernel_ok, want->kernel_ok);
	assert_int_equal(got->flbs_ok, want->flbs_ok);
	assert_int_equal(got->incoming_settled, want->incoming_settled);
}

/* Import text (without its NUL); returns the result, err holds the message. */
static int import(const char *text, struct kt_luo_state *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	return kt_luo_state_import((const uint8_t *)text, strlen(text), st, err, errlen);
}

/* ---- saved form ------------------------------------------------------------------ */

static void test_round_trip(void **state)
{
	struct kt_luo_state st, back, again;
	uint8_t *buf, *buf2;
	size_t len, len2, i;
	char err[256] = "";

	(void)state;
	fill(&st);
	kt_luo_state_export(&st, &buf, &len);
	/* One JSON document, on one line: text that is not UTF-8 went out as hex. */
	assert_int_equal(memchr(buf, '\0', len), NULL);
	for (i = 0; i + 1 < len; i++)
		assert_true(buf[i] != '\n');
	assert_non_null(memmem(buf, len, "{\"hex\":\"", 8));
	memset(&back, 0, sizeof(back));
	if (kt_luo_state_import(buf, len, &back, err, sizeof(err)))
		fail_msg("import: %s", err);
	assert_same(&back, &st);
	assert_string_equal(back.sessions[2].name, odd_names[2]);
	assert_int_equal(strlen(back.sessions[3].name), LUO_SESSION_NAME_LEN);
	/* And again: the same bytes. */
	kt_luo_state_export(&back, &buf2, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	memset(&again, 0, sizeof(again));
	assert_int_equal(kt_luo_state_import(buf2, len2, &again, err, sizeof(err)), 0);
	assert_same(&again, &st);
	free(buf);
	free(buf2);
	kt_luo_state_free(&st);
	kt_luo_state_free(&back);
	kt_luo_state_free(&again);
}

static void test_round_trip_empty(void **state)
{
	struct kt_luo_state st = {0}, back;
	uint8_t *buf;
	size_t len;
	char err[256];

	(void)state;
	kt_luo_state_export(&st, &buf, &len);
	assert_non_null(memmem(buf, len, "\"sessions\":[],\"flbs\":[]", 23));
	memset(&back, 0, sizeof(back));
	assert_int_equal(kt_luo_state_import(buf, len, &back, err, sizeof(err)), 0);
	assert_same(&back, &st);
	free(buf);
	kt_luo_state_free(&back);
}

static void assert_rejects(const char *text, size_t len, const char *what, const char *msg)
{
	struct kt_luo_state st;
	char err[256];
	int ret;

	memset(&st, 0, sizeof(st));
	strcpy(err, "(none)");
	ret = kt_luo_state_import((const uint8_t *)text, len, &st, err, sizeof(err));
	if (ret != -EBADMSG)
		fail_msg("%s: import returned %d, expected -EBADMSG; message '%s'", what, ret, err);
	if (!strstr(err, msg))
		fail_msg("%s: message '%s' lacks '%s'", what, err, msg);
	kt_luo_state_free(&st);
}

#define REJECTS(text, msg) assert_rejects((text), sizeof(text) - 1, #text, (msg))

/* A saved state with SESSIONS and FLBS (JSON text) in place of the empty arrays. */
#define STATE(sessions, flbs)                                                                                \
	"{\"kind\":\"kho-tools-luo-state\",\"version\":2,\"sources\":{\"kernel\":true,\"serialized\":false," \
	"\"flbs\":true,\"incoming_settled\":false,\"notes\":{}},\"sessions\":[" sessions "],\"flbs\":[" flbs \
	"]}"
#define SESSION(extra, files)                                                                                \
	"{\"name\":\"a\",\"state\":\"incoming\",\"pid\":-1,\"fd\":-1,\"fds\":0,\"comm\":\"\","               \
	"\"files_known\":true,\"claimed\":1" extra ",\"files\":[" files "]}"
#define FILE_(extra)                                                                                         \
	"{\"handler\":\"memfd-v2\",\"token\":1,\"data\":\"0x1000\",\"retrieve_status\":0,\"size\":"          \
	"4096" extra "}"

static void test_import_rejects(void **state)
{
	static const uint8_t bin[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0xff, 0xfe, '\n', 0x80};

	(void)state;
	REJECTS("kt-luo-state 1\nsession name=a state=outgoing\n", "saved by kho-tools 0.1");
	REJECTS("garbage", "line 1, column 7: ");
	assert_rejects((const char *)bin, sizeof(bin), "an ELF header", "line 1");
	REJECTS("[]", "not a JSON object");
	REJECTS("{\"kind\":\"kho-tools-manifest\",\"version\":2}", "not a LUO state file");
	REJECTS("{\"kind\":\"kho-tools-luo-state\",\"version\":3}", "LUO state version 3");
	REJECTS("{\"kind\":\"kho-tools-luo-state\",\"version\":2}", "state: no \"sources\"");
	REJECTS(STATE(SESSION(",\"state\":\"bogus\"", ""), ""), "duplicate object key");
	REJECTS(STATE("{\"name\":\"a\",\"state\":\"Outgoing\"}", ""),
		"sessions[0].state: unknown \"Outgoing\"");
	REJECTS(STATE("{\"state\":\"outgoing\"}", ""), "sessions[0]: no \"name\"");
	REJECTS(STATE(SESSION("", "1"), ""), "sessions[0].files[0]: expected an object");
	REJECTS(STATE(SESSION("", "{\"handler\":\"x\"}"), ""), "sessions[0].files[0]: no \"token\"");
	REJECTS(STATE(SESSION("", FILE_(",\"memfd\":{}")), ""), "sessions[0].files[0].memfd: no \"pos\"");
	REJECTS(STATE(SESSION("", FILE_("")) "," SESSION(
			  "", "{\"handler\":\"0123456789012345678901234567890123456789"
			      "0123456789\"}"),
		      ""),
		"sessions[1].files[0].handler: empty or longer than 48 bytes");
	REJECTS(STATE("", "{\"name\":\"f\",\"direction\":\"up\",\"state\":\"retrieved\"}"),
		"flbs[0].direction: \"up\" is neither in nor out");
	REJECTS(STATE("", "{\"name\":\"f\",\"direction\":\"in\",\"state\":\"lost\"}"),
		"flbs[0].state: unknown \"lost\"");
	REJECTS(STATE(SESSION(",\"comm\":{\"hex\":\"6\"}", ""), ""), "duplicate object key");
	REJECTS(STATE("{\"name\":{\"hex\":\"610\"}}", ""), "sessions[0].name.hex: not lowercase hex");
	REJECTS(STATE("{\"name\":{\"hex\":\"6100\"}}", ""), "sessions[0].name.hex: not lowercase hex");
	REJECTS(STATE("{\"name\":{\"hex\":\"61\",\"x\":1}}", ""), "sessions[0].name: expected a string");
}

/* Nothing at all is not a state file either: a save cut to zero bytes must not read as "no sessions". */
static void test_import_rejects_empty(void **state)
{
	(void)state;
	REJECTS("", "line 1, column 0: '[' or '{' expected");
	REJECTS("\n\n", "line 3");
	REJECTS("\0{}", "line 1");
}

/* A message names the line and column in the file. */
static void test_import_line_numbers(void **state)
{
	(void)state;
	REJECTS("{\n\"kind\":\n\"kho-tools-luo-state\" \"version\":2}", "line 3, column");
}

/* Fields are only ever added: keys this version does not know are passed over. */
static void test_import_tolerant(void **state)
{
	struct kt_luo_state st;
	char err[256];

	(void)state;
	if (import(STATE(SESSION(",\"newkey\":1", FILE_(",\"later\":\"x\"")), ""), &st, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(st.nr_sessions, 1);
	assert_string_equal(st.sessions[0].name, "a");
	assert_int_equal(st.sessions[0].state, KT_SESS_INCOMING);
	assert_int_equal(st.sessions[0].nr_files, 1);
	assert_int_equal(st.sessions[0].files[0].token, 1);
	assert_true(st.sessions[0].files[0].has_size);
	assert_false(st.sessions[0].files[0].has_memfd);
	kt_luo_state_free(&st);
}

/* Values longer than the model holds are refused, not cut. */
static void test_import_long_values(void **state)
{
	char text[1024], name[80];

	(void)state;
	memset(name, 'x', 65);
	name[65] = '\0';
	snprintf(text, sizeof(text), STATE("{\"name\":\"%s\"}", ""), name);
	assert_rejects(text, strlen(text), "a 65-byte name",
		       "sessions[0].name: empty or longer than 64 bytes");
	snprintf(text, sizeof(text),
		 STATE("{\"name\":\"a\",\"state\":\"incoming\",\"pid\":-1,\"fd\":-1,\"fds\":0,"
		       "\"comm\":\"0123456789abcdefg\"}",
		       ""));
	assert_rejects(text, strlen(text), "a 17-byte comm",
		       "sessions[0].comm: empty or longer than 16 bytes");
}

/*
 * A saved state is walked as read: `kho-inspect sessions --folios` on a saved
 * snapshot hands each imported memfd to kt_memfd_folios with the snapshot's
 * pages. Whatever the file says (a vmalloc order the kernel never uses, counts
 * past any RAM) the walk must fail with a message: not shift past the width of
 * an int (order >= 32), not allocate 2^order pages for one area (order 31: 8 TiB,
 * which ends the tool with "out of memory"), not go round a chunk that links
 * itself. Each case runs in a child: a crash or a sanitizer report fails this
 * test, not the suite.
 */
#define IMG_BASE 0x100000ULL

struct saved_walk {
	struct kt_physmem *pm;
	const char *text;
	char *dir;
};

/* A chunk at IMG_BASE that links itself and lists the next page. */
static int saved_walk_setup(void **state)
{
	static uint8_t ram[4][KT_PAGE_SIZE];
	const struct fb_seg seg = {IMG_BASE, 0xffff888000000000ULL + IMG_BASE, sizeof(ram), ram, 0, false};
	struct saved_walk *w = calloc(1, sizeof(*w));
	uint64_t v = IMG_BASE;

	assert_non_null(w);
	memcpy(ram[0], &v, 8);
	v = IMG_BASE + KT_PAGE_SIZE;
	memcpy(ram[0] + 8, &v, 8);
	w->dir = td_make();
	w->pm = fb_open_image(w->dir, &seg, 1, "00100000-7ffdffff : System RAM\n", 0);
	*state = w;
	return 0;
}

static int saved_walk_teardown(void **state)
{
	struct saved_walk *w = *state;

	kt_physmem_close(w->pm);
	td_remove(w->dir);
	free(w);
	return 0;
}

static int no_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	(void)ctx, (void)pfn, (void)flags, (void)index;
	return 0;
}

static int saved_walk_child(void *arg)
{
	const struct saved_walk *w = arg;
	struct kt_luo_state st = {0};
	char err[256] = "";
	int ret;

	alarm(10);
	if (kt_luo_state_import((const uint8_t *)w->text, strlen(w->text), &st, err, sizeof(err))) {
		/* Refusing the record at import is as good. */
		kt_luo_state_free(&st);
		return !err[0];
	}
	if (st.nr_sessions != 1 || st.sessions[0].nr_files != 1 || !st.sessions[0].files[0].has_memfd) {
		fprintf(stderr, "imported %zu sessions\n", st.nr_sessions);
		return 1;
	}
	ret = kt_memfd_folios(w->pm, &st.sessions[0].files[0].memfd, no_folio, NULL, err, sizeof(err));
	if (ret >= 0 || !err[0]) {
		fprintf(stderr, "kt_memfd_folios returned %d, message '%s'\n", ret, err);
		return 1;
	}
	kt_luo_state_free(&st);
	return 0;
}

static void test_saved_memfd_walk(void **state)
{
	static const struct {
		const char *why, *file;
	} cases[] = {
#define MEMFD(size, folios, pages, order)                                                                    \
	"\"pos\":0,\"seals\":0,\"flags\":0,\"size\":" size ",\"nr_folios\":" folios                          \
	",\"folio_array\":\"0x100000\",\"folio_array_pages\":" pages ",\"order\":" order
	    {"vmalloc order 40 (past the width of 1u <<)", MEMFD("4096", "1", "1", "40")},
	    {"vmalloc order 31 (an 8 TiB area)", MEMFD("4096", "1", "1", "31")},
	    {"vmalloc order 65535", MEMFD("4096", "1", "1", "65535")},
	    {"a self-linked chunk, counts past any RAM",
	     MEMFD("9223372036854775807", "9223372036854775807", "4294967295", "0")},
	    {"folios where the array has no pages", MEMFD("4096", "1000", "0", "0")},
#undef MEMFD
	};
	struct saved_walk *w = *state;
	char text[512];
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), STATE(SESSION("", FILE_(",\"memfd\":{%s}")), ""), cases[i].file);
		w->text = text;
		fb_in_child(saved_walk_child, w, cases[i].why, __FILE__, __LINE__);
	}
}

/* ---- procfs ---------------------------------------------------------------------- */

/* root/rel -> target, with the directories on the way; the target need not exist. */
static void fd_link(const char *root, const char *rel, const char *target)
{
	char *p = td_path(root, rel), *slash;

	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		*slash = '/';
	}
	if (symlink(target, p))
		fail_msg("symlink %s: %s", p, strerror(errno));
	free(p);
}

static const struct kt_luo_session *owner_of(const struct kt_luo_state *st, const char *name)
{
	const struct kt_luo_session *found = NULL;
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		if (!strcmp(st->sessions[i].name, name)) {
			if (found)
				fail_msg("session '%s' twice", name);
			found = &st->sessions[i];
		}
	if (!found)
		fail_msg("no session '%s'", name);
	return found;
}

/* Two processes with sessions, one without, and what a real /proc has beside. */
static char *proc_tree(void)
{
	char *root = td_make();

	td_write_str(root, "100/comm", "kho-agent\n");
	fd_link(root, "100/fd/0", "/dev/null");
	fd_link(root, "100/fd/3", "anon_inode:[luo_session] db one");
	fd_link(root, "100/fd/4", "anon_inode:[eventfd]");
	fd_link(root, "100/fd/5", "anon_inode:[luo_session] cache");
	fd_link(root, "100/fd/6", "anon_inode:[luo_session] ");
	fd_link(root, "100/fd/7", "anon_inode:[luo_session]x");
	fd_link(root, "100/fd/8", "socket:[12345]");
	fd_link(root, "100/fd/9", "/tmp/anon_inode:[luo_session] not-one");
	td_write_str(root, "200/comm", "a-very-long-command-name\n");
	fd_link(root, "200/fd/12", "anon_inode:[luo_session] vm%x \xc3\xbc");
	td_write_str(root, "300/comm", "idle\n");
	fd_link(root, "300/fd/0", "/dev/null");
	/* Not processes. */
	fd_link(root, "self/fd/3", "anon_inode:[luo_session] from-self");
	td_write_str(root, "sys/kernel/x", "");
	td_write_str(root, "uptime", "1.0 1.0\n");
	/* A process without fd/ (a zombie, or gone while we looked). */
	td_write_str(root, "400/comm", "zombie\n");
	return root;
}

static void test_procfs_owners(void **state)
{
	struct kt_luo_state st = {0};
	const struct kt_luo_session *s;
	char *root = proc_tree();

	(void)state;
	assert_int_equal(kt_luo_add_owners(&st, root), 0);
	assert_null(st.procfs_note);
	assert_int_equal(st.nr_sessions, 3);
	s = owner_of(&st, "db one");
	assert_int_equal(s->pid, 100);
	assert_int_equal(s->fd, 3);
	assert_string_equal(s->comm, "kho-agent");
	assert_int_equal(s->state, KT_SESS_OUTGOING);
	assert_false(s->files_known);
	assert_int_equal(s->nr_files, 0);
	s = owner_of(&st, "cache");
	assert_int_equal(s->pid, 100);
	assert_int_equal(s->fd, 5);
	s = owner_of(&st, "vm%x \xc3\xbc");
	assert_int_equal(s->pid, 200);
	assert_int_equal(s->fd, 12);
	/* comm is at most 15 characters in the kernel; a longer file is cut to the model's 16. */
	assert_int_equal(strlen(s->comm), 16);
	kt_luo_state_free(&st);
	td_remove(root);
}

/* Sessions another source listed get their owner; serialized ones cannot have an fd here. */
static void test_procfs_matches_known(void **state)
{
	struct kt_luo_state st = {0};
	struct kt_luo_session *s;
	char *root = proc_tree();

	(void)state;
	s = kt_luo_add_session(&st, "db one", KT_SESS_OUTGOING);
	s->files_known = true;
	s->files_claimed = 2;
	kt_luo_add_session(&st, "cache", KT_SESS_RETRIEVED);
	kt_luo_add_session(&st, "vm%x \xc3\xbc", KT_SESS_SERIALIZED);
	assert_int_equal(kt_luo_add_owners(&st, root), 0);
	assert_int_equal(st.nr_sessions, 4);
	assert_string_equal(st.sessions[0].name, "db one");
	assert_int_equal(st.sessions[0].pid, 100);
	assert_int_equal(st.sessions[0].fd, 3);
	assert_true(st.sessions[0].files_known);
	assert_int_equal(st.sessions[1].pid, 100);
	assert_int_equal(st.sessions[1].state, KT_SESS_RETRIEVED);
	assert_int_equal(st.sessions[2].pid, -1);
	assert_int_equal(st.sessions[3].state, KT_SESS_OUTGOING);
	assert_int_equal(st.sessions[3].pid, 200);
	kt_luo_state_free(&st);
	td_remove(root);
}

/*
 * Session names are unique (luo_session_create refuses a second one): two fds
 * on one session (dup, fork, SCM_RIGHTS) are one session with an owner, not two
 * sessions. The second link must not add a session of its own, neither beside
 * one procfs found nor beside one the kernel listed.
 */
static void test_procfs_same_session_twice(void **state)
{
	struct kt_luo_state st = {0};
	char *root = proc_tree();
	size_t i, n = 0;

	(void)state;
	fd_link(root, "100/fd/10", "anon_inode:[luo_session] db one");
	fd_link(root, "500/fd/4", "anon_inode:[luo_session] db one");
	td_write_str(root, "500/comm", "kho-agent-child\n");
	kt_luo_add_session(&st, "cache", KT_SESS_OUTGOING)->files_known = true;
	fd_link(root, "500/fd/5", "anon_inode:[luo_session] cache");
	assert_int_equal(kt_luo_add_owners(&st, root), 0);
	for (i = 0; i < st.nr_sessions; i++)
		n += !strcmp(st.sessions[i].name, "db one") + !strcmp(st.sessions[i].name, "cache");
	if (n != 2)
		for (i = 0; i < st.nr_sessions; i++)
			print_error("session '%s' %s pid %d fd %d%s\n", st.sessions[i].name,
				    kt_sess_state_name[st.sessions[i].state], st.sessions[i].pid,
				    st.sessions[i].fd, st.sessions[i].files_known ? "" : " (files unknown)");
	kt_luo_state_free(&st);
	td_remove(root);
	if (n != 2)
		fail_msg("'db one' is open on 3 fds, 'cache' on 2: %zu sessions of those names, expected 2",
			 n);
}

static void test_procfs_missing(void **state)
{
	struct kt_luo_state st = {0};
	char *root = td_make(), *gone = td_path(root, "no-such-proc");

	(void)state;
	assert_int_equal(kt_luo_add_owners(&st, gone), -ENOENT);
	assert_non_null(st.procfs_note);
	assert_non_null(strstr(st.procfs_note, "no-such-proc"));
	assert_int_equal(st.nr_sessions, 0);
	kt_luo_state_free(&st);
	free(gone);
	td_remove(root);
}

/*
 * fd directories the reader may not open (another user's processes): counted
 * in procfs_note. Root opens any directory, so the check drops to nobody in a
 * child; the tree is made readable to it except for the fd directories.
 */
struct unreadable {
	char *root;
	uid_t uid;
	gid_t gid;
};

static int procfs_unreadable_child(void *arg)
{
	struct unreadable *u = arg;
	struct kt_luo_state st = {0};
	size_t i;
	int ret;

	if (u->uid && (setgroups(0, NULL) || setgid(u->gid) || setuid(u->uid))) {
		fprintf(stderr, "cannot drop to uid %u: %s\n", (unsigned int)u->uid, strerror(errno));
		return 1;
	}
	ret = kt_luo_add_owners(&st, u->root);
	if (ret) {
		fprintf(stderr,
			"kt_luo_add_owners: %d (%s) (is the temporary directory searchable by uid %u?)\n",
			ret, st.procfs_note ? st.procfs_note : "", (unsigned int)getuid());
		return 1;
	}
	if (!st.procfs_note || !strstr(st.procfs_note, "of 2 processes unreadable")) {
		fprintf(stderr, "procfs_note '%s'\n", st.procfs_note ? st.procfs_note : "(null)");
		return 1;
	}
	/* The readable process still counts. */
	for (i = 0; i < st.nr_sessions; i++)
		if (!strcmp(st.sessions[i].name, "vm%x \xc3\xbc") && st.sessions[i].pid == 200)
			break;
	if (st.nr_sessions != 1 || i == st.nr_sessions) {
		fprintf(stderr, "%zu sessions, expected only the one of pid 200\n", st.nr_sessions);
		return 1;
	}
	kt_luo_state_free(&st);
	return 0;
}

static void test_procfs_unreadable(void **state)
{
	struct unreadable u = {0};
	struct passwd *pw;
	char *p;

	(void)state;
	u.root = proc_tree();
	if (!geteuid()) {
		pw = getpwnam("nobody");
		if (!pw) {
			print_message("skip: running as root and there is no user 'nobody' to drop to\n");
			td_remove(u.root);
			skip();
		}
		u.uid = pw->pw_uid;
		u.gid = pw->pw_gid;
		assert_int_equal(chmod(u.root, 0755), 0);
	}
	p = td_path(u.root, "100/fd");
	assert_int_equal(chmod(p, u.uid ? 0700 : 0), 0);
	free(p);
	p = td_path(u.root, "300/fd");
	assert_int_equal(chmod(p, u.uid ? 0700 : 0), 0);
	free(p);
	assert_in_child(procfs_unreadable_child, &u, "kt_luo_add_owners with two fd directories unreadable");
	p = td_path(u.root, "100/fd");
	chmod(p, 0755);
	free(p);
	p = td_path(u.root, "300/fd");
	chmod(p, 0755);
	free(p);
	td_remove(u.root);
}

/* ---- seeds for fuzz_luo_state ------------------------------------------------------- */

static int write_seed(const char *dir, const char *name, const struct kt_luo_state *st)
{
	char path[4096];
	uint8_t *buf;
	size_t len;
	FILE *f;
	int ret = 0;

	kt_luo_state_export(st, &buf, &len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "test_luo_state: %s: %s\n", path, strerror(errno));
		ret = 2;
	}
	free(buf);
	return ret;
}

static int write_seeds(const char *dir)
{
	struct kt_luo_state st, empty = {0};
	int ret = 0;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "test_luo_state: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	fill(&st);
	ret |= write_seed(dir, "luo-state-every-field", &st);
	ret |= write_seed(dir, "luo-state-empty", &empty);
	/* One session with one memfd: the folio walk a saved view does. */
	st.nr_sessions = 2;
	st.sessions[1].nr_files = 1;
	st.nr_flbs = 0;
	ret |= write_seed(dir, "luo-state-one-memfd", &st);
	st.nr_sessions = 4;
	st.sessions[1].nr_files = 3;
	st.nr_flbs = 3;
	kt_luo_state_free(&st);
	return ret;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_round_trip_empty),
	    cmocka_unit_test(test_import_rejects),
	    cmocka_unit_test(test_import_rejects_empty),
	    cmocka_unit_test(test_import_line_numbers),
	    cmocka_unit_test(test_import_tolerant),
	    cmocka_unit_test(test_import_long_values),
	    cmocka_unit_test_setup_teardown(test_saved_memfd_walk, saved_walk_setup, saved_walk_teardown),
	    cmocka_unit_test(test_procfs_owners),
	    cmocka_unit_test(test_procfs_matches_known),
	    cmocka_unit_test(test_procfs_same_session_twice),
	    cmocka_unit_test(test_procfs_missing),
	    cmocka_unit_test(test_procfs_unreadable),
	};

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	return cmocka_run_group_tests_name("luo_state", tests, NULL, NULL);
}
