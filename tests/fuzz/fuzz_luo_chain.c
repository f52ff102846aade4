// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO's pointer-following over fuzzed memory. The input is RAM at IMG_BASE (one
 * PT_LOAD of a kcore-like image, System RAM around it in iomem) and starts, as
 * the seeds from test_luo_walk do, with a luo_ser whose sessions_pa and flbs_pa
 * are the heads to walk: block chains of sessions and files, memfd state, folio
 * arrays, FLBs. Whatever the walk meets (loops, wild or unaligned pointers,
 * absurd counts, pages cut short at the end of the input) it must end, and what
 * it returns must hold together:
 *  - the chain decoder (kt_luo_chain_walk) hands over records in order: each
 *    file and session error belongs to the session just named, names are
 *    non-empty and within their fields; a failure says why;
 *  - the FLB decoder (kt_luo_flb_walk) stays within the FLB pages;
 *  - the model built from both (kt_luo_add_serialized) holds what they handed
 *    over: a failed chain leaves no session and says why; a read one is all
 *    serialized sessions with names and handlers, its FLBs all of those read
 *    (an FLB header that does not read is a note);
 *  - a session without an error has the files it claims; a file has its memfd
 *    state or an error, and memfd state passed its checks;
 *  - every memfd's folio walk (as the sessions view does it) calls back at most
 *    nr_folios times, all of them when it succeeds, and says why when it fails;
 *  - the decoded state saved and read back saves to the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/kho_block.h"
#include "decode/luo_chain.h"
#include "decode/luo_flb.h"
#include "decode/memfd.h"
#include "fuzz.h"
#include "model/luo_state.h"
#include "source/physmem.h"

#define PAGE	     KT_PAGE_SIZE
#define IMG_BASE     0x100000ULL /* where test_luo_walk builds its images */
#define IOMEM	     "00001000-0009fbff : System RAM\n00100000-7ffdffff : System RAM\n"
#define MAX_SESSIONS ((size_t)KT_KHO_MAX_BLOCKS * 51)
#define MAX_FLBS                                                                                             \
	((KT_LUO_FLB_MAX_PAGES * PAGE - sizeof(struct luo_flb_header_ser)) / sizeof(struct luo_flb_ser))

/* A name as the model holds it: not empty, within the kernel's field. */
static bool named(const char *s, size_t field)
{
	return s[0] && strlen(s) < field;
}

struct folio_count {
	uint64_t n, max;
};

static int on_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	struct folio_count *c = ctx;

	(void)index;
	FUZZ_CHECK(pfn < 1ULL << 52);
	FUZZ_CHECK(flags < 1u << 12);
	FUZZ_CHECK(++c->n <= c->max);
	return 0;
}

static void check_file(struct kt_physmem *pm, const struct kt_luo_file *f)
{
	const struct kt_memfd *m = &f->memfd;
	struct folio_count c = {0, m->nr_folios};
	char err[256] = "";

	FUZZ_CHECK(named(f->handler, LUO_HANDLER_COMPAT_LEN));
	FUZZ_CHECK(f->retrieve_status == 0);
	FUZZ_CHECK(!(f->error && f->has_memfd));
	FUZZ_CHECK(!f->error || f->error[0]);
	FUZZ_CHECK(f->has_size == f->has_memfd);
	if (!f->has_memfd)
		return;
	FUZZ_CHECK(!strcmp(f->handler, MEMFD_V2_COMPATIBLE));
	FUZZ_CHECK(f->size == m->size);
	FUZZ_CHECK(!(m->seals & ~0x3fu));
	FUZZ_CHECK(m->nr_folios <= m->size / PAGE + !!(m->size % PAGE));
	FUZZ_CHECK(m->folios_order <= 10);
	FUZZ_CHECK(!m->nr_folios || (m->folios_first && !(m->folios_first % PAGE)));
	if (kt_memfd_folios(pm, m, on_folio, &c, err, sizeof(err)))
		FUZZ_CHECK(err[0]);
	else
		FUZZ_CHECK(c.n == m->nr_folios);
}

/* ---- the records as the decoders hand them over ------------------------------------- */

struct recs {
	uintptr_t sessions; /* the last session's handle is its number */
	size_t files, errors;
	bool had_error; /* the current session's */
	size_t flbs;
};

static void *rec_session(void *ctx, const char *name, enum kt_sess_state state, uint64_t claimed)
{
	struct recs *r = ctx;

	(void)claimed;
	FUZZ_CHECK(named(name, LUO_SESSION_NAME_LEN));
	FUZZ_CHECK(state == KT_SESS_SERIALIZED);
	FUZZ_CHECK(r->sessions < MAX_SESSIONS);
	r->had_error = false;
	return (void *)++r->sessions;
}

static void rec_file(void *ctx, void *session, const struct kt_luo_file_rec *f)
{
	struct recs *r = ctx;

	/* Files follow their session: the handle is the one just returned. */
	FUZZ_CHECK(r->sessions && session == (void *)r->sessions);
	FUZZ_CHECK(!r->had_error);
	FUZZ_CHECK(f->handler && named(f->handler, LUO_HANDLER_COMPAT_LEN));
	/* Only the kernel's live lists know these. */
	FUZZ_CHECK(!f->retrieve_status && !f->has_size && !f->error);
	r->files++;
}

