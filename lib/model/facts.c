// SPDX-License-Identifier: GPL-2.0-only
#include "model/facts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/abi.h"
#include "base/util.h"

/*
 * This kernel's value of a counter the kernels hand on: what the previous one sent
 * (in), else what this one will send (out) less one; 0 after a cold boot.
 */
static int this_kernel(const bool have[KT_NR_DIRS], const uint64_t v[KT_NR_DIRS], uint64_t *n)
{
	if (have[KT_IN]) {
		*n = v[KT_IN];
		return 0;
	}
	if (have[KT_OUT] && v[KT_OUT]) {
		*n = v[KT_OUT] - 1;
		return 0;
	}
	return -ENODATA;
}

int kt_fact_kexec_count(struct kt_state *st, uint64_t *n)
{
	bool have[KT_NR_DIRS];
	uint64_t v[KT_NR_DIRS] = {0};
	int d;

	for (d = 0; d < KT_NR_DIRS; d++) {
		const struct kt_kexec_meta *m = kt_state_kexec_meta(st, d);

		have[d] = m != NULL;
		v[d] = m ? m->kexec_count : 0;
	}
	return this_kernel(have, v, n);
}

int kt_fact_liveupdate_number(struct kt_state *st, uint64_t *n)
{
	bool have[KT_NR_DIRS];
	uint64_t v[KT_NR_DIRS];
	int d;

	for (d = 0; d < KT_NR_DIRS; d++) {
		have[d] = st->luo_hdr[d].fmt == KT_LUO_V5 || st->luo_hdr[d].fmt == KT_LUO_V1;
		v[d] = st->luo_hdr[d].liveupdate_num;
	}
	return this_kernel(have, v, n);
}

const struct kt_mem_dir *kt_fact_mem(struct kt_state *st, enum kt_dirn d, char *why, size_t whylen)
{
	const struct kt_mem_dir *m;

	if (!kt_state_physmem(st)) {
		kt_fail(why, whylen, -ENODATA, "no physical memory access: %s",
			st->pm_note ? st->pm_note : "unknown reason");
		return NULL;
	}
	m = kt_state_mem(st, d);
	if (m->ret) {
		kt_fail(why, whylen, m->ret, "%s", m->why);
		return NULL;
	}
	if (m->r.errors) {
		kt_fail(why, whylen, -EBADMSG, "the %s preserved-memory tree is malformed (%u errors)",
			kt_dirn_name[d], m->r.errors);
		return NULL;
	}
	return m;
}

int kt_fact_preserved(struct kt_state *st, uint64_t *bytes, enum kt_dirn *dir, char *why, size_t whylen)
{
	const struct kt_mem_dir *m;

	/* The tree the next kernel gets; after a 7.x kexec (out/fdt gone) the one this kernel got. */
	*dir = st->snap->dir[KT_OUT].has_fdt ? KT_OUT : KT_IN;
	m = kt_fact_mem(st, *dir, why, whylen);
	if (!m)
		return -ENODATA;
	*bytes = m->r.bytes;
	return 0;
}

bool kt_fact_luo_present(const struct kt_state *st)
{
	struct stat sb;

	return st->luo_hdr[KT_OUT].fmt != KT_LUO_ABSENT || st->luo_hdr[KT_IN].fmt != KT_LUO_ABSENT ||
	       (st->snap->kind == KT_SRC_LIVE && !stat(LIVEUPDATE_DEV, &sb));
}

bool kt_fact_luo_v1_era(const struct kt_state *st, const char *dev)
{
	struct stat sb;

	return !stat(dev, &sb) || st->luo_hdr[KT_OUT].fmt == KT_LUO_V1 || st->luo_hdr[KT_IN].fmt == KT_LUO_V1;
}

const struct kt_luo_state *kt_fact_luo(struct kt_state *st, char *why, size_t whylen)
{
	const struct kt_snapshot *s = st->snap;
	const struct kt_luo_state *luo = kt_state_luo(st);
	enum kt_luo_fmt in = st->luo_hdr[KT_IN].fmt;
	size_t i;

	if (s->kind == KT_SRC_LIVE ? !luo->kernel_ok : !luo->saved) {
		kt_fail(why, whylen, 0, "LUO state unavailable: %s",
			luo->kernel_note ? luo->kernel_note : "no source could be read");
		return NULL;
	}
	if (!s->dir[KT_IN].present)
		return luo;
	for (i = 0; i < luo->nr_sessions; i++)
		if (luo->sessions[i].state != KT_SESS_OUTGOING)
			return luo;
	if (luo->serialized_ok || luo->incoming_settled)
		return luo;
	/*
	 * No incoming LUO blob: the previous kernel handed none over. A valid one
	 * with no session left anywhere: none was sent, or all were finished.
	 */
	if (in == KT_LUO_ABSENT || in == KT_LUO_V5 || in == KT_LUO_V1)
		return luo;
	kt_fail(why, whylen, 0,
		"incoming LUO sessions unknown: in/sub_fdts/LUO is stale and the kernel lists none yet "
		"(it deserializes them when an agent first opens " LIVEUPDATE_DEV ")");
	return NULL;
}
