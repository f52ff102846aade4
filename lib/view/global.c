// SPDX-License-Identifier: GPL-2.0-only
/* global: KHO and LUO totals, and LUO's global state: every FLB. */
#include <stdio.h>

#include "decode/decoders.h"
#include "view/view.h"

/* The decoded fields of one sub-blob, as a node of this view. */
static void blob_fields(const struct kt_snapshot *snap, enum kt_dirn d, const char *name, const char *as,
			struct kt_sink *s)
{
	const struct kt_blob *b = kt_snapshot_sub(snap, d, name);
	struct kt_dctx dc = {.snap = snap, .dirn = d};

	if (!b)
		return;
	kt_node_begin(s, as, NULL, NULL);
	kt_decoder_for(b)->decode(b, s, &dc);
	kt_node_end(s);
}

/*
 * What systemd's LUO mapping said of the previous boot: its kexec count and how long its
 * shutdown took (ShutdownStart to ShutdownLateFinish, or to ShutdownFinish without it,
 * monotonic), when it was read.
 */
static void systemd_node(const struct kt_luo_systemd *sd, struct kt_sink *s)
{
	const struct kt_sd_stamp *a = &sd->stamp[KT_SD_SHUTDOWN_START],
				 *b = &sd->stamp[KT_SD_SHUTDOWN_LATE_FINISH];
	size_t i;

	if (!b->set)
		b = &sd->stamp[KT_SD_SHUTDOWN_FINISH];

	if (!sd->mapping && !sd->mapping_note)
		return;
	kt_node_begin(s, "systemd", NULL, NULL);
	kt_field_bool(s, "mapping", sd->mapping);
	if (sd->mapping) {
		kt_field_u64(s, "units", sd->units);
		if (sd->has_kexec_count)
			kt_field_u64(s, "kexec_count", sd->kexec_count);
		if (a->set && b->set && b->monotonic >= a->monotonic)
			kt_field_u64(s, "shutdown_us", b->monotonic - a->monotonic);
		for (i = 0; i < KT_SD_NR_STAMPS; i++)
			if (sd->stamp[i].set)
				kt_field_u64(s, kt_sd_stamp_key[i], sd->stamp[i].realtime);
	}
	if (sd->mapping_note)
		kt_note(s, KT_NOTE_WARNING, "%s", sd->mapping_note);
	kt_node_end(s);
}

void kt_view_global(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *s)
{
	const struct kt_snapshot *snap = st->snap;
	const struct kt_luo_state *luo = kt_state_luo(st);
	const struct kt_areas *areas = kt_snapshot_areas(snap);
	uint64_t n[KT_SESS_NR_STATES] = {0}, flbs[KT_FLB_NR_STATES] = {0}, files = 0, in = 0;
	size_t i;

	kt_node_begin(s, "kho", NULL, NULL);
	kt_field_bool(s, "enabled", true);
	kt_field_bool(s, "incoming", snap->dir[KT_IN].present);
	kt_field_bool(s, "finalize_control", snap->has_finalize);
	if (areas->present) {
		/* The keys stay; the kernel's word for the areas (bootmem from 7.4) is told apart. */
		kt_field_str(s, "boot_areas", areas->word);
		kt_field_u64(s, "scratch_areas", areas->n);
		kt_field_size(s, "scratch_bytes", areas->total);
	}
	kt_view_mem_totals(st, o, s);
	blob_fields(snap, KT_IN, KEXEC_METADATA_NAME, "kexec_metadata_in", s);
	blob_fields(snap, KT_OUT, KEXEC_METADATA_NAME, "kexec_metadata_out", s);
	kt_node_end(s);

	kt_node_begin(s, "luo", NULL, NULL);
	for (i = 0; i < luo->nr_sessions; i++) {
		n[luo->sessions[i].state]++;
		files += luo->sessions[i].nr_files;
	}
	for (i = 0; i < KT_SESS_NR_STATES; i++)
		kt_field_u64(s, kt_sess_state_name[i], n[i]);
	kt_field_u64(s, "files", files);
	kt_field_u64(s, "flbs", luo->nr_flbs);
	for (i = 0; i < luo->nr_flbs; i++) {
		flbs[luo->flbs[i].state]++;
		in += luo->flbs[i].incoming;
	}
	/* FLBs this kernel registered, those the previous one handed over, then by state. */
	kt_field_u64(s, "flbs_outgoing", luo->nr_flbs - in);
	kt_field_u64(s, "flbs_handed_over", in);
	for (i = 0; i < KT_FLB_NR_STATES; i++) {
		char key[32];

		snprintf(key, sizeof(key), "flbs_%s", kt_flb_state_name[i]);
		kt_field_u64(s, key, flbs[i]);
	}
	kt_view_luo_sources(luo, s);
	blob_fields(snap, KT_OUT, LUO_SUBTREE_NAME, "luo_out", s);
	blob_fields(snap, KT_IN, LUO_SUBTREE_NAME, "luo_in", s);
	kt_view_flbs_node(st, s);
	systemd_node(&luo->sd, s);
	kt_node_end(s);
}
