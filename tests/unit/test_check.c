// SPDX-License-Identifier: GPL-2.0-only
/*
 * The upgrade-script logic (lib/check/) on snapshots built in the test: the
 * assert grammar (every predicate, both ways, and every malformed form), the
 * manifest (round trip, the strict reader's refusals, verification of each kind
 * of loss), finalize/abort against a directory laid out like 6.16-6.19 debugfs,
 * preflight's process checks against a fabricated /proc, and the metrics
 * exposition through a strict line-by-line parser of the Prometheus text format.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_pid1.h"
#include "fdtbuild.h"

#include "check/assert.h"
#include "check/finalize.h"
#include "check/manifest.h"
#include "check/metrics.h"
#include "check/preflight.h"
#include "check/verify.h"
#include "model/facts.h"
#include "source/procfs.h"
#include "base/util.h"

#define ERRLEN 1024

/* ---- snapshots ------------------------------------------------------------------ */

static const struct fb_sub subs[] = {
    {"memblock", 0x34ac000ULL, 0xd2},
    {"LUO", 0x34a7000ULL, 0x20},
    {"kexec-metadata", 0x34a5000ULL, 0x49},
};

/* A LUO state as `save` records it (luo/state), built through the model and its own writer. */
struct t_file {
	const char *handler;
	uint64_t token;
	int64_t size; /* -1: unknown */
	int rstatus;
};

struct t_session {
	const char *name;
	enum kt_sess_state state;
	int pid, fd;
	const char *comm;
	uint64_t claimed;
	struct t_file files[3];
};

struct t_flb {
	const char *name;
	bool incoming;
	enum kt_flb_state state;
	uint64_t data, files;
};

struct t_state {
	struct t_session sessions[6];
	struct t_flb flbs[3];
};

static char *state_text(const struct t_state *t, size_t *len)
{
	struct kt_luo_state st = {.saved = true};
	uint8_t *buf;
	size_t i, k;

	for (i = 0; i < KT_ARRAY_SIZE(t->sessions) && t->sessions[i].name; i++) {
		const struct t_session *x = &t->sessions[i];
		struct kt_luo_session *s = kt_luo_add_session(&st, x->name, x->state);

		s->pid = x->pid;
		s->fd = x->fd;
		s->fds = x->pid >= 0;
		snprintf(s->comm, sizeof(s->comm), "%s", x->comm);
		s->files_known = true;
		s->files_claimed = x->claimed;
		for (k = 0; k < KT_ARRAY_SIZE(x->files) && x->files[k].handler; k++) {
			struct kt_luo_file *f = kt_luo_add_file(s);

			f->handler = x->files[k].handler;
			f->token = x->files[k].token;
			f->has_size = x->files[k].size >= 0;
			f->size = f->has_size ? (uint64_t)x->files[k].size : 0;
			f->retrieve_status = x->files[k].rstatus;
		}
	}
	for (i = 0; i < KT_ARRAY_SIZE(t->flbs) && t->flbs[i].name; i++) {
		struct kt_luo_flb *f = kt_luo_add_flb(&st, t->flbs[i].name, t->flbs[i].incoming);

		f->state = t->flbs[i].state;
		f->data = t->flbs[i].data;
		f->count = t->flbs[i].files;
		f->handed_over = f->incoming;
		f->handed_over_count = f->count;
	}
	kt_luo_state_export(&st, &buf, len);
	kt_luo_state_free(&st);
	return (char *)buf;
}

#define MEMFD(token, size)                                                                                   \
	{                                                                                                    \
		"memfd-v2", token, size, 0                                                                   \
	}

/* Outgoing sessions as `save` records them before the reboot. */
static const struct t_state state_before = {
    {
	{"vm-0", KT_SESS_OUTGOING, 80, 4, "kho-agent", 2, {MEMFD(1, 4194304), MEMFD(2, 4194304)}},
	{"vm-1", KT_SESS_OUTGOING, 80, 7, "kho-agent", 1, {MEMFD(100001, 1048576)}},
	{"vm-3", KT_SESS_OUTGOING, 80, 9, "kho-agent", 0, {{0}}},
    },
    {{0}},
};

/* The same sessions, serialized, after the reboot. */
#define SESSIONS_AFTER                                                                                       \
	{"vm-0", KT_SESS_SERIALIZED, -1, -1, "", 2, {MEMFD(1, 4194304), MEMFD(2, 4194304)}},                 \
	    {"vm-1", KT_SESS_RETRIEVED, 90, 5, "kho-agent", 1, {{"memfd-v2", 100001, 1048576, 1}}},          \
	{                                                                                                    \
		"vm-3", KT_SESS_INCOMING, -1, -1, "", 0,                                                     \
		{                                                                                            \
			{                                                                                    \
				0                                                                            \
			}                                                                                    \
		}                                                                                            \
	}
static const struct t_state state_after = {
    {SESSIONS_AFTER},
    {{"memfd-v2", true, KT_FLB_SERIALIZED, 4096, 3}},
};

static const struct t_state state_empty;

struct layout {
	bool in;		     /* an incoming direction */
	bool stale_luo;		     /* in/sub_fdts/LUO holds freed memory */
	const struct t_state *state; /* luo/state, NULL: none */
	uint64_t region_size;	     /* of kt_mem in in/ */
	bool no_in_memblock;
	uint32_t meta_in;		   /* kexec count in in/kexec-metadata */
	const struct kt_sd_stores *stores; /* systemd/stores, NULL: none saved */
	bool bootmem;			   /* 7.4's names for the boot areas */
};

static void write_tree(const char *dir, const struct layout *l)
{
	const struct fb_region out_r = {"kt_mem", 0x7ca00000ULL, 2 << 20};
	const struct fb_region in_r = {"kt_mem", 0x7ca00000ULL, l->region_size ? l->region_size : 2 << 20};
	struct fb_blob fdt = fb_kho_v4(0x188d000ULL, subs, 3), luo = fb_luo("luo-v5", 1, 0, 0x34a8000ULL),
		       mb = fb_memblock(&out_r, 1), meta = fb_kexec_meta(1, "7.3.4", 1);

	td_write_blob(dir, "out/fdt", &fdt);
	td_write_str(dir, l->bootmem ? "out/bootmem_phys" : "out/scratch_phys", "0x73000000\n0x55c00000\n");
	td_write_str(dir, l->bootmem ? "out/bootmem_len" : "out/scratch_len", "0x9c00000\n0x1d400000\n");
	td_write_blob(dir, "out/sub_fdts/LUO", &luo);
	td_write_blob(dir, "out/sub_fdts/memblock", &mb);
	td_write_blob(dir, "out/sub_fdts/kexec-metadata", &meta);
	if (l->in) {
		struct fb_blob in_luo = fb_luo("luo-v5", 1, 0x6030000ULL, 0x1a7a000ULL),
			       in_mb = fb_memblock(&in_r, 1), in_meta = fb_kexec_meta(1, "7.3.4", l->meta_in);

		td_write_blob(dir, "in/fdt", &fdt);
		if (l->stale_luo)
			td_write_str(dir, "in/sub_fdts/LUO", "#!/bin/sh\necho freed memory, reused\n");
		else
			td_write_blob(dir, "in/sub_fdts/LUO", &in_luo);
		if (!l->no_in_memblock)
			td_write_blob(dir, "in/sub_fdts/memblock", &in_mb);
		td_write_blob(dir, "in/sub_fdts/kexec-metadata", &in_meta);
		fb_free(&in_luo);
		fb_free(&in_mb);
		fb_free(&in_meta);
	}
	if (l->state) {
		size_t len;
		char *text = state_text(l->state, &len);

		td_write(dir, "luo/state", text, len);
		free(text);
	}
	if (l->stores) {
		uint8_t *buf;
		size_t len;

		kt_sd_stores_export(l->stores, &buf, &len);
		td_write(dir, KT_SD_STORES_FILE, buf, len);
		free(buf);
	}
	fb_free(&fdt);
	fb_free(&luo);
	fb_free(&mb);
	fb_free(&meta);
}

struct snap {
	char *dir;
	struct kt_snapshot s;
	struct kt_state c;
};

static void snap_load(struct snap *x, const struct layout *l)
{
	char err[ERRLEN];

	x->dir = td_make();
	write_tree(x->dir, l);
	if (kt_snapshot_load(x->dir, &x->s, err, sizeof(err)))
		fail_msg("load: %s", err);
	kt_state_init(&x->c, &x->s);
}

static void snap_free(struct snap *x)
{
	kt_state_free(&x->c);
	kt_snapshot_free(&x->s);
	td_remove(x->dir);
}

/* ---- assert: parsing -------------------------------------------------------------- */

/* Parse the words of one argv given as a '|'-separated string ("subtree memblock|incoming"). */
static int parse(const char *args, struct kt_assert *a, char *err)
{
	char *copy = kt_strdup(args), *argv[32], *save = NULL, *t;
	int argc = 0, ret;

	for (t = strtok_r(copy, "|", &save); t && argc < 32; t = strtok_r(NULL, "|", &save))
		argv[argc++] = t;
	ret = kt_assert_parse(argc, argv, a, err, ERRLEN);
	free(copy);
	return ret;
}