static void rec_session_error(void *ctx, void *session, const char *msg)
{
	struct recs *r = ctx;

	FUZZ_CHECK(r->sessions && session == (void *)r->sessions);
	FUZZ_CHECK(msg && msg[0]);
	/* One reason per session: the model keeps one. */
	FUZZ_CHECK(!r->had_error);
	r->had_error = true;
	r->errors++;
}

static void rec_flb(void *ctx, const char *name, uint64_t data, uint64_t count)
{
	struct recs *r = ctx;

	(void)data, (void)count;
	FUZZ_CHECK(name && strlen(name) <= LUO_FLB_COMPAT_LEN);
	FUZZ_CHECK(++r->flbs <= MAX_FLBS);
}

static const struct kt_luo_rec_ops rec_ops = {rec_session, rec_file, rec_session_error};

/* ---- the model ------------------------------------------------------------------------ */

static void check_state(struct kt_physmem *pm, const struct kt_luo_state *st, int ret)
{
	size_t i, k;

	if (ret) {
		FUZZ_CHECK(ret < 0);
		FUZZ_CHECK(!st->nr_sessions && !st->nr_flbs && !st->serialized_ok);
		FUZZ_CHECK(st->serialized_note && st->serialized_note[0]);
		return;
	}
	FUZZ_CHECK(st->serialized_ok);
	FUZZ_CHECK(st->nr_sessions <= MAX_SESSIONS);
	FUZZ_CHECK(st->nr_flbs <= MAX_FLBS);
	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *s = &st->sessions[i];

		FUZZ_CHECK(named(s->name, LUO_SESSION_NAME_LEN));
		FUZZ_CHECK(s->state == KT_SESS_SERIALIZED);
		FUZZ_CHECK(s->files_known);
		FUZZ_CHECK(s->pid == -1 && s->fd == -1);
		FUZZ_CHECK(!s->error || s->error[0]);
		if (!s->error)
			FUZZ_CHECK(s->nr_files == s->files_claimed);
		for (k = 0; k < s->nr_files; k++)
			check_file(pm, &s->files[k]);
	}
	for (i = 0; i < st->nr_flbs; i++)
		FUZZ_CHECK(st->flbs[i].incoming && strlen(st->flbs[i].name) <= LUO_FLB_COMPAT_LEN);
}

/* The model holds exactly what the decoders handed over. */
static void check_same(const struct kt_luo_state *st, int ret, const struct recs *r, int chain_ret,
		       int flb_ret)
{
	size_t i, files = 0, errors = 0;

	FUZZ_CHECK(ret == chain_ret);
	if (ret)
		return;
	for (i = 0; i < st->nr_sessions; i++) {
		files += st->sessions[i].nr_files;
		errors += st->sessions[i].error != NULL;
	}
	FUZZ_CHECK(st->nr_sessions == r->sessions && files == r->files && errors == r->errors);
	/* The FLBs read before a failing entry are kept, and the failure is a note. */
	FUZZ_CHECK(st->nr_flbs == r->flbs);
	FUZZ_CHECK(!flb_ret == !st->serialized_note);
}

/* The chain at sessions_pa and the FLBs at flbs_pa (0: none): the decoders, then the model. */
static void walk(struct kt_physmem *pm, uint64_t sessions_pa, uint64_t flbs_pa, bool saved)
{
	struct kt_luo_state st = {0};
	struct recs r = {0};
	char err[256] = "", ferr[256] = "";
	int chain_ret = 0, flb_ret = 0, ret;

	if (sessions_pa) {
		chain_ret = kt_luo_chain_walk(pm, sessions_pa, &rec_ops, &r, err, sizeof(err));
		FUZZ_CHECK(chain_ret <= 0 && (!chain_ret || err[0]));
	}
	if (!chain_ret && flbs_pa) {
		flb_ret = kt_luo_flb_walk(pm, flbs_pa, rec_flb, &r, ferr, sizeof(ferr));
		FUZZ_CHECK(flb_ret <= 0 && (!flb_ret || ferr[0]));
	}
	ret = kt_luo_add_serialized(&st, pm, sessions_pa, flbs_pa);
	check_state(pm, &st, ret);
	if (sessions_pa)
		check_same(&st, ret, &r, chain_ret, flb_ret);
	else
		FUZZ_CHECK(ret == -ENODATA);
	if (saved)
		fuzz_check_luo_saved(&st);
	kt_luo_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_physmem *pm;
	struct luo_ser ser;

	if (size < sizeof(ser) || size > KT_PHYSMEM_MAX_READ)
		return 0;
	memcpy(&ser, data, sizeof(ser));
	pm = fuzz_open_ram(data, size, IMG_BASE, IOMEM);
	walk(pm, ser.sessions_pa, ser.flbs_pa, true);
	/* The FLB header read as a session chain: another shape from the same bytes. */
	if (ser.flbs_pa)
		walk(pm, ser.flbs_pa, 0, false);
	kt_physmem_close(pm);
	return 0;
}
