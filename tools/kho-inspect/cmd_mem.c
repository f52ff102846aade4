// SPDX-License-Identifier: GPL-2.0-only
/* mem: the preserved-memory view, which is nothing without physical memory. */
#include "kho-inspect.h"

static int need_physmem(const struct opts *o, struct kt_state *c)
{
	if (kt_state_physmem(c))
		return 0;
	report_error(o, "%s", c->pm_note ? c->pm_note : "no physical memory access");
	return -1;
}

int cmd_mem(const struct opts *o, int argc, char **argv)
{
	return run_view(o, argc, argv, need_physmem);
}
