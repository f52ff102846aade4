// SPDX-License-Identifier: GPL-2.0-only
#include "check/status.h"

const char *const kt_check_status_name[KT_CHECK_NR] = {"ok", "warn", "fail", "unknown"};

int kt_check_verdict(const size_t count[KT_CHECK_NR])
{
	if (count[KT_CHECK_FAIL])
		return 1;
	return count[KT_CHECK_UNKNOWN] ? 2 : 0;
}
