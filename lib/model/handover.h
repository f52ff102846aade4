/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What this kernel hands over, as the next kernel will match it: every object by the
 * compatible string (or name) the next kernel looks it up by. The KHO root (out/fdt),
 * each sub-blob by its name (kho_retrieve_subtree), the compatibles inside sub-FDTs
 * (memblock-v1, reserve-mem-v1, ...), LUO's format (luo_ser's compatible), the file
 * handler of every preserved file of every outgoing session, every FLB; and, asked for,
 * the kernel options the next kernel needs to take them.
 */
#ifndef KT_HANDOVER_H
#define KT_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/state.h"

enum kt_ho_holder {
	KT_HO_ROOT,
	KT_HO_SUBBLOB,
	KT_HO_SUBFDT,
	KT_HO_LUO,
	KT_HO_FILE,
	KT_HO_FLB,
	KT_HO_CONFIG, /* compat: the option's name ("CONFIG_LIVEUPDATE"); object: what needs it */
	KT_HO_NR
};
extern const char *const kt_ho_holder_name[KT_HO_NR];

struct kt_ho_obj {
	enum kt_ho_holder holder;
	char *compat;  /* what the next kernel matches; NULL when it could not be read (why) */
	char *object;  /* "out/fdt", "out/sub_fdts/memblock", "memfd of session S token T", ... */
	char *session; /* a file's session */
	uint64_t token;
	bool has_token;
	/* Its state is lost when the next kernel does not know it (else it is ignored: a warning). */
	bool required;
	char *note; /* why compat is NULL, or where it was taken from */
};

struct kt_handover {
	struct kt_ho_obj *v;
	size_t n, cap;
};

/* Everything st's outgoing direction holds (live or saved). */
void kt_handover_list(struct kt_state *st, struct kt_handover *h);
/*
 * After the objects listed in h, one KT_HO_CONFIG object per kernel option they need:
 * CONFIG_KEXEC_HANDOVER for any, CONFIG_LIVEUPDATE for LUO's state, and the option that
 * builds each preserved file's handler (a handler not in our table adds none). Required
 * when an object needing it is.
 */
void kt_handover_config(struct kt_handover *h);
void kt_handover_free(struct kt_handover *h);

#endif