static void test_parse_ok(void **state)
{
	static const struct {
		const char *args;
		size_t n;
		const char *first, *last;
	} cases[] = {
	    {"subtree memblock", 1, "subtree memblock", "subtree memblock"},
	    {"subtree|memblock", 1, "subtree memblock", "subtree memblock"},
	    {"session vm-7 files=3", 1, "session vm-7 files=3", "session vm-7 files=3"},
	    {"session|vm-7|files=3|state=retrieved|bytes>=1M", 1,
	     "session vm-7 files=3 state=retrieved bytes>=1M", NULL},
	    {"handler memfd-v2 files>=1", 1, "handler memfd-v2 files>=1", NULL},
	    {"preserved>=1G|kexec-count=1", 2, "preserved>=1G", "kexec-count=1"},
	    {"session|vm-1|files=2|files>=6", 1, "session vm-1 files=2 files>=6", NULL},
	    /* A quoted argument is one whole expression. */
	    {"session vm-1 files=2|files>=6", 2, "session vm-1 files=2", "files>=6"},
	    {"session|vm-1|sessions>=3", 2, "session vm-1", "sessions>=3"},
	    {"preserved >= 1G", 1, "preserved>=1G", NULL},
	    {"preserved|>=|1G", 1, "preserved>=1G", NULL},
	    {"files|>=2", 1, "files>=2", NULL},
	    {"files>=|2", 1, "files>=2", NULL},
	    {"incoming|not incoming|!incoming|not|session|vm-0", 4, "incoming", "not session vm-0"},
	    {"sessions!=0|scratch<1T|flbs>0|liveupdate-number<=3|files==6", 5, "sessions!=0", "files==6"},
	    {"flb memfd-v2 files=3|subtree in/kho_test size=240|subtree out/LUO", 3, "flb memfd-v2 files=3",
	     "subtree out/LUO"},
	    {"session|a=b|state!=outgoing", 1, "session a=b state!=outgoing", NULL},
	};
	struct kt_assert a;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		if (parse(cases[i].args, &a, err))
			fail_msg("'%s': %s", cases[i].args, err);
		if (a.n != cases[i].n)
			fail_msg("'%s': %zu expressions, want %zu", cases[i].args, a.n, cases[i].n);
		kt_assert_free(&a);
	}
}

/* The text of each expression, checked through an evaluation on any snapshot. */
static void test_parse_text(void **state)
{
	static const struct {
		const char *args;
		const char *first, *last;
	} cases[] = {
	    {"session|vm-7|files=3|state=retrieved", "session vm-7 files=3 state=retrieved", NULL},
	    {"preserved >= 1G|kexec-count = 1", "preserved>=1G", "kexec-count=1"},
	    {"incoming|not|subtree|LUO", "incoming", "not subtree LUO"},
	};
	struct layout l = {.in = true, .state = &state_after, .meta_in = 1};
	struct kt_assert_result *r;
	struct kt_assert a;
	char err[ERRLEN];
	struct snap x;
	size_t i;

	(void)state;
	snap_load(&x, &l);
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(cases[i].args, &a, err), 0);
		/* preserved cannot be told here (no memory): evaluate the others. */
		if (!strncmp(cases[i].first, "preserved", 9)) {
			kt_assert_free(&a);
			continue;
		}
		if (kt_assert_eval(&a, &x.c, &r, err, sizeof(err)))
			fail_msg("%s: %s", cases[i].args, err);
		assert_string_equal(r[0].expr, cases[i].first);
		if (cases[i].last)
			assert_string_equal(r[a.n - 1].expr, cases[i].last);
		kt_assert_results_free(r, a.n);
		kt_assert_free(&a);
	}
	snap_free(&x);
}

static void test_parse_malformed(void **state)
{
	static const struct {
		const char *args, *msg;
	} cases[] = {
	    {"", "at least one expression"},
	    {"sesion vm-1", "unknown predicate"},
	    {"session", "needs a NAME"},
	    {"session files=2", "needs a NAME before its conditions"},
	    {"subtree", "needs a NAME"},
	    {"files>=x", "not a number"},
	    {"preserved>=1Q", "not a number or size"},
	    {"files=>2", "not a number"},
	    {"files=", "no value"},
	    {"files!2", "unknown operator"},
	    {"frobs=2", "no 'frobs' predicate"},
	    {"state=incoming", "no 'state' predicate"},
	    {"session vm-1 size=2", "no 'size' condition for session"},
	    {"session vm-1 state>=incoming", "only with = or !="},
	    {"session vm-1 state=gone", "unknown state"},
	    {"session vm-1 files=2 extra", "unexpected 'extra'"},
	    {"subtree memblock files=1", "no 'files' condition for subtree"},
	    {"not", "nothing to negate"},
	    {"files=2 sessions=3", "one expression per quoted argument"},
	    {"-1", "unknown predicate"},
	    {"files>=-1", "not a number"},
	    {"preserved>=99999999999999999999", "not a number"},
	    {"scratch>=16E", "not a number"},
	};
	struct kt_assert a;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		if (!cases[i].args[0])
			assert_int_equal(kt_assert_parse(0, NULL, &a, err, sizeof(err)), -EINVAL);
		else if (parse(cases[i].args, &a, err) != -EINVAL)
			fail_msg("'%s' parsed", cases[i].args);
		if (!strstr(err, cases[i].msg))
			fail_msg("'%s': \"%s\" lacks \"%s\"", cases[i].args, err, cases[i].msg);
		assert_null(a.exprs);
	}
}

/* ---- assert: evaluation --------------------------------------------------------- */

struct want {
	const char *expr;
	bool ok;
	const char *seen; /* a substring of what was seen, or NULL */
};

static void eval_all(struct snap *x, const struct want *w, size_t n)
{
	struct kt_assert_result *r;
	struct kt_assert a;
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		char *argv[1] = {(char *)w[i].expr};

		if (kt_assert_parse(1, argv, &a, err, sizeof(err)))
			fail_msg("%s: %s", w[i].expr, err);
		if (kt_assert_eval(&a, &x->c, &r, err, sizeof(err)))
			fail_msg("%s: %s", w[i].expr, err);
		if (r[0].ok != w[i].ok)
			fail_msg("'%s' is %s (seen %s)", w[i].expr, r[0].ok ? "true" : "false", r[0].seen);
		if (w[i].seen && !strstr(r[0].seen, w[i].seen))
			fail_msg("'%s': seen \"%s\" lacks \"%s\"", w[i].expr, r[0].seen, w[i].seen);
		kt_assert_results_free(r, a.n);
		kt_assert_free(&a);
	}
}

static void test_eval_before(void **state)
{
	static const struct want w[] = {
	    {"subtree memblock", true, "out/sub_fdts/memblock"},
	    {"subtree memblock size=210", true, "size=210"},
	    {"subtree memblock size!=210", false, NULL},
	    {"subtree in/memblock", false, "absent"},
	    {"subtree nope", false, "absent"},
	    {"not subtree nope", true, NULL},
	    {"incoming", false, "no in/"},
	    {"not incoming", true, NULL},
	    {"kexec-count=0", true, "kexec-count=0"},
	    {"kexec-count=1", false, "kexec-count=0"},
	    {"liveupdate-number=0", true, NULL},
	    {"liveupdate-number>0", false, NULL},
	    {"scratch=0x9c00000", false, NULL},
	    {"scratch>=100M", true, "MiB"},
	    {"scratch<1M", false, NULL},
	    {"sessions=3", true, "sessions=3"},
	    {"sessions!=3", false, NULL},
	    {"files=3", true, NULL},
	    {"files>3", false, NULL},
	    {"flbs=0", true, NULL},
	    {"session vm-0", true, "state=outgoing files=2"},
	    {"session vm-9", false, "no such session"},
	    {"not session vm-9", true, NULL},
	    {"session vm-0 files=2", true, "files=2"},
	    {"session vm-0 files=3", false, "files=2"},
	    {"session vm-0 bytes=8M", true, "8 MiB"},
	    {"session vm-0 bytes<8M", false, NULL},
	    {"session vm-0 state=outgoing", true, NULL},
	    {"session vm-0 state=retrieved", false, "state=outgoing"},
	    {"session vm-3 files=0", true, NULL},
	    {"handler memfd-v2", true, "files=3 sessions=2"},
	    {"handler memfd-v2 files=3 sessions=2 bytes=9M", true, NULL},
	    {"handler memfd-v2 files>=4", false, "files=3"},
	    {"handler memfd-v1", false, "no file of this handler"},
	    {"flb memfd-v2", false, "no such FLB"},
	};
	struct layout l = {.state = &state_before};
	struct snap x;

	(void)state;
	snap_load(&x, &l);
	eval_all(&x, w, KT_ARRAY_SIZE(w));
	snap_free(&x);
}

static void test_eval_after(void **state)
{
	static const struct want w[] = {
	    {"incoming", true, "in/ present"},
	    {"kexec-count=1", true, NULL},
	    {"liveupdate-number=1", true, NULL},
	    {"subtree in/memblock size=210", true, NULL},
	    {"session vm-1 state=retrieved", true, NULL},
	    {"session vm-0 state=serialized files=2", true, NULL},
	    {"session vm-3 state=incoming", true, NULL},
	    {"session vm-3 state!=incoming", false, NULL},
	    {"flb memfd-v2", true, "files=3"},
	    {"flb memfd-v2 files=3", true, NULL},
	    {"flb memfd-v2 files>3", false, NULL},
	    {"flbs=1", true, NULL},
	};
	struct layout l = {.in = true, .state = &state_after, .meta_in = 1};
	struct snap x;

	(void)state;
	snap_load(&x, &l);
	eval_all(&x, w, KT_ARRAY_SIZE(w));
	snap_free(&x);
}

static void expect_cannot_tell(const struct layout *l, const char *expr, const char *msg)
{
	struct kt_assert_result *r = NULL;
	char *argv[1] = {(char *)expr};
	struct kt_assert a;
	char err[ERRLEN];
	struct snap x;

	snap_load(&x, l);
	assert_int_equal(kt_assert_parse(1, argv, &a, err, sizeof(err)), 0);
	if (kt_assert_eval(&a, &x.c, &r, err, sizeof(err)) != -ENODATA)
		fail_msg("'%s' was told", expr);
	if (!strstr(err, msg))
		fail_msg("'%s': \"%s\" lacks \"%s\"", expr, err, msg);
	assert_null(r);
	kt_assert_free(&a);
	snap_free(&x);
}

