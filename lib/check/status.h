/* SPDX-License-Identifier: GPL-2.0-only */
/* What a check found, shared by every check (preflight, compat), and the verdict from them. */
#ifndef KT_CHECK_STATUS_H
#define KT_CHECK_STATUS_H

#include <stddef.h>

enum kt_check_status { KT_CHECK_OK, KT_CHECK_WARN, KT_CHECK_FAIL, KT_CHECK_UNKNOWN, KT_CHECK_NR };
extern const char *const kt_check_status_name[KT_CHECK_NR];

/* From counts of statuses: 0 go, 1 no-go (a check failed), 2 cannot tell (one could not be made, none
 * failed). */
int kt_check_verdict(const size_t count[KT_CHECK_NR]);

#endif
