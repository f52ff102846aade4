// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_hdr.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decode/fdt.h"

#define MAX_PHYS	  (1ULL << 52)
#define LUO_V1_COMPATIBLE "luo-v1"

static bool sane_pa(uint64_t pa)
{
	return pa < MAX_PHYS && !(pa & (KT_PAGE_SIZE - 1));
}

static void parse_v1(const struct kt_blob *b, struct kt_luo_hdr *h)
{
	void *owned = NULL;
	const void *fdt = kt_fdt_usable(b, &owned, NULL, NULL);

	if (fdt && kt_fdt_compat_is(fdt, 0, LUO_V1_COMPATIBLE) &&
	    kt_fdt_u64(fdt, 0, "liveupdate-number", &h->liveupdate_num)) {
		h->fmt = KT_LUO_V1;
		strcpy(h->compat, LUO_V1_COMPATIBLE);
	} else {
		h->fmt = KT_LUO_MALFORMED;
		h->why = "not a luo-v1 FDT with a liveupdate-number";
	}
	free(owned);
}

void kt_luo_hdr_parse(const struct kt_blob *b, enum kt_dirn d, struct kt_luo_hdr *h)
{
	struct luo_ser l;

	memset(h, 0, sizeof(*h));
	if (!b)
		return;
	h->len = b->len;
	if (kt_fdt_is(b)) {
		parse_v1(b, h);
		return;
	}
	if (b->len < sizeof(l)) {
		h->fmt = d == KT_IN ? KT_LUO_STALE : KT_LUO_MALFORMED;
		h->why = "too short for a luo_ser";
		return;
	}
	memcpy(&l, b->data, sizeof(l));
	if (!kt_cstr(h->compat, sizeof(h->compat), l.compatible, sizeof(l.compatible)) ||
	    strncmp(h->compat, "luo-v", 5) || !kt_printable(h->compat, strlen(h->compat))) {
		h->compat[0] = '\0';
		h->fmt = KT_LUO_STALE;
		h->why = "no LUO compatible string";
		return;
	}
	if (strcmp(h->compat, LUO_V5_COMPATIBLE)) {
		h->fmt = KT_LUO_UNSUPPORTED;
		return;
	}
	if (!sane_pa(l.sessions_pa) || !sane_pa(l.flbs_pa)) {
		h->fmt = KT_LUO_STALE;
		h->why = "session or FLB address is not a page address";
		return;
	}
	h->fmt = KT_LUO_V5;
	h->liveupdate_num = l.liveupdate_num;
	h->sessions_pa = l.sessions_pa;
	h->flbs_pa = l.flbs_pa;
}

static void decode_v5(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	enum kt_dirn d = c ? c->dirn : KT_OUT;
	struct kt_luo_hdr h;

	kt_luo_hdr_parse(b, d, &h);
	switch (h.fmt) {
	case KT_LUO_MALFORMED:
		kt_note(s, KT_NOTE_ERROR, "%s: %zu of %zu bytes", h.why, b->len, sizeof(struct luo_ser));
		return;
	case KT_LUO_STALE:
		kt_field_bool(s, "stale", true);
		kt_note(s, KT_NOTE_WARNING, "stale: %s%s", h.why,
			d == KT_IN
			    ? " (LUO frees its incoming copy early in boot; debugfs still shows that memory)"
			    : "");
		return;
	case KT_LUO_UNSUPPORTED:
		kt_field_str(s, "compatible", h.compat);
		kt_note(s, KT_NOTE_ERROR, "unsupported LUO ABI '%s' (this tool reads %s)", h.compat,
			LUO_V5_COMPATIBLE);
		return;
	default:
		break;
	}
	kt_field_str(s, "compatible", h.compat);
	kt_field_u64(s, "liveupdate_num", h.liveupdate_num);
	kt_field_addr(s, "sessions_pa", h.sessions_pa);
	kt_field_addr(s, "flbs_pa", h.flbs_pa);
	if (b->len != sizeof(struct luo_ser))
		kt_note(s, KT_NOTE_WARNING, "%zu bytes, a luo_ser is %zu", b->len, sizeof(struct luo_ser));
	if (!h.sessions_pa)
		kt_note(s, KT_NOTE_INFO, "sessions not serialized yet (LUO serializes at the kexec reboot)");
}

static const struct kt_prop_schema v1_schema[] = {
    {"compatible", KT_P_STR},
    {"liveupdate-number", KT_P_U64},
    {"luo-session-header", KT_P_ADDR},
    {NULL, KT_P_AUTO},
};

static void decode_v1(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	void *owned;
	const void *fdt = kt_fdt_open(b, s, &owned, NULL);

	if (!fdt)
		return;
	kt_fdt_emit(fdt, v1_schema, NULL, s, c);
	free(owned);
}

const struct kt_decoder kt_dec_luo_v5 = {"luo-v5", NULL, LUO_SUBTREE_NAME, decode_v5};
const struct kt_decoder kt_dec_luo_v1 = {"luo-v1", LUO_V1_COMPATIBLE, NULL, decode_v1};
