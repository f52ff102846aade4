/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat: will the next kernel (the image about to be kexec'd) accept what this one hands
 * over? Each object of model/handover.h is matched against the strings the target image
 * holds (decode/vmlinux.h). A preserved file, FLB, the root or LUO's format the target
 * does not know is state lost: a failure. An optional sub-blob it does not know is
 * ignored by it: a warning. An object that could not be read: unknown. Where the target
 * embeds its config, the options the objects need are checked too: =y ok, =m a warning
 * (the module must be loaded before the handover is retrieved), not set a failure when
 * required; an unreadable config leaves them unknown.
 */
#ifndef KT_COMPAT_H
#define KT_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "check/status.h"
#include "decode/vmlinux.h"
#include "model/handover.h"
#include "model/state.h"
#include "view/rows.h"

/* Room for a compatible the target knows in place of the one handed over. */
#define KT_COMPAT_OTHER_LEN 64

struct kt_compat_item {
	const struct kt_ho_obj *obj;
	enum kt_check_status status;
	bool known;			 /* the target holds obj->compat (an option: =y or =m) */
	char other[KT_COMPAT_OTHER_LEN]; /* unknown "NAME-vN": the version the target holds, or empty */
	const char *value;		 /* a config option: "y", "m", "not set", ...; NULL unread */
	char *msg;			 /* one line for people */
};

struct kt_compat {
	struct kt_handover ho;
	struct kt_compat_item *items; /* one per ho.v[] */
	size_t count[KT_CHECK_NR];
};

/* Verdict: kt_check_verdict(c->count), 0 compatible, 1 not, 2 cannot tell. */
void kt_compat_run(struct kt_state *st, const struct kt_vmlinux *target, struct kt_compat *c);
void kt_compat_free(struct kt_compat *c);
/* One row per object: STATUS, HOLDER, COMPATIBLE, TARGET, OBJECT, ... */
extern const struct kt_table_def kt_compat_table;
void kt_compat_rows(const struct kt_compat *c, struct kt_rows *r);

#endif
