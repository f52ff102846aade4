/* SPDX-License-Identifier: GPL-2.0-only */
/* The few numbers and answers every check reads, from the state's models. */
#ifndef KT_FACTS_H
#define KT_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/state.h"

/*
 * The number of kexec reboots that led to this kernel: in/kexec-metadata's count
 * (what the previous kernel sent), else out's count minus one (out carries what
 * the next kernel will receive). -ENODATA when neither blob is usable.
 */
int kt_fact_kexec_count(struct kt_state *st, uint64_t *n);
/* This kernel's live-update number: a valid in/ LUO header's, else out's minus one. */
int kt_fact_liveupdate_number(struct kt_state *st, uint64_t *n);
/*
 * Bytes of preserved memory: the out tree when out/fdt exists (before the kexec),
 * else the in tree. *dir says which. -errno with why when it cannot be walked.
 */
int kt_fact_preserved(struct kt_state *st, uint64_t *bytes, enum kt_dirn *dir, char *why, size_t whylen);
/* The walk of direction d, whole and well formed; NULL with why otherwise. */
const struct kt_mem_dir *kt_fact_mem(struct kt_state *st, enum kt_dirn d, char *why, size_t whylen);
/* Whether LUO exists here: a LUO sub-blob in either direction, or (live) /dev/liveupdate. */
bool kt_fact_luo_present(const struct kt_state *st);
/* A LUO-era (6.19) kernel: /dev/liveupdate exists (live), or a luo-v1 LUO sub-blob. */
bool kt_fact_luo_v1_era(const struct kt_state *st, const char *dev);
/*
 * The LUO state, when both its outgoing and incoming halves are known; NULL with
 * why otherwise (no kcore or BTF, a stale incoming header before the kernel has
 * deserialized the sessions, a snapshot saved without it).
 */
const struct kt_luo_state *kt_fact_luo(struct kt_state *st, char *why, size_t whylen);

#endif
