// SPDX-License-Identifier: GPL-2.0-only
#include "decode/kexec_meta.h"

#include <errno.h>
#include <string.h>

#include "base/util.h"

int kt_kexec_meta_parse(const struct kt_blob *b, struct kt_kexec_meta *m, char *why, size_t whylen)
{
	struct kho_kexec_metadata raw;

	memset(m, 0, sizeof(*m));
	if (b->len < sizeof(raw))
		return kt_fail(why, whylen, -EBADMSG, "too short: %zu of %zu bytes", b->len, sizeof(raw));
	memcpy(&raw, b->data, sizeof(raw));
	m->version = raw.version;
	if (raw.version != KEXEC_METADATA_VERSION)
		return kt_fail(why, whylen, -EBADMSG, "unsupported version %u (this tool reads %d)",
			       raw.version, KEXEC_METADATA_VERSION);
	if (!kt_cstr(m->previous_release, sizeof(m->previous_release), raw.previous_release,
		     sizeof(raw.previous_release)) ||
	    !kt_printable(m->previous_release, strlen(m->previous_release)))
		return kt_fail(why, whylen, -EBADMSG, "previous_release is not a terminated string");
	m->kexec_count = raw.kexec_count;
	return 0;
}

static void decode(const struct kt_blob *b, struct kt_sink *s, const struct kt_dctx *c)
{
	struct kt_kexec_meta m;
	char why[128];
	int ret = kt_kexec_meta_parse(b, &m, why, sizeof(why));

	(void)c;
	if (b->len >= sizeof(struct kho_kexec_metadata))
		kt_field_u64(s, "version", m.version);
	if (ret) {
		kt_note(s, KT_NOTE_ERROR, "%s", why);
		return;
	}
	kt_field_str(s, "previous_release", m.previous_release);
	kt_field_u64(s, "kexec_count", m.kexec_count);
	if (b->len != sizeof(struct kho_kexec_metadata))
		kt_note(s, KT_NOTE_WARNING, "%zu bytes, the structure is %zu", b->len,
			sizeof(struct kho_kexec_metadata));
}

const struct kt_decoder kt_dec_kexec_meta = {"kexec-metadata", NULL, KEXEC_METADATA_NAME, decode};
