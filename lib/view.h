/* SPDX-License-Identifier: GPL-2.0-only */
/* Views: what a command shows of a snapshot, described to a sink. */
#ifndef KT_VIEW_H
#define KT_VIEW_H

#include "sink.h"
#include "snapshot.h"

#define KT_VIEW_OUT (1u << KT_OUT)
#define KT_VIEW_IN (1u << KT_IN)

/* Both directions (or those in mask), every blob decoded. */
void kt_view_tree(const struct kt_snapshot *s, unsigned int mask, bool raw, struct kt_sink *sink);
/* One screen of facts: enabled, directions, blobs, scratch, finalize control, release. */
void kt_view_status(const struct kt_snapshot *s, struct kt_sink *sink);

#endif
