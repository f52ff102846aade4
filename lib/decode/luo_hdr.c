// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO's sub-blob (include/linux/kho/abi/luo.h).
 * luo-v5 (7.3): a packed struct luo_ser, not an FDT. After boot the incoming copy
 * in debugfs can hold freed memory (LUO reads and frees it early), so it is
 * validated before anything in it is shown.
 * luo-v1 (6.19): an FDT with liveupdate-number and a luo-session node.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "decode/decoders.h"
#include "base/util.h"

#define MAX_PHYS (1ULL << 52)

static bool sane_pa(uint64_t pa)
{
	return pa < MAX_PHYS && !(pa & (KT_PAGE_SIZE - 1));
}

static void stale(struct kt_sink *s, const struct kt_dctx *c, const char *why)
{
	kt_field_bool(s, "stale", true);
	kt_note(s, KT_NOTE_WARNING, "stale: %s%s", why,
		c && c->dirn == KT_IN ? " (LUO frees its incoming copy early in boot; debugfs still shows that memory)"
				      : "");
}

void kt_decode_luo_v5(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	struct luo_ser l;
	char compat[LUO_COMPAT_LEN + 1];

	if (b->len < sizeof(l)) {
		if (c && c->dirn == KT_IN)
			stale(s, c, "too short for a luo_ser");
		else
			kt_note(s, KT_NOTE_ERROR, "too short for a luo_ser: %zu of %zu bytes", b->len, sizeof(l));
		return;
	}
	memcpy(&l, b->data, sizeof(l));
	if (!kt_cstr(compat, sizeof(compat), l.compatible, sizeof(l.compatible)) ||
	    strncmp(compat, "luo-v", 5) || !kt_printable(compat, strlen(compat))) {
		stale(s, c, "no LUO compatible string");
		return;
	}
	if (strcmp(compat, LUO_V5_COMPATIBLE)) {
		kt_field_str(s, "compatible", compat);
		kt_note(s, KT_NOTE_ERROR, "unsupported LUO ABI '%s' (this tool reads %s)", compat,
			LUO_V5_COMPATIBLE);
		return;
	}
	if (!sane_pa(l.sessions_pa) || !sane_pa(l.flbs_pa)) {
		stale(s, c, "session or FLB address is not a page address");
		return;
	}
	kt_field_str(s, "compatible", compat);
	kt_field_u64(s, "liveupdate_num", l.liveupdate_num);
	kt_field_addr(s, "sessions_pa", l.sessions_pa);
	kt_field_addr(s, "flbs_pa", l.flbs_pa);
	if (b->len != sizeof(l))
		kt_note(s, KT_NOTE_WARNING, "%zu bytes, a luo_ser is %zu", b->len, sizeof(l));
	if (!l.sessions_pa)
		kt_note(s, KT_NOTE_INFO, "sessions not serialized yet (LUO serializes at the kexec reboot)");
}

static const struct kt_prop_schema v1_schema[] = {
	{ "compatible", KT_P_STR },
	{ "liveupdate-number", KT_P_U64 },
	{ "luo-session-header", KT_P_ADDR },
	{ NULL, KT_P_AUTO },
};

void kt_decode_luo_v1(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);

	if (!fdt)
		return;
	kt_fdt_emit_props(fdt, 0, v1_schema, s, c);
	kt_fdt_emit_tree(fdt, v1_schema, NULL, s, c);
	free(owned);
}
