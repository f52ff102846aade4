// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manifest reader (verify FILE's input): any bytes are refused or read; what
 * is read is written back and must read again to the same manifest, and its
 * verification against a small snapshot must hold its counts. Inputs starting
 * with "assert\n" go to the assert grammar instead, one word a line.
 */
#include "check/check.h"
#include "fuzz.h"

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
	FUZZ_CHECK(!a->release == !b->release && (!a->release || !strcmp(a->release, b->release)));
}

static void on_problem(void *ctx, enum kt_mf_kind kind, const char *name, const char *change, const char *msg)
{
	size_t *n = ctx;

	FUZZ_CHECK(kind <= KT_MF_BLOB && name && change && msg);
	(*n)++;
}

/* A snapshot with an in/ direction whose sub-blobs are the input itself, and no LUO state. */
static void verify(const struct kt_manifest *m, const uint8_t *data, size_t size)
{
	static const struct kt_verify_ops ops = { on_problem };
	struct kt_snapshot s = { .kind = KT_SRC_DIR, .origin = (char *)"fuzz", .finalize = -1 };
	struct kt_blob subs[2] = { { "kexec-metadata", "in/sub_fdts/kexec-metadata", data, size },
				   { "memblock", "in/sub_fdts/memblock", data, size } };
	struct kt_view_ctx c = { .snap = &s, .mask = KT_VIEW_OUT | KT_VIEW_IN, .pm_tried = true };
	struct kt_verify_counts n;
	size_t problems = 0;
	char err[1024];

	s.dir[KT_IN].present = true;
	s.dir[KT_IN].subs = subs;
	s.dir[KT_IN].nr_subs = 2;
	if (!kt_manifest_verify(m, &c, &ops, &problems, &n, err, sizeof(err))) {
		FUZZ_CHECK(n.problems == problems);
		FUZZ_CHECK(n.blobs == m->nr_blobs && n.regions == m->nr_regions);
	} else {
		/* Only sessions need the LUO state this snapshot lacks. */
		FUZZ_CHECK(m->nr_sessions);
	}
	kt_view_ctx_free(&c);
}

static void assert_grammar(const uint8_t *data, size_t size)
{
	char *text = calloc(1, size + 1), *argv[64], *save = NULL, *w;
	struct kt_assert a;
	char err[1024];
	int argc = 0;
	size_t i;

	FUZZ_CHECK(text);
	memcpy(text, data, size);
	for (w = strtok_r(text, "\n", &save); w && argc < 64; w = strtok_r(NULL, "\n", &save))
		argv[argc++] = w;
	if (!kt_assert_parse(argc, argv, &a, err, sizeof(err))) {
		FUZZ_CHECK(a.n > 0);
		kt_assert_free(&a);
	} else {
		FUZZ_CHECK(err[0] && !a.exprs);
		for (i = 0; err[i]; i++)
			FUZZ_CHECK(err[i] != '\n' || i + 1 < sizeof(err));
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_manifest m, back;
	char err[1024], *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (size >= 7 && !memcmp(data, "assert\n", 7)) {
		assert_grammar(data + 7, size - 7);
		return 0;
	}
	if (kt_manifest_parse(data, size, &m, err, sizeof(err))) {
		FUZZ_CHECK(err[0]);
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
	{
		uint8_t *copy = malloc(size ? size : 1);

		FUZZ_CHECK(copy);
		memcpy(copy, data, size);
		verify(&m, copy, size);
		free(copy);
	}
	kt_manifest_free(&back);
	kt_manifest_free(&m);
	free(buf);
	return 0;
}
