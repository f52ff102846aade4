/* SPDX-License-Identifier: GPL-2.0-only */
/* metrics: Prometheus text exposition (node_exporter's textfile collector). */
#ifndef KT_METRICS_H
#define KT_METRICS_H

#include <stdio.h>

#include "model/state.h"

/* The state of st's snapshot; st NULL: KHO is not enabled here. */
void kt_metrics_write(FILE *f, struct kt_state *st);

#endif
