/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Everything one command knows of one snapshot: the snapshot itself and the models
 * read from it, each built once, on first use — physical memory, the LUO state and
 * its per-handler totals, the parsed root FDT, LUO header and kexec metadata of each
 * direction, and each direction's preserved memory. Views, checks and metrics all
 * read this; none of them parses bytes.
 */
#ifndef KT_STATE_H
#define KT_STATE_H

#include <stdbool.h>

#include "decode/kexec_meta.h"
#include "decode/kho_root.h"
#include "decode/luo_hdr.h"
#include "model/luo_state.h"
#include "model/luo_systemd.h"
#include "model/preserved.h"
#include "snapshot/snapshot.h"
#include "source/physmem.h"

struct kt_state {
	const struct kt_snapshot *snap;
	struct kt_luo_hdr luo_hdr[KT_NR_DIRS];
	/* built on first use: */
	struct kt_physmem *pm;
	char *pm_note; /* why there is no physical memory access */
	bool pm_tried;
	struct kt_luo_state luo;
	bool luo_loaded;
	struct kt_luo_handler *handlers;
	size_t nr_handlers;
	bool handlers_done;
	struct kt_kho_root root[KT_NR_DIRS];
	char root_why[KT_NR_DIRS][256]; /* empty when root[d] is usable */
	bool root_done[KT_NR_DIRS];
	struct kt_kexec_meta meta[KT_NR_DIRS];
	int meta_ret[KT_NR_DIRS]; /* 0, or -EBADMSG (meta_why) */
	char meta_why[KT_NR_DIRS][128];
	bool meta_done[KT_NR_DIRS];
	struct kt_mem_dir mem[KT_NR_DIRS];
	bool mem_done[KT_NR_DIRS];
	struct kt_sd_stores sd_stores;
	char *sd_stores_why; /* why there are none */
	int sd_stores_ret;   /* and the -errno: -ENOENT no systemd (live) or none saved */
	bool sd_stores_done;
};

void kt_state_init(struct kt_state *st, const struct kt_snapshot *s);
void kt_state_free(struct kt_state *st);

/*
 * Open physical memory for s: /proc/kcore for a live snapshot ($KHO_TOOLS_KCORE and
 * $KHO_TOOLS_IOMEM when set, for tests), the saved pages otherwise (pm then points
 * into s: close it first). For tools that keep it across snapshots (luo-top).
 */
int kt_physmem_open_for(const struct kt_snapshot *s, struct kt_physmem **pm, char *err, size_t errlen);
/*
 * Physical memory for this snapshot: /proc/kcore for a live one ($KHO_TOOLS_KCORE and
 * $KHO_TOOLS_IOMEM when set, for tests), the saved pages otherwise. NULL, with
 * st->pm_note, when there is none.
 */
struct kt_physmem *kt_state_physmem(struct kt_state *st);
const struct kt_luo_state *kt_state_luo(struct kt_state *st);
const struct kt_luo_handler *kt_state_handlers(struct kt_state *st, size_t *n);
/* Direction d's root FDT; NULL when absent or unusable (why, if not NULL, says which). */
const struct kt_kho_root *kt_state_root(struct kt_state *st, enum kt_dirn d, const char **why);
/* Direction d's kexec-metadata; NULL when absent or unusable. */
const struct kt_kexec_meta *kt_state_kexec_meta(struct kt_state *st, enum kt_dirn d);
const struct kt_mem_dir *kt_state_mem(struct kt_state *st, enum kt_dirn d);
/*
 * systemd's fd stores: asked of PID 1 for a live snapshot, as saved otherwise. NULL when
 * unknown, with *why (systemd not running, not permitted, not saved in this snapshot).
 */
const struct kt_sd_stores *kt_state_sd_stores(struct kt_state *st, const char **why);

/*
 * For save of a live snapshot: gather what the models read from memory and the kernel
 * with page recording on, and add it to s (luo/state, physmem), so every view works
 * offline. Returns 0, or -errno when physical memory was not readable (the LUO state
 * from procfs is still added).
 */
int kt_state_capture(struct kt_state *st, struct kt_snapshot *s);

#endif
