// SPDX-License-Identifier: GPL-2.0-only
/*
 * A whole snapshot from a tarball, as `kho-inspect --root FILE.tar` loads it:
 * MANIFEST, the out/ and in/ index, scratch_phys/scratch_len, then the tree and
 * status views into every sink and a diff of out against in.
 */
#include "diff.h"
#include "fuzz.h"
#include "view.h"

static void emit_tree(struct kt_sink *s, const void *snap)
{
	kt_view_tree(snap, KT_VIEW_OUT | KT_VIEW_IN, true, s);
}

static void emit_status(struct kt_sink *s, const void *snap)
{
	kt_view_status(snap, s);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kt_diff_ops ops = { diff_blob, diff_field };
	struct kt_snapshot s;
	char err[1024];

	if (kt_snapshot_load(fuzz_as_file(data, size), &s, err, sizeof(err)) == 0) {
		fuzz_all_sinks(emit_tree, &s, KT_RENDER_MAX_DEPTH - 1, size & 1);
		fuzz_all_sinks(emit_status, &s, KT_RENDER_MAX_DEPTH - 1, false);
		kt_diff_dir(&s, KT_OUT, &s, KT_IN, &ops, NULL);
	}
	kt_snapshot_free(&s);
	return 0;
}
