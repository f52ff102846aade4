// SPDX-License-Identifier: GPL-2.0-only
/* kexec-metadata (include/linux/kho/abi/kexec_metadata.h): version, previous release, count. */
#include <string.h>

#include "base/abi.h"
#include "decode/decoders.h"
#include "base/util.h"

void kt_decode_kexec_meta(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	struct kho_kexec_metadata m;
	char rel[KT_UTS_LEN];

	(void)c;
	if (b->len < sizeof(m)) {
		kt_note(s, KT_NOTE_ERROR, "too short: %zu of %zu bytes", b->len, sizeof(m));
		return;
	}
	memcpy(&m, b->data, sizeof(m));
	kt_field_u64(s, "version", m.version);
	if (m.version != KEXEC_METADATA_VERSION) {
		kt_note(s, KT_NOTE_ERROR, "unsupported version %u (this tool reads %d)", m.version,
			KEXEC_METADATA_VERSION);
		return;
	}
	if (!kt_cstr(rel, sizeof(rel), m.previous_release, sizeof(m.previous_release)) ||
	    !kt_printable(rel, strlen(rel))) {
		kt_note(s, KT_NOTE_ERROR, "previous_release is not a terminated string");
		return;
	}
	kt_field_str(s, "previous_release", rel);
	kt_field_u64(s, "kexec_count", m.kexec_count);
	if (b->len != sizeof(m))
		kt_note(s, KT_NOTE_WARNING, "%zu bytes, the structure is %zu", b->len, sizeof(m));
}
