// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-list readers over fuzzed kernel memory. The kernel is the one
 * tests/fake_kernel.h fabricates (its BTF and kallsyms written once at start); the
 * input is its RAM from FK_PHYS, the globals in the first page (luo_session_global,
 * luo_flb_global, luo_file_handler_list), as the scenes of test_luo_kernel lay them
 * out for the seeds. Whatever the lists hold (loops, wild pointers, counts that lie)
 * the readers must end, and what they hand over must hold together:
 *  - kt_luo_kernel_walk: sessions named within their field, each file after its
 *    session, one error per session at most, a failure with a reason;
 *  - kt_luo_kernel_flbs: at most the FLBs it walks, names within their field, the
 *    handler list NUL-separated and terminated where it says;
 *  - the model built from both (kt_luo_gather on the live source) saves and reads
 *    back to the same bytes, and counts what the readers handed over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fake_kernel.h"
#include "base/util.h"
#include "decode/luo_kernel.h"
#include "decode/luo_kernel_flb.h"
#include "fuzz.h"
#include "model/luo_state.h"
#include "snapshot/snapshot.h"

#define MAX_FLBS 1024 /* what the FLB reader walks at most */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/fuzz_luo_kernel.XXXXXX";
	char path[64];

	(void)argc, (void)argv;
	FUZZ_CHECK(mkdtemp(dir));
	FUZZ_CHECK(!fk_write(dir));
	snprintf(path, sizeof(path), "%s/btf", dir);
	setenv("KHO_TOOLS_BTF", path, 1);
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	setenv("KHO_TOOLS_KALLSYMS", path, 1);
	setenv("KHO_TOOLS_PROC", dir, 1); /* no processes hold sessions */
	return 0;
}

struct recs {
	uintptr_t sessions; /* the last session's handle is its number */
	size_t files, errors, flbs;
	bool had_error;
};

static void *rec_session(void *ctx, const char *name, enum kt_sess_state state, uint64_t claimed)
{
	struct recs *r = ctx;

	(void)claimed;
	FUZZ_CHECK(strlen(name) <= LUO_SESSION_NAME_LEN);
	FUZZ_CHECK(state == KT_SESS_OUTGOING || state == KT_SESS_INCOMING || state == KT_SESS_RETRIEVED);
	r->had_error = false;
	return (void *)++r->sessions;
}

static void rec_file(void *ctx, void *session, const struct kt_luo_file_rec *f)
{
	struct recs *r = ctx;

	FUZZ_CHECK(r->sessions && session == (void *)r->sessions);
	FUZZ_CHECK(f->handler && strlen(f->handler) <= LUO_HANDLER_COMPAT_LEN);
	FUZZ_CHECK(!f->error || f->error[0]);
	r->files++;
}

static void rec_session_error(void *ctx, void *session, const char *msg)
{
	struct recs *r = ctx;

	FUZZ_CHECK(r->sessions && session == (void *)r->sessions);
	FUZZ_CHECK(msg && msg[0] && !r->had_error);
	r->had_error = true;
	r->errors++;
}

static const struct kt_luo_rec_ops rec_ops = {rec_session, rec_file, rec_session_error};

static void rec_flb(void *ctx, const struct kt_luo_flb_rec *f)
{
	struct recs *r = ctx;

	FUZZ_CHECK(strlen(f->name) <= LUO_FLB_COMPAT_LEN);
	FUZZ_CHECK(!f->handlers_len || (f->handlers && f->handlers[f->handlers_len] == '\0'));
	FUZZ_CHECK(++r->flbs <= MAX_FLBS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_snapshot live = {.kind = KT_SRC_LIVE, .origin = (char *)"live", .finalize = -1};
	struct kt_luo_kernel_incoming in;
	struct kt_luo_flb_pages pages;
	struct kt_luo_state st;
	struct kt_physmem *pm;
	struct recs r = {0}, rf = {0};
	char err[256] = "";
	int walked, flbs;
	size_t i, registered = 0;

	if (!size || size > FK_SIZE)
		return 0;
	pm = fuzz_open_ram(data, size, FK_PHYS, FK_IOMEM);
	walked = kt_luo_kernel_walk(pm, &rec_ops, &r, &in, err, sizeof(err));
	FUZZ_CHECK(walked <= 0 && (!walked || err[0]));
	flbs = kt_luo_kernel_flbs(pm, rec_flb, &rf, &pages, err, sizeof(err));
	FUZZ_CHECK(flbs <= 0 && (!flbs || err[0]));
	FUZZ_CHECK(!pages.out_pa || (pages.out_pa >= FK_PHYS && pages.out_pa < FK_PHYS + size));

	FUZZ_CHECK(!kt_luo_gather(&live, pm, &st));
	FUZZ_CHECK(st.kernel_ok == !walked);
	if (!walked) {
		size_t outgoing = 0;

		/* Serialized sessions (behind a head_pa) come after the listed ones. */
		for (i = 0; i < st.nr_sessions; i++)
			outgoing += st.sessions[i].state != KT_SESS_SERIALIZED;
		FUZZ_CHECK(outgoing == r.sessions);
		FUZZ_CHECK(st.flbs_ok == !flbs);
	}
	for (i = 0; i < st.nr_flbs; i++)
		registered += !st.flbs[i].handed_over;
	FUZZ_CHECK(!st.flbs_ok || registered == rf.flbs);
	fuzz_check_luo_saved(&st);
	kt_luo_state_free(&st);
	kt_physmem_close(pm);
	return 0;
}
