/* SPDX-License-Identifier: GPL-2.0-only */
/* finalize / abort: the out/finalize control of 6.16-6.19 kernels (7.x finalizes during the kexec reboot). */
#ifndef KT_FINALIZE_H
#define KT_FINALIZE_H

#include <stdbool.h>

#include "model/state.h"

struct kt_finalize_plan {
	char *path;   /* ROOT/out/finalize */
	int current;  /* 0/1 */
	int target;   /* 1 finalize, 0 abort */
	bool is_619;  /* LUO-era control: finalize only */
	char *reason; /* for -ENOTSUP: why the action is not possible here */
};

/*
 * What finalize (target 1) or abort (target 0) would do on the live snapshot of st:
 * -ENOTSUP with reason when the kernel has no such control (7.x) or no abort
 * (6.19); -EBADMSG when the control's value cannot be read.
 */
int kt_finalize_plan(const struct kt_state *st, int target, struct kt_finalize_plan *p);
/* Write the target, read it back into *now. -errno of the write or read. */
int kt_finalize_apply(const struct kt_finalize_plan *p, int *now);
void kt_finalize_plan_free(struct kt_finalize_plan *p);

#endif
