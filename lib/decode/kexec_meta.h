/* SPDX-License-Identifier: GPL-2.0-only */
/* kexec-metadata (include/linux/kho/abi/kexec_metadata.h): version, previous release, kexec count. */
#ifndef KT_KEXEC_META_H
#define KT_KEXEC_META_H

#include <stdint.h>

#include "base/abi.h"
#include "decode/decoder.h"

struct kt_kexec_meta {
	uint32_t version;
	char previous_release[KT_UTS_LEN];
	uint32_t kexec_count;
};

/*
 * 0, or -EBADMSG with why: too short, another version (m->version is set), a release
 * that is not a terminated string.
 */
int kt_kexec_meta_parse(const struct kt_blob *b, struct kt_kexec_meta *m, char *why, size_t whylen);

extern const struct kt_decoder kt_dec_kexec_meta;

#endif
