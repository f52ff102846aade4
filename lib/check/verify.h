/* SPDX-License-Identifier: GPL-2.0-only */
/* verify: after the reboot, did everything the upgrade manifest lists arrive? */
#ifndef KT_VERIFY_H
#define KT_VERIFY_H

#include <stddef.h>

#include "check/manifest.h"
#include "model/state.h"

enum kt_mf_kind {
	KT_MF_STATE,
	KT_MF_SESSION,
	KT_MF_FILE,
	KT_MF_REGION,
	KT_MF_BLOB,
	KT_MF_FLB,
	KT_MF_FD, /* an fd of a systemd unit's store */
	KT_MF_NR_KINDS
};
extern const char *const kt_mf_kind_name[KT_MF_NR_KINDS];

struct kt_verify_ops {
	/* One missing or changed item: kind, its name ("vm-0", "vm-0/1"), "missing"/"changed", a line. */
	void (*problem)(void *ctx, enum kt_mf_kind kind, const char *name, const char *change,
			const char *msg);
};

struct kt_verify_counts {
	size_t sessions, files, regions, blobs, flbs, fds, problems;
	size_t sessions_by_systemd; /* gone from LUO, but back in their unit's store (LUOSession=) */
	size_t sizes_unknown;	    /* files whose incoming size could not be read: compared by token only */
};

/* Compare the manifest with the incoming state. -errno with err when it cannot be told. */
int kt_manifest_verify(const struct kt_manifest *m, struct kt_state *st, const struct kt_verify_ops *ops,
		       void *ctx, struct kt_verify_counts *n, char *err, size_t errlen);

#endif
