// SPDX-License-Identifier: GPL-2.0-only
#include "source/ksym.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kt_ksym_scan(bool (*fn)(void *ctx, uint64_t addr, char type, const char *name), void *ctx)
{
	const char *path = getenv("KHO_TOOLS_KALLSYMS"); /* tests: a fabricated kernel's symbols */
	char line[512];
	FILE *f = fopen(path && *path ? path : KT_KALLSYMS, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char *end, *sym;

		/* "ffffffff81331380 T kho_preserve_folio\t[module]" */
		addr = strtoull(line, &end, 16);
		if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
			continue;
		sym = end + 3;
		sym[strcspn(sym, " \t\n")] = '\0';
		if (fn(ctx, addr, end[1], sym))
			break;
	}
	fclose(f);
	return 0;
}

struct find {
	const char *sym;
	uint64_t addr;
	bool found;
};

static bool match(void *ctx, uint64_t addr, char type, const char *name)
{
	struct find *f = ctx;

	(void)type;
	if (strcmp(name, f->sym))
		return false;
	f->addr = addr;
	f->found = true;
	return true;
}

int kt_ksym_addr(const char *sym, uint64_t *addr)
{
	struct find f = {.sym = sym};
	int ret = kt_ksym_scan(match, &f);

	if (ret)
		return ret;
	if (!f.found)
		return -ENOENT;
	*addr = f.addr;
	return f.addr ? 0 : -EPERM;
}
