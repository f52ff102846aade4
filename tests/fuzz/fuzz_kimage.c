// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel images: the bzImage header, the payload or whole file decompressed by
 * libarchive, the ELF read by libelf (source/kimage.c, decode/vmlinux.c). A refusal
 * is one of the documented errors with a message naming the image; an image taken
 * has every searched section inside the decompressed ELF, a printable release, and
 * answers to string look-ups that agree with each other, and its embedded config is
 * absent, read with options, or broken saying why (fuzz_ikconfig takes it apart).
 */
#include <ctype.h>
#include <errno.h>

#include "base/util.h"
#include "decode/vmlinux.h"
#include "fuzz.h"

static void check_strings(const struct kt_vmlinux *v)
{
	static const char *const asked[] = {"kho-v1", "luo-v5", "memfd-v2", "reserve-mem-v1", "LUO"};
	char other[64];
	size_t i, n;

	for (i = 0; i < KT_ARRAY_SIZE(asked); i++) {
		if (!kt_vmlinux_other_version(v, asked[i], other, sizeof(other)))
			continue;
		/* Another version: same stem, not the string asked, and held by the image. */
		n = strrchr(asked[i], 'v') - asked[i] + 1;
		FUZZ_CHECK(!strncmp(other, asked[i], n) && strcmp(other, asked[i]));
		for (; other[n]; n++)
			FUZZ_CHECK(isdigit((unsigned char)other[n]));
		FUZZ_CHECK(kt_vmlinux_knows(v, other));
	}
	FUZZ_CHECK(!kt_vmlinux_knows(v, ""));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_vmlinux v;
	char err[512] = "";
	size_t i;
	int ret = kt_vmlinux_parse("fuzz", fuzz_dup(data, size), size, &v, err, sizeof(err));

	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EBADMSG || ret == -ENOTSUP || ret == -EFBIG);
		FUZZ_CHECK(!strncmp(err, "fuzz: ", 6) && !strchr(err, '\n'));
		FUZZ_CHECK(!v.img.elf && !v.data);
		return 0;
	}
	FUZZ_CHECK(v.img.kind < KT_KIMAGE_NR_KINDS && v.img.len >= SELFMAG && v.nr_data);
	FUZZ_CHECK(v.img.kind == KT_KIMAGE_ELF || v.img.compression[0]);
	for (i = 0; i < v.nr_data; i++)
		FUZZ_CHECK(v.data[i].p >= v.img.elf && v.data[i].len <= v.img.len &&
			   (size_t)(v.data[i].p - v.img.elf) <= v.img.len - v.data[i].len);
	FUZZ_CHECK(strlen(v.release) < sizeof(v.release) && kt_printable(v.release, strlen(v.release)));
	check_strings(&v);
	FUZZ_CHECK(v.config.state == KT_IKCONFIG_BROKEN ? v.config.why[0] != '\0' : !v.config.why[0]);
	FUZZ_CHECK(v.config.state != KT_IKCONFIG_READ || v.config.n);
	kt_vmlinux_free(&v);
	return 0;
}
