// SPDX-License-Identifier: GPL-2.0-only
/*
 * A whole snapshot from an archive, as `kho-inspect --root FILE.tar` loads it:
 * the checksum list (MANIFEST), the out/ and in/ index, the boot areas, the
 * saved LUO state and physical pages, then every view into every sink and a
 * diff of out against in.
 */
#include "base/util.h"
#include "fuzz.h"
#include "model/state.h"
#include "view/diff.h"
#include "view/view.h"

static const kt_view_fn views[] = {
    kt_view_tree, kt_view_status, kt_view_sessions, kt_view_handlers, kt_view_global, kt_view_mem,
};

struct run {
	const struct kt_snapshot *snap;
	kt_view_fn view;
};

/* A fresh state for every sink, so each renders the same from scratch (the models are built on first use). */
static void emit_view(struct kt_sink *s, const void *arg)
{
	static const struct kt_view_opts o = {
	    .mask = KT_VIEW_OUT | KT_VIEW_IN,
	    .raw = true,
	    .folios = true,
	    .ranges = true,
	};
	const struct run *r = arg;
	struct kt_state st;

	kt_state_init(&st, r->snap);
	r->view(&st, &o, s);
	kt_state_free(&st);
}

static void diff_blob(void *ctx, const char *a, const char *b, enum kt_change ch)
{
	(void)ctx;
	FUZZ_CHECK(a || b);
	FUZZ_CHECK(ch <= KT_CHANGED);
}

static void diff_field(void *ctx, const char *field, const char *a, const char *b)
{
	(void)ctx;
	FUZZ_CHECK(field && (a || b));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Only the input: never the machine's own kcore, debugfs or processes. */
	unsetenv("KHO_TOOLS_KCORE");
	unsetenv("KHO_TOOLS_IOMEM");
	unsetenv("KHO_TOOLS_DEBUGFS");
	unsetenv("KHO_TOOLS_PROC");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kt_diff_ops ops = {diff_blob, diff_field};
	struct kt_snapshot s;
	char err[1024] = "";
	size_t i;
	int ret = kt_snapshot_load(fuzz_as_file(data, size), &s, err, sizeof(err));

	/* A refusal names its reason: kho-inspect prints it as the one line the user sees. */
	FUZZ_CHECK(ret <= 0 && (!ret || err[0]));
	if (!ret) {
		FUZZ_CHECK(s.kind == KT_SRC_TAR);
		for (i = 0; i < KT_ARRAY_SIZE(views); i++) {
			struct run r = {&s, views[i]};

			fuzz_all_sinks(emit_view, &r, KT_JSON_TREE_MAX_DEPTH - 1, size & 1);
		}
		kt_diff_dir(&s, KT_OUT, &s, KT_IN, &ops, NULL);
	}
	kt_snapshot_free(&s);
	return 0;
}
