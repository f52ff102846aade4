// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manifest reader (verify FILE's input): any bytes are refused or read; what
 * is read is written back and must read again to the same manifest, and its
 * verification against a small snapshot must hold its counts. Verified against a
 * snapshot whose saved LUO state holds exactly the manifest's sessions, every
 * session and file must arrive. Inputs starting with "assert\n" go to the assert
 * grammar instead, one word a line, and what parses is evaluated.
 */
#include <errno.h>

#include "check/assert.h"
#include "check/manifest.h"
#include "check/verify.h"
#include "fuzz.h"
#include "model/luo_state.h"
#include "model/state.h"

static bool same_str(const char *a, const char *b)
{
	return !a == !b && (!a || !strcmp(a, b));
}

static void same(const struct kt_manifest *a, const struct kt_manifest *b)
{
	size_t i, k;

	FUZZ_CHECK(a->nr_sessions == b->nr_sessions && a->nr_regions == b->nr_regions &&
		   a->nr_blobs == b->nr_blobs);
	for (i = 0; i < a->nr_sessions; i++) {
		FUZZ_CHECK(!strcmp(a->sessions[i].name, b->sessions[i].name));
		FUZZ_CHECK(a->sessions[i].nr_files == b->sessions[i].nr_files);
		for (k = 0; k < a->sessions[i].nr_files; k++) {
			const struct kt_mf_file *x = &a->sessions[i].files[k], *y = &b->sessions[i].files[k];

			/* Tokens past 2^63-1 go out as decimal strings: they must come back exact. */
			FUZZ_CHECK(x->token == y->token && x->has_size == y->has_size && x->size == y->size);
			FUZZ_CHECK(!strcmp(x->handler, y->handler));
		}
	}
	for (i = 0; i < a->nr_regions; i++)
		FUZZ_CHECK(!strcmp(a->regions[i].name, b->regions[i].name) &&
			   a->regions[i].start == b->regions[i].start &&
			   a->regions[i].size == b->regions[i].size);
	for (i = 0; i < a->nr_blobs; i++)
		FUZZ_CHECK(!strcmp(a->blobs[i].name, b->blobs[i].name) &&
			   !strcmp(a->blobs[i].sha256, b->blobs[i].sha256) &&
			   a->blobs[i].size == b->blobs[i].size &&
			   a->blobs[i].content == b->blobs[i].content);
	FUZZ_CHECK(same_str(a->release, b->release));
	FUZZ_CHECK(same_str(a->taken, b->taken));
}

struct problems {
	size_t n;
	size_t luo; /* of kind session or file */
};

static void on_problem(void *ctx, enum kt_mf_kind kind, const char *name, const char *change, const char *msg)
{
	struct problems *p = ctx;

	FUZZ_CHECK(kind < KT_MF_NR_KINDS && name && change && msg && msg[0]);
	p->n++;
	p->luo += kind == KT_MF_SESSION || kind == KT_MF_FILE;
}

/*
 * The manifest's sessions as the incoming kernel would hold them, in the saved
 * form a snapshot carries (luo/state): what verify must find whole.
 */
static void arrived(const struct kt_manifest *m, uint8_t **buf, size_t *len)
{
	struct kt_luo_state st = {0};
	size_t i, k;

	for (i = 0; i < m->nr_sessions; i++) {
		struct kt_luo_session *x = kt_luo_add_session(&st, m->sessions[i].name, KT_SESS_INCOMING);

		/* The reader bounds names to the kernel's fields: they fit whole. */
		FUZZ_CHECK(!strcmp(x->name, m->sessions[i].name));
		x->files_known = true;
		x->files_claimed = m->sessions[i].nr_files;
		for (k = 0; k < m->sessions[i].nr_files; k++) {
			const struct kt_mf_file *mf = &m->sessions[i].files[k];
			struct kt_luo_file *f = kt_luo_add_file(x);

			/* The reader bounds handlers to the kernel's field too. */
			FUZZ_CHECK(strlen(mf->handler) <= LUO_HANDLER_COMPAT_LEN);
			f->handler = kt_luo_handler_name(&st, mf->handler);
			f->token = mf->token;
			f->has_size = mf->has_size;
			f->size = mf->size;
		}
	}
	kt_luo_state_export(&st, buf, len);
	kt_luo_state_free(&st);
}

/*
 * A snapshot with an in/ direction whose sub-blobs are the input itself, and no
 * LUO state unless luo (then as a saved snapshot carries it).
 */