static void test_eval_cannot_tell(void **state)
{
	static const struct t_state state_vm9 = {{{"vm-9", KT_SESS_OUTGOING, 1, 3, "a", 0, {{0}}}}, {{0}}};
	struct layout none = {.in = true, .meta_in = 1},
		      stale = {.in = true, .stale_luo = true, .state = &state_vm9};

	(void)state;
	expect_cannot_tell(&none, "session vm-0", "LUO state unavailable");
	expect_cannot_tell(&none, "sessions=0", "LUO state unavailable");
	expect_cannot_tell(&none, "preserved>=1", "no physical memory");
	/* Stale incoming header, no incoming session anywhere: not deserialized yet, or all finished. */
	expect_cannot_tell(&stale, "not session vm-0", "stale");
	expect_cannot_tell(&stale, "handler memfd-v2", "stale");
}

/* ---- manifest --------------------------------------------------------------------- */

static char *manifest_text(const struct kt_manifest *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kt_manifest_write(m, f);
	fclose(f);
	return buf;
}

static void build_before(struct kt_manifest *m)
{
	struct layout l = {.state = &state_before};
	char err[ERRLEN];
	struct snap x;

	snap_load(&x, &l);
	if (kt_manifest_build(&x.c, m, err, sizeof(err)))
		fail_msg("build: %s", err);
	snap_free(&x);
}

static void test_manifest_round_trip(void **state)
{
	struct kt_manifest m, back;
	char err[ERRLEN], *text;
	size_t i;

	(void)state;
	build_before(&m);
	assert_int_equal(m.nr_sessions, 3);
	assert_string_equal(m.sessions[0].name, "vm-0");
	assert_int_equal(m.sessions[0].nr_files, 2);
	assert_int_equal(m.sessions[1].files[0].token, 100001);
	assert_int_equal(m.sessions[1].files[0].size, 1048576);
	assert_int_equal(m.nr_regions, 1);
	assert_string_equal(m.regions[0].name, "kt_mem");
	assert_int_equal(m.regions[0].start, 0x7ca00000ULL);
	assert_int_equal(m.nr_blobs, 3);
	for (i = 0; i < m.nr_blobs; i++)
		assert_int_equal(m.blobs[i].content, strcmp(m.blobs[i].name, "LUO") != 0);
	/* Names the writer must escape, and a file of unknown size. */
	free(m.sessions[2].name);
	m.sessions[2].name = kt_strdup("q\"b\\s\x01\t\xff\x7f/");
	m.sessions[0].files[1].has_size = false;
	/* Tokens are u64: past 2^63-1 the writer uses a decimal string, which reads back exactly. */
	m.sessions[1].files[0].token = UINT64_MAX;
	text = manifest_text(&m);
	assert_non_null(strstr(text, "\"token\": \"18446744073709551615\""));
	if (kt_manifest_parse((uint8_t *)text, strlen(text), &back, err, sizeof(err)))
		fail_msg("parse: %s\n%s", err, text);
	assert_int_equal(back.nr_sessions, 3);
	/* Every byte that is not UTF-8 comes back as its code point: "\xff" is "ÿ". */
	assert_string_equal(back.sessions[2].name, "q\"b\\s\x01\t\xc3\xbf\x7f/");
	assert_false(back.sessions[0].files[1].has_size);
	assert_true(back.sessions[0].files[0].has_size);
	assert_int_equal(back.sessions[1].files[0].token, UINT64_MAX);
	assert_int_equal(back.sessions[0].files[1].token, 2);
	assert_string_equal(back.sessions[0].files[0].handler, "memfd-v2");
	assert_int_equal(back.regions[0].size, 2 << 20);
	assert_string_equal(back.blobs[1].sha256, m.blobs[1].sha256);
	assert_string_equal(back.taken, m.taken);
	assert_null(back.release);
	kt_manifest_free(&back);
	free(text);
	/* The longest name the kernel takes, every byte not UTF-8: it reads back twice as long. */
	free(m.sessions[2].name);
	m.sessions[2].name = kt_calloc(1, LUO_SESSION_NAME_LEN);
	memset(m.sessions[2].name, 0xff, LUO_SESSION_NAME_LEN - 1);
	text = manifest_text(&m);
	if (kt_manifest_parse((uint8_t *)text, strlen(text), &back, err, sizeof(err)))
		fail_msg("parse: %s", err);
	assert_int_equal(strlen(back.sessions[2].name), 2 * (LUO_SESSION_NAME_LEN - 1));
	kt_manifest_free(&back);
	kt_manifest_free(&m);
	free(text);
}

static void test_manifest_needs_luo_state(void **state)
{
	struct layout l = {0};
	struct kt_manifest m;
	char err[ERRLEN];
	struct snap x;

	(void)state;
	snap_load(&x, &l);
	assert_int_equal(kt_manifest_build(&x.c, &m, err, sizeof(err)), -ENODATA);
	assert_non_null(strstr(err, "cannot list the LUO sessions"));
	snap_free(&x);
}

#define MF_HEAD                                                                                              \
	"{\"schema_version\":1,\"kind\":\"kho-tools-manifest\",\"kernel_release\":null,\"taken\":null,"
#define MF_EMPTY_TAIL "\"reserve_mem\":[],\"subtrees\":[]}"
#define SHA	      "0000000000000000000000000000000000000000000000000000000000000000"

static void test_manifest_parse_refuses(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    /* Syntax, as jansson reports it with the line and column. */
	    {"", "line 1, column 0: '[' or '{' expected near end of file"},
	    {"[]", "not a JSON object"},
	    {"{", "string or '}' expected"},
	    {"{\"schema_version\":1", "'}' expected"},
	    {"{\"schema_version\":1}", "no \"kind\""},
	    {"{\"schema_version\":2,\"kind\":\"kho-tools-manifest\"}", "schema_version 2"},
	    {"{\"schema_version\":1,\"kind\":\"snapshot\"}", "not a kho-tools-manifest"},
	    {"{\"schema_version\":\"1\"}", "expected a number, found a string"},
	    {"{\"schema_version\":-1}", "negative"},
	    {"{\"schema_version\":1.0}", "not an integer"},
	    {"{\"schema_version\":1e0}", "not an integer"},
	    {"{\"schema_version\":01}", "invalid token"},
	    {"{\"schema_version\":18446744073709551616}", "too big integer"},
	    {"{\"a\":1,\"a\":2}", "duplicate object key"},
	    {"{\"a\":\"\\u0000\"}", "\\u0000 is not allowed"},
	    {"{\"a\":\"\\ud800\"}", "invalid Unicode"},
	    {"{\"a\":\"\\x\"}", "invalid escape"},
	    {"{\"a\":\"\\u12\"}", "invalid escape"},
	    {"{\"a\":\"a\nb\"}", "unexpected newline"},
	    {"{\"a\":\"abc", "premature end of input"},
	    {"{\"a\":\"\xff\"}", "unable to decode byte 0xff"},
	    {"{\"a\":tru}", "invalid token"},
	    {"{\"a\":[1,]}", "unexpected token"},
	    {"{\"a\":1,}", "string or '}' expected"},
	    {"{} {}", "end of file expected"},
	    {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "nested too deep"},
	    /* The schema, each refusal naming its path. */
	    {MF_HEAD "\"sessions\":{}," MF_EMPTY_TAIL, "sessions: expected an array"},
	    {MF_HEAD "\"sessions\":[],"
		     "\"subtrees\":[]}",
	     "no \"reserve_mem\""},
	    {MF_HEAD "\"sessions\":[1]," MF_EMPTY_TAIL, "sessions[0]: expected an object"},
	    {MF_HEAD "\"sessions\":[{\"files\":[]}]," MF_EMPTY_TAIL, "sessions[0]: no \"name\""},
	    {MF_HEAD "\"sessions\":[{\"name\":\"\",\"files\":[]}]," MF_EMPTY_TAIL, "empty or longer"},
	    {MF_HEAD
	     "\"sessions\":[{\"name\":\"a\",\"files\":[]},{\"name\":\"a\",\"files\":[]}]," MF_EMPTY_TAIL,
	     "listed twice"},
	    {MF_HEAD "\"sessions\":[{\"name\":\"a\",\"files\":[{\"token\":1}]}]," MF_EMPTY_TAIL,
	     "sessions[0].files[0]: no \"handler\""},
	    {MF_HEAD "\"sessions\":[{\"name\":\"a\",\"files\":[{\"token\":\"1x\",\"handler\":\"h\"}]}]"
		     "," MF_EMPTY_TAIL,
	     "sessions[0].files[0].token: \"1x\" is not a decimal number"},
	    {MF_HEAD
	     "\"sessions\":[{\"name\":\"a\",\"files\":[{\"token\":true,\"handler\":\"h\"}]}]," MF_EMPTY_TAIL,
	     "sessions[0].files[0].token: expected a number, found a boolean"},
	    {MF_HEAD "\"sessions\":[{\"name\":\"a\",\"files\":[{\"token\":1,\"handler\":\"h\"},"
		     "{\"token\":1,\"handler\":\"h\"}]}]," MF_EMPTY_TAIL,
	     "1 listed twice"},
	    {MF_HEAD "\"sessions\":[{\"name\":\"a\",\"files\":[{\"token\":1,\"handler\":\"h\",\"size\":"
		     "\"1\"}]}]," MF_EMPTY_TAIL,
	     "expected a number or null"},
	    {MF_HEAD "\"sessions\":[],\"reserve_mem\":[{\"name\":\"r\",\"start\":4096,\"size\":1}],"
		     "\"subtrees\":[]}",
	     "reserve_mem[0].start: expected a string"},
	    {MF_HEAD "\"sessions\":[],\"reserve_mem\":[{\"name\":\"r\",\"start\":\"4096\",\"size\":1}],"
		     "\"subtrees\":[]}",
	     "expected \"0x...\""},
	    {MF_HEAD "\"sessions\":[],\"reserve_mem\":[],\"subtrees\":[{\"name\":\"a/"
		     "b\",\"size\":1,\"sha256\":\"" SHA "\",\"content\":true}]}",
	     "holds a '/'"},
	    {MF_HEAD "\"sessions\":[],\"reserve_mem\":[],\"subtrees\":[{\"name\":\"a\",\"size\":1,"
		     "\"sha256\":\"ABC\","
		     "\"content\":true}]}",
	     "64 lowercase hex"},
	    {MF_HEAD "\"sessions\":[],\"reserve_mem\":[],\"subtrees\":[{\"name\":\"a\",\"size\":1,"
		     "\"sha256\":\"" SHA "\",\"content\":1}]}",
	     "expected a boolean"},
	};
	struct kt_manifest m;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		if (!kt_manifest_parse((const uint8_t *)cases[i].text, strlen(cases[i].text), &m, err,
				       sizeof(err)))
			fail_msg("accepted: %s", cases[i].text);
		if (!strstr(err, cases[i].msg))
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].text, err, cases[i].msg);
		assert_null(m.sessions);
	}
}

