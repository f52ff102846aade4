// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_flb.h"

#include <errno.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"

int kt_luo_flb_walk(struct kt_physmem *pm, uint64_t pa,
		    void (*fn)(void *ctx, const char *name, uint64_t data, uint64_t count), void *ctx,
		    char *err, size_t errlen)
{
	struct luo_flb_header_ser h;
	uint64_t max, i;

	if (kt_physmem_read(pm, pa, &h, sizeof(h)))
		return kt_fail(err, errlen, -EFAULT, "FLB header at 0x%llx not readable",
			       (unsigned long long)pa);
	max = h.pgcnt && h.pgcnt <= KT_LUO_FLB_MAX_PAGES
		  ? (h.pgcnt * KT_PAGE_SIZE - sizeof(h)) / sizeof(struct luo_flb_ser)
		  : 0;
	if (h.count > max)
		return kt_fail(
		    err, errlen, -EBADMSG, "FLB header at 0x%llx claims %llu entries in %llu pages",
		    (unsigned long long)pa, (unsigned long long)h.count, (unsigned long long)h.pgcnt);
	for (i = 0; i < h.count; i++) {
		struct luo_flb_ser f;
		char name[LUO_FLB_COMPAT_LEN + 1];

		if (kt_physmem_read(pm, pa + sizeof(h) + i * sizeof(f), &f, sizeof(f)))
			return kt_fail(err, errlen, -EFAULT, "FLB entry %llu of %llu at 0x%llx not readable",
				       (unsigned long long)i, (unsigned long long)h.count,
				       (unsigned long long)pa);
		kt_cstr(name, sizeof(name), f.name, sizeof(f.name));
		fn(ctx, name, f.data, f.count);
	}
	return 0;
}
