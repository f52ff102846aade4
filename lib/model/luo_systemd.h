/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The LUO state as systemd holds it: sessions and files named by unit and fd-store name.
 * Two sources: after a kexec, systemd's mapping (token 0 of the session "systemd", read
 * from the memfd's preserved pages through physical memory) for the incoming sessions; on
 * a running system, PID 1's fd stores (sd-bus) for the LUOSession= sessions it holds.
 * And what LUO can carry of a store: memfds and LUO sessions; any other fd is lost.
 */
#ifndef KT_LUO_SYSTEMD_H
#define KT_LUO_SYSTEMD_H

#include "model/luo_state.h"
#include "source/physmem.h"
#include "source/sd_stores.h"

/*
 * Read the mapping when the session "systemd" is there with its token 0 (incoming or
 * serialized: PID 1 retrieves and finishes it early in boot), and name every file and
 * LUOSession= session it lists. Problems go to st->sd.mapping_note.
 */
void kt_luo_add_sd_map(struct kt_luo_state *st, struct kt_physmem *pm);
/* Name the sessions PID 1 holds in a store ("anon_inode:[luo_session] NAME"). */
void kt_luo_add_sd_stores(struct kt_luo_state *st, const struct kt_sd_stores *stores);

/* What a kexec does with a stored fd. */
enum kt_sd_fate {
	KT_SD_KEPT_MEMFD,   /* preserved in session "systemd" (memfd-v2) */
	KT_SD_KEPT_SESSION, /* a LUOSession= session: handed over on its own */
	KT_SD_LOST,	    /* no LUO handler takes it: systemd-shutdown logs it lost */
};
extern const char *const kt_sd_fate_name[]; /* "memfd", "luo_session", "lost" */
enum kt_sd_fate kt_sd_fate(const struct kt_sd_stored_fd *f);
/* The stores systemd carries through a kexec: FileDescriptorStorePreserve=yes. */
bool kt_sd_store_preserved(const struct kt_sd_store *s);

/* The fd stores as a snapshot carries them (saved live, so preflight and verify read them offline). */
#define KT_SD_STORES_FILE "systemd/stores"
void kt_sd_stores_export(const struct kt_sd_stores *st, uint8_t **buf, size_t *len);
int kt_sd_stores_import(const uint8_t *buf, size_t len, struct kt_sd_stores *st, char *err, size_t errlen);

#endif