static void test_manifest_parse_accepts(void **state)
{
	/*
	 * Whitespace anywhere, unknown keys (fields are only ever added), \u escapes, a token
	 * past 2^63-1 as the writer puts it (a decimal string).
	 */
	static const char text[] =
	    " {\n\t\"schema_version\" : 1 , \"kind\":\"kho-tools-manifest\",\"future\":{\"x\":[true,null]},"
	    "\"kernel_release\":\"7.3\",\"taken\":null,\"sessions\":[{\"name\":\"s\\u00e9\\u20ac\",\"files\":"
	    "[{\"token\":\"18446744073709551615\",\"handler\":\"memfd-v2\",\"size\":null}]}],\"reserve_mem\":"
	    "[{\"name\":\"r\",\"start\":\"0xFfFf0000\",\"size\":0}],\"subtrees\":[]}\r\n";
	struct kt_manifest m;
	char err[ERRLEN];

	(void)state;
	if (kt_manifest_parse((const uint8_t *)text, strlen(text), &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(m.release, "7.3");
	assert_null(m.taken);
	assert_string_equal(m.sessions[0].name, "s\xc3\xa9\xe2\x82\xac");
	assert_int_equal(m.sessions[0].files[0].token, UINT64_MAX);
	assert_false(m.sessions[0].files[0].has_size);
	assert_int_equal(m.regions[0].start, 0xffff0000ULL);
	kt_manifest_free(&m);
}

struct seen {
	char lines[16][256];
	size_t n;
};

static void on_problem(void *ctx, enum kt_mf_kind kind, const char *name, const char *change, const char *msg)
{
	struct seen *s = ctx;

	if (s->n < 16)
		snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s %s %s: %s", kt_mf_kind_name[kind], change,
			 name, msg);
}

/* One verification: the manifest of the "before" snapshot (edit may change it) against layout l. */
struct vcase {
	struct kt_manifest m;
	struct seen s;
	struct kt_verify_counts n;
	char err[ERRLEN];
	int ret;
};

static void verify_case(const struct layout *l, void (*edit)(struct kt_manifest *m), struct vcase *v)
{
	static const struct kt_verify_ops ops = {on_problem};
	struct snap x;

	memset(v, 0, sizeof(*v));
	build_before(&v->m);
	if (edit)
		edit(&v->m);
	snap_load(&x, l);
	v->ret = kt_manifest_verify(&v->m, &x.c, &ops, &v->s, &v->n, v->err, ERRLEN);
	snap_free(&x);
}

/* The problems, in order, each starting with its want line. */
static void expect_lines(struct vcase *v, const char *const *want, size_t n)
{
	size_t i;

	assert_int_equal(v->ret, 0);
	if (v->s.n != n || v->n.problems != n) {
		for (i = 0; i < v->s.n; i++)
			print_message("  %s\n", v->s.lines[i]);
		fail_msg("%zu problems, want %zu", v->s.n, n);
	}
	for (i = 0; i < n; i++)
		if (strncmp(v->s.lines[i], want[i], strlen(want[i])))
			fail_msg("problem %zu: \"%s\", want \"%s\"", i, v->s.lines[i], want[i]);
	kt_manifest_free(&v->m);
}

static void test_verify_all_arrived(void **state)
{
	struct layout l = {.in = true, .state = &state_after, .meta_in = 1};
	struct vcase v;

	(void)state;
	verify_case(&l, NULL, &v);
	assert_int_equal(v.n.sessions, 3);
	assert_int_equal(v.n.files, 3);
	assert_int_equal(v.n.regions, 1);
	assert_int_equal(v.n.blobs, 3);
	expect_lines(&v, NULL, 0);
}

/* One more file in the manifest than the agent preserved. */
static void add_token_7(struct kt_manifest *m)
{
	m->sessions[0].files = realloc(m->sessions[0].files, 3 * sizeof(*m->sessions[0].files));
	m->sessions[0].files[2] = (struct kt_mf_file){7, kt_strdup("memfd-v2"), true, 4 << 20};
	m->sessions[0].nr_files = 3;
}

static void test_verify_losses(void **state)
{
	static const struct t_state lossy = {
	    {
		{"vm-0", KT_SESS_INCOMING, -1, -1, "", 2, {MEMFD(1, 4194304), MEMFD(2, 4096)}},
		{"vm-1", KT_SESS_INCOMING, -1, -1, "", 1, {{"memfd-v3", 100001, 1048576, 0}}},
		{"vm-3", KT_SESS_OUTGOING, 5, 3, "a", 0, {{0}}},
	    },
	    {{0}},
	};
	static const char *const want[] = {
	    "subtree changed kexec-metadata: changed subtree kexec-metadata: content (sha256 ",
	    "subtree changed memblock: changed subtree memblock: content (sha256 ",
	    "reserve_mem changed kt_mem: changed reserve-mem kt_mem: 0x7ca00000+2097152 -> "
	    "0x7ca00000+1048576",
	    "file changed vm-0/2: changed file vm-0 token=2: size 4194304 -> 4096",
	    "file missing vm-0/7: missing file vm-0 token=7 (memfd-v2, 4 MiB)",
	    "file changed vm-1/100001: changed file vm-1 token=100001: handler memfd-v2 -> memfd-v3",
	    "session missing vm-3: missing session vm-3 (0 files)",
	};
	struct layout l = {.in = true, .meta_in = 2, .region_size = 1 << 20, .state = &lossy};
	struct vcase v;

	(void)state;
	verify_case(&l, add_token_7, &v);
	expect_lines(&v, want, KT_ARRAY_SIZE(want));
}

/* The manifest saw memfd-v2's FLB with 2 files (fewer than the 3 that arrive) or 4 (more). */
static void add_flb(struct kt_manifest *m, uint64_t files)
{
	KT_GROW(m->flbs, m->cap_flbs, m->nr_flbs + 1);
	m->flbs[m->nr_flbs++] = (struct kt_mf_flb){kt_strdup("memfd-v2"), files, 4096};
}

static void flb_saw_2(struct kt_manifest *m)
{
	add_flb(m, 2);
}

static void flb_saw_4(struct kt_manifest *m)
{
	add_flb(m, 4);
}

/* Files preserved after the manifest was saved (systemd-shutdown's) are no loss; fewer files are. */
static void test_verify_flb_counts(void **state)
{
	static const char *const fewer[] = {"flb changed memfd-v2: changed flb memfd-v2: files 4 -> 3"};
	struct layout l = {.in = true, .state = &state_after, .meta_in = 1};
	struct vcase v;

	(void)state;
	verify_case(&l, flb_saw_2, &v);
	assert_int_equal(v.n.flbs, 1);
	expect_lines(&v, NULL, 0);
	verify_case(&l, flb_saw_4, &v);
	expect_lines(&v, fewer, KT_ARRAY_SIZE(fewer));
}

static void test_verify_no_incoming(void **state)
{
	static const char *const want[] = {
	    "state missing in: no incoming KHO state (no in/): this kernel was not started by a KHO "
	    "kexec",
	};
	struct layout l = {.state = &state_before};
	struct vcase v;

	(void)state;
	verify_case(&l, NULL, &v);
	expect_lines(&v, want, 1);
}

static void test_verify_memblock_gone(void **state)
{
	/* Sub-blobs are checked first. */
	static const char *const want[] = {
	    "subtree missing memblock: missing subtree memblock (210 bytes)",
	    "reserve_mem missing kt_mem: missing reserve-mem kt_mem (no in/sub_fdts/memblock)",
	};
	struct layout l = {.in = true, .no_in_memblock = true, .state = &state_after, .meta_in = 1};
	struct vcase v;

	(void)state;
	verify_case(&l, NULL, &v);
	expect_lines(&v, want, 2);
}

static void test_verify_cannot_tell(void **state)
{
	struct layout l = {.in = true, .stale_luo = true, .meta_in = 1, .state = &state_empty};
	struct vcase v;

	(void)state;
	verify_case(&l, NULL, &v);
	assert_int_equal(v.ret, -ENODATA);
	assert_non_null(strstr(v.err, "cannot tell whether the sessions arrived"));
	assert_int_equal(v.s.n, 0);
	kt_manifest_free(&v.m);
}

/* ---- finalize / abort (a directory laid out like 6.16-6.19 debugfs, KHO_TOOLS_DEBUGFS) ---- */

static void live_load(const char *dir, struct kt_snapshot *s)
{
	char err[ERRLEN];

	setenv("KHO_TOOLS_DEBUGFS", dir, 1);
	if (kt_snapshot_load(NULL, s, err, sizeof(err)))
		fail_msg("load: %s", err);
	unsetenv("KHO_TOOLS_DEBUGFS");
}

/* The plan for s, through a state of its own (the plan keeps nothing of it). */
static int plan(const struct kt_snapshot *s, int target, struct kt_finalize_plan *p)
{
	struct kt_state st;
	int ret;

	kt_state_init(&st, s);
	ret = kt_finalize_plan(&st, target, p);
	kt_state_free(&st);
	return ret;
}

static void test_finalize_write(void **state)
{
	struct layout l = {0};
	struct kt_finalize_plan p;
	struct kt_snapshot s;
	char *dir = td_make(), *path;
	uint8_t *buf;
	size_t len;
	int now = -1;

	(void)state;
	write_tree(dir, &l);
	td_write_str(dir, "out/finalize", "0\n");
	live_load(dir, &s);
	assert_int_equal(plan(&s, 1, &p), 0);
	assert_int_equal(p.current, 0);
	assert_int_equal(kt_finalize_apply(&p, &now), 0);
	assert_int_equal(now, 1);
	path = td_path(dir, "out/finalize");
	assert_int_equal(kt_read_file(path, 64, &buf, &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(buf, "1\n", 2);
	free(buf);
	free(path);
	kt_finalize_plan_free(&p);
	kt_snapshot_free(&s);
	/* Now finalized: finalize has nothing to do; abort (6.16-6.18) would write 0. */
	live_load(dir, &s);
	assert_int_equal(plan(&s, 1, &p), 0);
	assert_int_equal(p.current, 1);
	kt_finalize_plan_free(&p);
	if (!access(LIVEUPDATE_DEV, F_OK)) {
		kt_snapshot_free(&s);
		td_remove(dir);
		skip();
	}
	assert_int_equal(plan(&s, 0, &p), 0);
	assert_false(p.is_619);
	assert_int_equal(kt_finalize_apply(&p, &now), 0);
	assert_int_equal(now, 0);
	kt_finalize_plan_free(&p);
	kt_snapshot_free(&s);
	td_remove(dir);
}

static void test_finalize_refusals(void **state)
{
	struct layout l = {0};
	struct kt_finalize_plan p;
	struct kt_snapshot s;
	char *dir = td_make();
	struct fb fb;
	struct fb_blob v1;

	(void)state;
	write_tree(dir, &l);
	/* 7.x: no control at all. */
	live_load(dir, &s);
	assert_int_equal(plan(&s, 1, &p), -ENOTSUP);
	assert_non_null(strstr(p.reason, "preflight"));
	kt_finalize_plan_free(&p);
	kt_snapshot_free(&s);
	/* An unreadable value. */
	td_write_str(dir, "out/finalize", "x\n");
	live_load(dir, &s);
	assert_int_equal(plan(&s, 1, &p), -EBADMSG);
	kt_finalize_plan_free(&p);
	kt_snapshot_free(&s);
	/* 6.19: a luo-v1 LUO sub-tree; finalize yes, abort no. */
	td_write_str(dir, "out/finalize", "1\n");
	fb_start(&fb);
	fb_str(&fb, "compatible", "luo-v1");
	fb_u64(&fb, "liveupdate-number", 3);
	v1 = fb_finish(&fb);
	td_write_blob(dir, "out/sub_fdts/LUO", &v1);
	live_load(dir, &s);
	assert_int_equal(plan(&s, 0, &p), -ENOTSUP);
	assert_true(p.is_619);
	assert_non_null(strstr(p.reason, "6.19"));
	kt_finalize_plan_free(&p);
	assert_int_equal(plan(&s, 1, &p), 0);
	kt_finalize_plan_free(&p);
	/* The live-update number of the 6.19 layout: out's minus one. */
	{
		struct kt_state st;
		uint64_t num;

		kt_state_init(&st, &s);
		assert_int_equal(kt_fact_liveupdate_number(&st, &num), 0);
		assert_int_equal(num, 2);
		kt_state_free(&st);
	}
	kt_snapshot_free(&s);
	fb_free(&v1);
	td_remove(dir);
}

/* ---- preflight: process checks against a fabricated /proc ------------------------- */

static void fake_proc(const char *root, int pid, const char *comm, int sid, int tty, const char *cgroup,
		      bool holds)
{
	char rel[128], text[256], *link;

	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	snprintf(text, sizeof(text), "%d (%s) S 1 %d %d %d -1 4194560 0 0 0 0\n", pid, comm, sid, sid, tty);
	td_write_str(root, rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	td_write_str(root, rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
	td_write_str(root, rel, cgroup);
	snprintf(rel, sizeof(rel), "proc/%d/fd/0", pid);
	td_write_str(root, rel, "");
	if (holds) {
		snprintf(rel, sizeof(rel), "proc/%d/fd/3", pid);
		link = td_path(root, rel);
		unlink(link);
		assert_int_equal(symlink(LIVEUPDATE_DEV, link), 0);
		free(link);
	}
}

static const struct kt_check *find_check(const struct kt_preflight *p, const char *name, const char *in_msg)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->checks[i].name, name) && (!in_msg || strstr(p->checks[i].msg, in_msg)))
			return &p->checks[i];
	return NULL;
}

static void run_preflight(const char *root, struct kt_preflight *p)
{
	char *kho = td_path(root, "kho"), *proc = td_path(root, "proc"),
	     *loaded = td_path(root, "kexec_loaded");
	struct kt_preflight_env env = {.proc = proc, .kexec_loaded = loaded, .liveupdate = LIVEUPDATE_DEV};

	setenv("KHO_TOOLS_DEBUGFS", kho, 1);
	setenv("KHO_TOOLS_KCORE", "/nonexistent/kcore", 1);
	kt_preflight_run(&env, p);
	unsetenv("KHO_TOOLS_DEBUGFS");
	unsetenv("KHO_TOOLS_KCORE");
	free(kho);
	free(proc);
	free(loaded);
}

static void print_checks(const struct kt_preflight *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		print_message("  %s %s %s\n", kt_check_status_name[p->checks[i].status], p->checks[i].name,
			      p->checks[i].msg);
}

#define assert_check(p, name, in_msg, st)                                                                    \
	do {                                                                                                 \
		const struct kt_check *c_ = find_check((p), (name), (in_msg));                               \
		if (!c_ || c_->status != (st)) {                                                             \
			print_checks(p);                                                                     \
			fail_msg("no %s check %s with \"%s\"", kt_check_status_name[st], name,               \
				 (in_msg) ? (in_msg) : "");                                                  \
		}                                                                                            \
	} while (0)

/* A directory holding kho/ (the outgoing tree, in 7.4's layout when bootmem) for preflight; *kho its path. */
static char *preflight_root_as(char **kho, bool bootmem)
{
	struct layout l = {.bootmem = bootmem};
	char *root = td_make();

	*kho = td_path(root, "kho");
	assert_int_equal(mkdir(*kho, 0755), 0);
	write_tree(*kho, &l);
	return root;
}

static char *preflight_root(char **kho)
{
	return preflight_root_as(kho, false);
}

static void test_preflight_shell_holder(void **state)
{
	struct kt_preflight p;
	char *kho, *root = preflight_root(&kho);

	(void)state;
	td_write_str(root, "kexec_loaded", "1\n");
	fake_proc(root, 4242, "bash", 4242, 34816, "0::/user.slice/user-0.slice/session-3.scope\n", true);
	run_preflight(root, &p);
	assert_check(&p, "debugfs", NULL, KT_CHECK_OK);
	assert_check(&p, "kho", NULL, KT_CHECK_OK);
	assert_check(&p, "luo", "out/sub_fdts/LUO", KT_CHECK_OK);
	assert_check(&p, "kcore", NULL, KT_CHECK_WARN);
	assert_check(&p, "scratch", "2 scratch area(s)", KT_CHECK_OK);
	assert_check(&p, "overlap", "not checked", KT_CHECK_WARN);
	assert_check(&p, "agent", "pid 4242 (bash, unit session-3.scope)", KT_CHECK_OK);
	assert_check(&p, "shell", "a shell holds LUO fds", KT_CHECK_FAIL);
	assert_check(&p, "kexec", NULL, KT_CHECK_OK);
	assert_check(&p, "finalize", "not needed", KT_CHECK_OK);
	assert_int_equal(kt_preflight_verdict(&p), 1);
	kt_preflight_free(&p);
	free(kho);
	td_remove(root);
}

static void test_preflight_terminal_session(void **state)
{
	struct kt_preflight p;
	char *kho, *root = preflight_root(&kho);

	(void)state;
	td_write_str(kho, "out/finalize", "0\n");
	td_write_str(root, "kexec_loaded", "0\n");
	fake_proc(root, 4000, "zsh", 4000, 34817, "0::/user.slice/user-0.slice/session-3.scope\n", false);
	fake_proc(root, 4242, "my-agent", 4000, 34817, "0::/user.slice/user-0.slice/session-3.scope\n", true);
	run_preflight(root, &p);
	assert_check(&p, "shell", "terminal session of pid 4000 (zsh)", KT_CHECK_WARN);
	assert_check(&p, "kexec", "no kexec image loaded", KT_CHECK_FAIL);
	if (access(LIVEUPDATE_DEV, F_OK))
		assert_check(&p, "finalize", "not finalized", KT_CHECK_FAIL);
	assert_int_equal(kt_preflight_verdict(&p), 1);
	kt_preflight_free(&p);

	/* A service, finalized, an image loaded: go (with warnings). */
	td_write_str(kho, "out/finalize", "1\n");
	td_write_str(root, "kexec_loaded", "1\n");
	fake_proc(root, 4242, "my-agent", 1, 0, "0::/system.slice/my-agent.service\n", true);
	run_preflight(root, &p);
	assert_check(&p, "agent", "unit my-agent.service", KT_CHECK_OK);
	assert_check(&p, "shell", NULL, KT_CHECK_OK);
	assert_check(&p, "finalize", "finalized", KT_CHECK_OK);
	assert_int_equal(kt_preflight_verdict(&p), 0);
	kt_preflight_free(&p);
	free(kho);
	td_remove(root);
}

static void test_preflight_no_kho(void **state)
{
	struct kt_preflight p;
	char *root = td_make();

	(void)state;
	td_write_str(root, "kexec_loaded", "1\n");
	run_preflight(root, &p);
	assert_check(&p, "kho", "not enabled", KT_CHECK_FAIL);
	assert_check(&p, "kexec", NULL, KT_CHECK_OK);
	assert_int_equal(kt_preflight_verdict(&p), 1);
	kt_preflight_free(&p);
	td_remove(root);
}

static void test_proc_unit(void **state)
{
	static const struct {
		const char *cgroup, *unit;
	} cases[] = {
	    {"0::/system.slice/kho-agent.service\n", "kho-agent.service"},
	    {"0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service\n", "foo.service"},
	    {"0::/user.slice/user-0.slice/session-3.scope\n", "session-3.scope"},
	    {"12:cpu:/x\n1:name=systemd:/system.slice/old.service\n", "old.service"},
	    {"0::/\n", NULL},
	    {"0::/init.scope/extra\n", "init.scope"},
	    {"0::/system.slice/.service\n", NULL},
	};
	char *root = td_make(), *proc = td_path(root, "proc");
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		char *unit;

		td_write_str(root, "proc/7/cgroup", cases[i].cgroup);
		unit = kt_procfs_unit(proc, 7);
		if (cases[i].unit ? !unit || strcmp(unit, cases[i].unit) : unit != NULL)
			fail_msg("%s: %s, want %s", cases[i].cgroup, unit ? unit : "none",
				 cases[i].unit ? cases[i].unit : "none");
		free(unit);
	}
	assert_null(kt_procfs_unit(proc, 8));
	assert_true(kt_is_shell("bash"));
	assert_true(kt_is_shell("sh"));
	assert_false(kt_is_shell("kho-agent"));
	assert_false(kt_is_shell("bash2"));
	free(proc);
	td_remove(root);
}

/* ---- metrics: a strict parser of the Prometheus text exposition format ---------------- */

struct prom {
	char **series; /* name{sorted labels} */
	size_t nseries;
	char **families; /* in order of first appearance */
	char **types;
	bool *help, *closed;
	size_t nfam;
	long cur; /* the family of the previous line */
};

static bool name_ok(const char *s, size_t n, bool label)
{
	size_t i;

	if (!n || isdigit((unsigned char)s[0]))
		return false;
	if (label && n >= 2 && s[0] == '_' && s[1] == '_')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && (label || s[i] != ':'))
			return false;
	return true;
}