static void verify(const struct kt_manifest *m, const uint8_t *data, size_t size, bool luo)
{
	static const struct kt_verify_ops ops = {on_problem};
	struct kt_file state = {(char *)KT_LUO_STATE_FILE, NULL, 0};
	struct kt_snapshot s = {.kind = KT_SRC_DIR, .origin = (char *)"fuzz", .finalize = -1};
	struct kt_blob subs[2] = {{"kexec-metadata", "in/sub_fdts/kexec-metadata", data, size},
				  {"memblock", "in/sub_fdts/memblock", data, size}};
	struct kt_verify_counts n;
	struct problems p = {0};
	struct kt_state st;
	char err[1024] = "";
	size_t i, files = 0;

	s.dir[KT_IN].present = true;
	s.dir[KT_IN].subs = subs;
	s.dir[KT_IN].nr_subs = 2;
	if (luo) {
		arrived(m, &state.data, &state.len);
		s.files = (struct kt_files){.v = &state, .n = 1, .cap = 1};
	}
	/* A saved snapshot without physical pages: nothing is read from this machine. */
	kt_state_init(&st, &s);
	if (!kt_manifest_verify(m, &st, &ops, &p, &n, err, sizeof(err))) {
		FUZZ_CHECK(n.problems == p.n);
		FUZZ_CHECK(n.blobs == m->nr_blobs && n.regions == m->nr_regions);
		for (i = 0; i < m->nr_sessions; i++)
			files += m->sessions[i].nr_files;
		FUZZ_CHECK(n.sessions == m->nr_sessions && n.files == files);
		/* Every session and file is there, as the manifest says, sizes included. */
		FUZZ_CHECK(!luo || (!p.luo && !n.sizes_unknown));
		FUZZ_CHECK(luo || !m->nr_sessions);
	} else {
		/* Only sessions need the LUO state, and only this snapshot lacks it. */
		FUZZ_CHECK(err[0] && m->nr_sessions && !luo);
	}
	kt_state_free(&st);
	free(state.data);
}

/* The small snapshot of verify for the assertions: no LUO state, no physical pages. */
static void assert_eval(const struct kt_assert *a, const uint8_t *data, size_t size)
{
	struct kt_snapshot s = {.kind = KT_SRC_DIR, .origin = (char *)"fuzz", .finalize = -1};
	struct kt_blob subs[2] = {{"kexec-metadata", "in/sub_fdts/kexec-metadata", data, size},
				  {"memblock", "in/sub_fdts/memblock", data, size}};
	struct kt_assert_result *res = NULL;
	struct kt_state st;
	char err[1024] = "";
	size_t i;

	s.dir[KT_IN].present = true;
	s.dir[KT_IN].subs = subs;
	s.dir[KT_IN].nr_subs = 2;
	kt_state_init(&st, &s);
	if (!kt_assert_eval(a, &st, &res, err, sizeof(err))) {
		for (i = 0; i < a->n; i++)
			FUZZ_CHECK(res[i].expr && res[i].expr[0] && res[i].seen && res[i].seen[0]);
		kt_assert_results_free(res, a->n);
	} else {
		FUZZ_CHECK(err[0]);
	}
	kt_state_free(&st);
}

static void assert_grammar(const uint8_t *data, size_t size)
{
	char *text = calloc(1, size + 1), *argv[64], *save = NULL, *w;
	struct kt_assert a;
	char err[1024] = "";
	int argc = 0;
	size_t i;

	FUZZ_CHECK(text);
	memcpy(text, data, size);
	for (w = strtok_r(text, "\n", &save); w && argc < 64; w = strtok_r(NULL, "\n", &save))
		argv[argc++] = w;
	if (!kt_assert_parse(argc, argv, &a, err, sizeof(err))) {
		FUZZ_CHECK(a.n > 0 && a.n <= a.cap);
		assert_eval(&a, data, size);
		kt_assert_free(&a);
	} else {
		FUZZ_CHECK(err[0] && !a.exprs && !a.n);
		/* One line: the reason is printed as is. */
		for (i = 0; err[i]; i++)
			FUZZ_CHECK(err[i] != '\n' || i + 1 < sizeof(err));
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_manifest m, back;
	char err[1024] = "", *buf = NULL;
	size_t len = 0;
	uint8_t *copy;
	FILE *f;
	int ret;

	if (size >= 7 && !memcmp(data, "assert\n", 7)) {
		assert_grammar(data + 7, size - 7);
		return 0;
	}
	ret = kt_manifest_parse(data, size, &m, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret < 0 && err[0]);
		/* Nothing is left to free after a refusal. */
		FUZZ_CHECK(!m.sessions && !m.regions && !m.blobs && !m.release && !m.taken);
		return 0;
	}
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f);
	kt_manifest_write(&m, f);
	FUZZ_CHECK(!fclose(f));
	if (kt_manifest_parse((const uint8_t *)buf, len, &back, err, sizeof(err))) {
		fprintf(stderr, "fuzz: a written manifest does not read back: %s\n%s\n", err, buf);
		abort();
	}
	same(&m, &back);
	/* A malloc'd copy, aligned as the snapshot loaders' buffers are. */
	copy = fuzz_dup(data, size);
	verify(&m, copy, size, false);
	verify(&m, copy, size, true);
	free(copy);
	kt_manifest_free(&back);
	kt_manifest_free(&m);
	free(buf);
	return 0;
}