static long family(struct prom *p, const char *name, size_t n, bool add)
{
	size_t i;

	for (i = 0; i < p->nfam; i++)
		if (strlen(p->families[i]) == n && !strncmp(p->families[i], name, n))
			return (long)i;
	if (!add)
		return -1;
	p->families = realloc(p->families, (p->nfam + 1) * sizeof(char *));
	p->types = realloc(p->types, (p->nfam + 1) * sizeof(char *));
	p->help = realloc(p->help, (p->nfam + 1) * sizeof(bool));
	p->closed = realloc(p->closed, (p->nfam + 1) * sizeof(bool));
	p->families[p->nfam] = strndup(name, n);
	p->types[p->nfam] = NULL;
	p->help[p->nfam] = false;
	p->closed[p->nfam] = false;
	return (long)p->nfam++;
}

/* Lines of one family are contiguous: switching to another closes the previous one. */
static const char *enter(struct prom *p, long f)
{
	if (p->closed[f])
		return "family reappears after another one";
	if (p->cur >= 0 && p->cur != f)
		p->closed[p->cur] = true;
	p->cur = f;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One label value up to its closing quote; NULL or what is wrong. */
static const char *label_value(const char **q, char *val, size_t len)
{
	size_t vn = 0;

	while (**q != '"') {
		if (!**q || **q == '\n' || vn + 2 >= len)
			return "unterminated label value";
		if (**q == '\\') {
			(*q)++;
			if (**q != '\\' && **q != '"' && **q != 'n')
				return "bad escape in a label value";
		}
		val[vn++] = *(*q)++;
	}
	val[vn] = '\0';
	(*q)++;
	return NULL;
}

/* Record the series (name and sorted labels); a repeat is an error. */
static const char *add_series(struct prom *p, const char *name, size_t n, char **labels, size_t nl)
{
	char *s = strndup(name, n), *t;
	size_t i;

	qsort(labels, nl, sizeof(char *), cmp_str);
	for (i = 0; i < nl; i++) {
		if (asprintf(&t, "%s|%s", s, labels[i]) < 0)
			abort();
		free(s);
		s = t;
	}
	for (i = 0; i < p->nseries; i++)
		if (!strcmp(p->series[i], s)) {
			free(s);
			return "duplicate series";
		}
	p->series = realloc(p->series, (p->nseries + 1) * sizeof(char *));
	p->series[p->nseries++] = s;
	return NULL;
}

static const char *prom_value(const char *q)
{
	char *end;

	if (!strcmp(q, "NaN") || !strcmp(q, "+Inf") || !strcmp(q, "-Inf"))
		return NULL;
	errno = 0;
	strtod(q, &end);
	if (end == q || errno || (*end && *end != ' '))
		return "value is not a float";
	if (*end == ' ') {
		strtoll(end + 1, &end, 10);
		if (*end)
			return "bad timestamp";
	}
	return NULL;
}

/* One sample line; returns NULL or what is wrong. */
static const char *prom_sample(struct prom *p, const char *l)
{
	size_t nl = 0, n = strcspn(l, "{ "), i;
	const char *q = l + n, *why = NULL;
	char *labels[32];
	long f;

	if (!name_ok(l, n, false))
		return "bad metric name";
	f = family(p, l, n, false);
	if (f < 0 || !p->types[f])
		return "sample before its TYPE";
	if ((why = enter(p, f)))
		return why;
	if (*q == '{') {
		q++;
		while (!why && *q != '}') {
			char val[512];
			size_t ln = strcspn(q, "=");

			if (!name_ok(q, ln, true) || q[ln] != '=' || q[ln + 1] != '"' || nl == 32) {
				why = "bad label name";
				break;
			}
			for (i = 0; i < nl; i++)
				if (!strncmp(labels[i], q, ln) && labels[i][ln] == '=')
					why = "duplicate label";
			if (why)
				break;
			if (asprintf(&labels[nl], "%.*s=", (int)ln, q) < 0)
				abort();
			q += ln + 2;
			why = label_value(&q, val, sizeof(val));
			if (why) {
				free(labels[nl]);
				break;
			}
			{
				char *kv;

				if (asprintf(&kv, "%s%s", labels[nl], val) < 0)
					abort();
				free(labels[nl]);
				labels[nl++] = kv;
			}
			if (*q == ',' && q[1] != '}')
				q++;
			else if (*q != '}')
				why = "expected ',' or '}' after a label";
		}
		q++;
	}
	if (!why && *q++ != ' ')
		why = "no space before the value";
	if (!why)
		why = prom_value(q);
	if (!why)
		why = add_series(p, l, n, labels, nl);
	for (i = 0; i < nl; i++)
		free(labels[i]);
	return why;
}

static const char *prom_comment(struct prom *p, const char *l)
{
	static const char *const types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
	bool help = !strncmp(l, "# HELP ", 7), type = !strncmp(l, "# TYPE ", 7);
	const char *name = l + 7, *rest, *why;
	size_t n = strcspn(name, " "), i;
	long f;

	if (!help && !type)
		return "a comment that is neither HELP nor TYPE";
	if (!name_ok(name, n, false) || name[n] != ' ')
		return "bad metric name in a comment";
	rest = name + n + 1;
	f = family(p, name, n, true);
	if ((why = enter(p, f)))
		return why;
	if (help) {
		if (p->help[f] || p->types[f])
			return "HELP repeated or after TYPE";
		for (; *rest; rest++)
			if (*rest == '\\' && rest[1] != '\\' && rest[1] != 'n')
				return "bad escape in HELP";
			else if (*rest == '\\')
				rest++;
		p->help[f] = true;
		return NULL;
	}
	if (p->types[f])
		return "TYPE repeated";
	for (i = 0; i < KT_ARRAY_SIZE(types) && strcmp(rest, types[i]); i++)
		;
	if (i == KT_ARRAY_SIZE(types))
		return "unknown TYPE";
	if (!strcmp(rest, "counter") && (n < 6 || strncmp(name + n - 6, "_total", 6)))
		return "a counter without _total";
	p->types[f] = strdup(rest);
	return NULL;
}

static void prom_free(struct prom *p)
{
	size_t i;

	for (i = 0; i < p->nfam; i++) {
		free(p->families[i]);
		free(p->types[i]);
	}
	for (i = 0; i < p->nseries; i++)
		free(p->series[i]);
	free(p->series);
	free(p->families);
	free(p->types);
	free(p->help);
	free(p->closed);
}

/* Every line of text; NULL, or what is wrong with which line (in why). *samples: the series. */
static const char *prom_validate(const char *text, size_t *samples, char *why, size_t whylen)
{
	struct prom p = {.cur = -1};
	char *copy = strdup(text), *line, *next;
	const char *bad = NULL;
	size_t lineno = 0, i;

	if (!text[0] || text[strlen(text) - 1] != '\n') {
		bad = "the last line does not end with a newline";
		snprintf(why, whylen, "%s", bad);
	}
	for (line = copy; !bad && *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (!*line)
			bad = "empty line";
		else if (line[0] == '#')
			bad = prom_comment(&p, line);
		else
			bad = prom_sample(&p, line);
		if (!bad && strncmp(line[0] == '#' ? line + 7 : line, "kho_", 4))
			bad = "a name without the kho_ prefix";
		if (bad)
			snprintf(why, whylen, "line %zu: %s: %s", lineno, bad, line);
	}
	for (i = 0; !bad && i < p.nfam; i++)
		if (!p.help[i] || !p.types[i]) {
			bad = "a family lacks HELP or TYPE";
			snprintf(why, whylen, "%s: %s", bad, p.families[i]);
		}
	*samples = p.nseries;
	prom_free(&p);
	free(copy);
	return bad ? why : NULL;
}

static size_t prom_check(const char *text)
{
	char why[512];
	size_t n;

	if (prom_validate(text, &n, why, sizeof(why)))
		fail_msg("exposition %s\n%s", why, text);
	return n;
}

static void test_prom_parser_accepts(void **state)
{
	(void)state;
	assert_int_equal(prom_check("# HELP kho_a x\n# TYPE kho_a gauge\nkho_a 1\n"), 1);
	assert_int_equal(prom_check("# HELP kho_a_total x\\n\\\\y\n# TYPE kho_a_total counter\n"
				    "kho_a_total{l=\"a\\\"b\\\\c\\nd\",m=\"\"} 1.5e3 1700000000\n"
				    "kho_a_total{l=\"b\"} +Inf\n"),
			 2);
}

/* The checker refuses each kind of bad exposition, for the reason it names. */
static void test_prom_parser_refuses(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"kho_a 1\n", "sample before its TYPE"},
	    {"# TYPE kho_a gauge\n# TYPE kho_a gauge\n", "TYPE repeated"},
	    {"# TYPE kho_a gauge\n# HELP kho_a x\n", "HELP repeated or after TYPE"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a 1\nkho_a 2\n", "duplicate series"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{l=\"x\",k=\"y\"} 1\nkho_a{k=\"y\",l=\"x\"} 1\n",
	     "duplicate series"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{l=\"x\",l=\"y\"} 1\n", "duplicate label"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{l=\"a\\tb\"} 1\n", "bad escape in a label value"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{l=\"a\nb\"} 1\n", "unterminated label value"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{__l=\"a\"} 1\n", "bad label name"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{1l=\"a\"} 1\n", "bad label name"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{l=\"a\",} 1\n", "expected ',' or '}'"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a one\n", "not a float"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a 1 x\n", "bad timestamp"},
	    {"# HELP kho_a x\n# TYPE kho_a counter\nkho_a 1\n", "counter without _total"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\n# HELP kho_b x\n# TYPE kho_b gauge\nkho_a 1\n",
	     "family reappears"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\n\nkho_a 1\n", "empty line"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho-a 1\n", "bad metric name"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a{l=\"x\"}1\n", "no space before the value"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a 1", "does not end with a newline"},
	    {"# HELP kho_a x\n# TYPE kho_a gauge\nkho_a 1\n# HELP kho_b x\n", "lacks HELP or TYPE"},
	    {"# HELP a x\n# TYPE a gauge\na 1\n", "kho_ prefix"},
	    {"# TYPE kho_a gaug\n", "unknown TYPE"},
	    {"# HELP kho_a x \\q\n", "bad escape in HELP"},
	    {"# kho_a\n", "neither HELP nor TYPE"},
	};
	char why[512];
	size_t i, n;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		if (!prom_validate(bad[i].text, &n, why, sizeof(why)))
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(why, bad[i].why))
			fail_msg("\"%s\" lacks \"%s\" for: %s", why, bad[i].why, bad[i].text);
	}
}

static char *metrics_of(struct kt_state *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kt_metrics_write(f, c);
	fclose(f);
	return buf;
}

static void test_metrics_exposition(void **state)
{
	/* Label values that must be escaped: a quote, a backslash, a newline. */
	static const struct t_state weird = {
	    {SESSIONS_AFTER, {"q", KT_SESS_INCOMING, -1, -1, "", 1, {{"we\"ird\\\nh", 9, 1, 0}}}},
	    {{"memfd-v2", true, KT_FLB_SERIALIZED, 4096, 3}, {"we\"ird\\\nh", true, KT_FLB_RETRIEVED, 1, 1}},
	};
	struct layout before = {.state = &state_before}, after = {.in = true, .meta_in = 1, .state = &weird},
		      none = {.in = true};
	const struct layout *all[] = {&before, &after, &none};
	struct snap x;
	char *text;
	size_t i;

	(void)state;
	text = metrics_of(NULL);
	assert_int_equal(prom_check(text), 1);
	assert_non_null(strstr(text, "\nkho_enabled 0\n"));
	free(text);
	for (i = 0; i < KT_ARRAY_SIZE(all); i++) {
		snap_load(&x, all[i]);
		text = metrics_of(&x.c);
		prom_check(text);
		assert_non_null(strstr(text, "\nkho_enabled 1\n"));
		assert_non_null(strstr(text, "\nkho_preserved_memory_up 0\n"));
		if (all[i] == &before) {
			assert_non_null(strstr(text, "\nkho_luo_sessions{state=\"outgoing\"} 3\n"));
			assert_non_null(
			    strstr(text, "\nkho_luo_files{handler=\"memfd-v2\",direction=\"out\"} 3\n"));
			assert_non_null(strstr(
			    text, "\nkho_luo_file_bytes{handler=\"memfd-v2\",direction=\"out\"} 9437184\n"));
			assert_non_null(strstr(text, "\nkho_kexecs_total 0\n"));
			assert_non_null(strstr(text, "\nkho_scratch_bytes 654311424\n"));
			assert_non_null(strstr(text, "\nkho_incoming 0\n"));
		} else if (all[i] == &after) {
			assert_non_null(strstr(text, "\nkho_luo_sessions{state=\"retrieved\"} 1\n"));
			assert_non_null(strstr(
			    text, "\nkho_luo_files{handler=\"we\\\"ird\\\\\\nh\",direction=\"in\"} 1\n"));
			assert_non_null(strstr(
			    text, "\nkho_luo_flb_files{flb=\"we\\\"ird\\\\\\nh\",direction=\"in\"} 1\n"));
			assert_non_null(
			    strstr(text, "\nkho_luo_flb_state{flb=\"we\\\"ird\\\\\\nh\",direction=\"in\","
					 "state=\"retrieved\"} 1\n"));
			assert_non_null(strstr(text, "\nkho_luo_live_updates_total 1\n"));
		} else {
			assert_non_null(strstr(text, "\nkho_luo_state_up 0\n"));
			assert_null(strstr(text, "kho_luo_sessions"));
		}
		free(text);
		snap_free(&x);
	}
}

/* 7.4 names the boot areas bootmem: the same checks, in the kernel's word. */
static void test_preflight_bootmem(void **state)
{
	struct kt_preflight p;
	char *kho, *root = preflight_root_as(&kho, true), *text;
	size_t len;
	FILE *f;
	struct snap x;

	(void)state;
	td_write_str(root, "kexec_loaded", "1\n");
	run_preflight(root, &p);
	assert_check(&p, "scratch", "2 bootmem area(s), 624 MiB", KT_CHECK_OK);
	kt_preflight_free(&p);
	td_write_str(kho, "out/bootmem_phys", "");
	td_write_str(kho, "out/bootmem_len", "");
	run_preflight(root, &p);
	assert_check(&p, "scratch", "no bootmem areas in out/bootmem_phys", KT_CHECK_FAIL);
	assert_check(&p, "scratch", "kho_bootmem=", KT_CHECK_FAIL);
	kt_preflight_free(&p);
	free(kho);
	td_remove(root);
	/* metrics: the same families, and which layout. */
	snap_load(&x, &(struct layout){.bootmem = true});
	f = open_memstream(&text, &len);
	kt_metrics_write(f, &x.c);
	fclose(f);
	assert_non_null(strstr(text, "\nkho_scratch_areas 2\n"));
	assert_non_null(strstr(text, "\nkho_boot_areas_layout{word=\"bootmem\"} 1\n"));
	free(text);
	snap_free(&x);
}

/* ---- systemd's fd stores (tests/unit/fake_pid1.c serves them) ---------------------------- */

static void test_preflight_fdstore(void **state)
{
	static const char *const accept_unit[] = {"a.service"}, *const accept_fd[] = {"b.service",
										      "a.service:evt"};
	struct kt_preflight_env env = {0};
	struct fake_pid1 *pid1 = fake_pid1_start(NULL, 0, 2);
	struct kt_preflight p;
	char *kho, *root = preflight_root(&kho), *proc = td_path(root, "proc");

	(void)state;
	env.proc = proc;
	setenv("KHO_TOOLS_DEBUGFS", kho, 1);
	kt_preflight_run(&env, &p);
	/* a.service keeps its store across a kexec: its eventfd will be lost. */
	assert_check(&p, "fdstore",
		     "a.service: fd 'evt' (anon_inode:[eventfd]) will be lost across the kexec",
		     KT_CHECK_FAIL);
	assert_check(
	    &p, "fdstore",
	    "2 unit(s) keep their fd store across a kexec: 1 memfd(s) and 1 LUO session(s) carried, 1 "
	    "fd(s) lost",
	    KT_CHECK_OK);
	assert_int_equal(kt_preflight_verdict(&p), 1);
	kt_preflight_free(&p);
	/* Accepted by unit, or by unit and fd name: a warning. */
	env.accept_loss = accept_unit;
	env.nr_accept_loss = 1;
	kt_preflight_run(&env, &p);
	assert_check(&p, "fdstore", "fd 'evt'", KT_CHECK_WARN);
	kt_preflight_free(&p);
	env.accept_loss = accept_fd;
	env.nr_accept_loss = 2;
	kt_preflight_run(&env, &p);
	assert_check(&p, "fdstore", "fd 'evt'", KT_CHECK_WARN);
	kt_preflight_free(&p);
	fake_pid1_stop(pid1);
	/* No systemd: nothing to carry. */
	setenv("KHO_TOOLS_SYSTEMD_BUS", "unix:path=/nonexistent/kt-private", 1);
	kt_preflight_run(&env, &p);
	assert_check(&p, "fdstore", "no fd store to carry", KT_CHECK_OK);
	kt_preflight_free(&p);
	unsetenv("KHO_TOOLS_DEBUGFS");
	free(kho);
	free(proc);
	td_remove(root);
}

/*
 * A memfd in a store systemd does not keep across a kexec (restart, no) is lost all the
 * same, but by the unit's own choice: named, a warning, never a no-go.
 */
static void test_preflight_fdstore_not_kept(void **state)
{
	static const struct fake_unit units[] = {
	    {"r.service",
	     "loaded",
	     "/org/freedesktop/systemd1/unit/r_2eservice",
	     "restart",
	     1,
	     2,
	     {{"vol", S_IFREG | 0777, 31, "/memfd:vol (deleted)"}}},
	    {"y.service",
	     "loaded",
	     "/org/freedesktop/systemd1/unit/y_2eservice",
	     "yes",
	     1,
	     2,
	     {{"keep", S_IFREG | 0777, 32, "/memfd:keep (deleted)"}}},
	};
	static const char *const accept[] = {"r.service:vol"};
	struct kt_preflight_env env = {0};
	struct fake_pid1 *pid1 = fake_pid1_start(units, KT_ARRAY_SIZE(units), 0);
	struct kt_preflight p;
	char *kho, *root = preflight_root(&kho), *proc = td_path(root, "proc");
	size_t i, fails = 0;

	(void)state;
	env.proc = proc;
	setenv("KHO_TOOLS_DEBUGFS", kho, 1);
	kt_preflight_run(&env, &p);
	assert_check(&p, "fdstore",
		     "r.service: fd 'vol' (/memfd:vol (deleted)) will be lost across the kexec: its store is "
		     "not kept (FileDescriptorStorePreserve=restart)",
		     KT_CHECK_WARN);
	for (i = 0; i < p.n; i++)
		fails += !strcmp(p.checks[i].name, "fdstore") && p.checks[i].status != KT_CHECK_OK;
	assert_int_equal(fails, 1); /* y.service's memfd is carried */
	assert_check(&p, "fdstore", "1 unit(s) keep their fd store across a kexec: 1 memfd(s)", KT_CHECK_OK);
	kt_preflight_free(&p);
	env.accept_loss = accept;
	env.nr_accept_loss = 1;
	kt_preflight_run(&env, &p);
	assert_check(&p, "fdstore", "r.service: fd 'vol'", KT_CHECK_WARN);
	kt_preflight_free(&p);
	fake_pid1_stop(pid1);
	unsetenv("KHO_TOOLS_DEBUGFS");
	free(kho);
	free(proc);
	td_remove(root);
}

/* Stores read from the fake PID 1 (a.service, c.service), for the snapshots of these tests. */
static void read_stores(struct kt_sd_stores *st)
{
	struct fake_pid1 *pid1 = fake_pid1_start(NULL, 0, 2);
	char err[ERRLEN];

	if (kt_sd_stores_read(st, err, sizeof(err)))
		fail_msg("stores: %s", err);
	fake_pid1_stop(pid1);
}

static void test_manifest_systemd(void **state)
{
	struct kt_sd_stores st;
	struct layout l = {.state = &state_before};
	struct kt_manifest m, back;
	char err[ERRLEN], *text;
	struct snap x;

	(void)state;
	read_stores(&st);
	l.stores = &st;
	snap_load(&x, &l);
	if (kt_manifest_build(&x.c, &m, err, sizeof(err)))
		fail_msg("build: %s", err);
	snap_free(&x);
	/* What LUO keeps of the stores kept across kexec: a's memfd and session, c (empty). */
	assert_int_equal(m.nr_units, 2);
	assert_string_equal(m.units[0].unit, "a.service");
	assert_int_equal(m.units[0].nr_fds, 2);
	assert_string_equal(m.units[0].fds[0].name, "mem1");
	assert_string_equal(m.units[0].fds[0].kind, "memfd");
	assert_string_equal(m.units[0].fds[1].name, "demo");
	assert_string_equal(m.units[0].fds[1].kind, "luo_session");
	assert_string_equal(m.units[1].unit, "c.service");
	assert_int_equal(m.units[1].nr_fds, 0);
	text = manifest_text(&m);
	if (kt_manifest_parse((uint8_t *)text, strlen(text), &back, err, sizeof(err)))
		fail_msg("parse: %s\n%s", err, text);
	assert_int_equal(back.nr_units, 2);
	assert_string_equal(back.units[0].fds[1].kind, "luo_session");
	kt_manifest_free(&back);
	free(text);
	kt_manifest_free(&m);
	kt_sd_stores_free(&st);
}

/* After the kexec: the unit's memfd came back ("/ (deleted)"), its session too; one fd did not. */
/*
 * verify against systemd's stores after a kexec (a.service: mem1 and the session vm-9 as demo)
 * and the LUO state t; the manifest: a's store as it was plus an fd "gone" that will not come
 * back, and the session vm-9 (vm-0's files) in a's store under fdname.
 */
static void verify_systemd(const struct t_state *t, const char *fdname, struct vcase *v)
{
	static const struct fake_unit after[] = {
	    {"a.service",
	     "loaded",
	     "/org/freedesktop/systemd1/unit/a_2eservice",
	     "yes",
	     2,
	     8,
	     {{"mem1", S_IFREG | 0777, 1026, "/ (deleted)"},
	      {"demo", 0600, 1046, "anon_inode:[luo_session] vm-9"}}},
	};
	struct layout l = {.in = true, .state = t, .meta_in = 1};
	struct fake_pid1 *pid1;
	struct kt_sd_stores st, now;
	char err[ERRLEN];
	struct snap x;

	read_stores(&st);
	pid1 = fake_pid1_start(after, KT_ARRAY_SIZE(after), 3);
	if (kt_sd_stores_read(&now, err, sizeof(err)))
		fail_msg("stores: %s", err);
	fake_pid1_stop(pid1);
	memset(v, 0, sizeof(*v));
	snap_load(&x, &(struct layout){.state = &state_before, .stores = &st});
	if (kt_manifest_build(&x.c, &v->m, err, sizeof(err)))
		fail_msg("build: %s", err);
	snap_free(&x);
	KT_GROW(v->m.units[0].fds, v->m.units[0].cap_fds, v->m.units[0].nr_fds + 1);
	v->m.units[0].fds[v->m.units[0].nr_fds++] =
	    (struct kt_mf_sd_fd){kt_strdup("gone"), kt_strdup("memfd")};
	free(v->m.sessions[0].name);
	v->m.sessions[0].name = kt_strdup("vm-9");
	v->m.sessions[0].unit = kt_strdup("a.service");
	v->m.sessions[0].fdname = kt_strdup(fdname);
	l.stores = &now;
	snap_load(&x, &l);
	v->ret = kt_manifest_verify(&v->m, &x.c, &(struct kt_verify_ops){on_problem}, &v->s, &v->n, v->err,
				    ERRLEN);
	snap_free(&x);
	kt_sd_stores_free(&now);
	kt_sd_stores_free(&st);
}

/* The same sessions, and vm-9 still open in PID 1, retrieved and finished by its service: empty. */
static const struct t_state state_after_finished = {
    {SESSIONS_AFTER, {"vm-9", KT_SESS_RETRIEVED, 1, 21, "systemd", 2, {{0}}}},
    {{"memfd-v2", true, KT_FLB_SERIALIZED, 4096, 3}},
};

static void test_verify_systemd(void **state)
{
	static const char *const want[] = {
	    "fd missing a.service/gone: missing fd gone in the store of a.service (memfd)",
	};
	static const char *const not_back[] = {
	    "fd missing a.service/gone: missing fd gone in the store of a.service (memfd)",
	    "file missing vm-9/1: missing file vm-9 token=1 (memfd-v2, 4 MiB)",
	    "file missing vm-9/2: missing file vm-9 token=2 (memfd-v2, 4 MiB)",
	};
	struct vcase v;

	(void)state;
	/* A LUOSession= session its service finished: gone from LUO, back in its unit's store. */
	verify_systemd(&state_after, "demo", &v);
	assert_int_equal(v.n.fds, 3);
	assert_int_equal(v.n.sessions_by_systemd, 1);
	expect_lines(&v, want, KT_ARRAY_SIZE(want));
	/* Finished but still open (PID 1 holds it in the store): emptied, not lost. */
	verify_systemd(&state_after_finished, "demo", &v);
	assert_int_equal(v.n.sessions_by_systemd, 1);
	expect_lines(&v, want, KT_ARRAY_SIZE(want));
	/* Empty and not where the manifest says its unit keeps it: its files are missing. */
	verify_systemd(&state_after_finished, "other", &v);
	assert_int_equal(v.n.sessions_by_systemd, 0);
	expect_lines(&v, not_back, KT_ARRAY_SIZE(not_back));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),
	    cmocka_unit_test(test_parse_text),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_eval_before),
	    cmocka_unit_test(test_eval_after),
	    cmocka_unit_test(test_eval_cannot_tell),
	    cmocka_unit_test(test_manifest_round_trip),
	    cmocka_unit_test(test_manifest_needs_luo_state),
	    cmocka_unit_test(test_manifest_parse_refuses),
	    cmocka_unit_test(test_manifest_parse_accepts),
	    cmocka_unit_test(test_verify_all_arrived),
	    cmocka_unit_test(test_verify_losses),
	    cmocka_unit_test(test_verify_flb_counts),
	    cmocka_unit_test(test_verify_no_incoming),
	    cmocka_unit_test(test_verify_memblock_gone),
	    cmocka_unit_test(test_verify_cannot_tell),
	    cmocka_unit_test(test_finalize_write),
	    cmocka_unit_test(test_finalize_refusals),
	    cmocka_unit_test(test_preflight_shell_holder),
	    cmocka_unit_test(test_preflight_terminal_session),
	    cmocka_unit_test(test_preflight_no_kho),
	    cmocka_unit_test(test_preflight_fdstore),
	    cmocka_unit_test(test_preflight_fdstore_not_kept),
	    cmocka_unit_test(test_preflight_bootmem),
	    cmocka_unit_test(test_manifest_systemd),
	    cmocka_unit_test(test_verify_systemd),
	    cmocka_unit_test(test_proc_unit),
	    cmocka_unit_test(test_prom_parser_accepts),
	    cmocka_unit_test(test_prom_parser_refuses),
	    cmocka_unit_test(test_metrics_exposition),
	};

	/* Never the host's systemd: the tests that want one start the fake. */
	setenv("KHO_TOOLS_SYSTEMD_BUS", "unix:path=/nonexistent/kt-private", 1);
	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
