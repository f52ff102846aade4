/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel image as kexec is given one: an ELF vmlinux as it is, or an x86 bzImage
 * (Documentation/arch/x86/boot.rst, arch/x86/boot/header.S) whose payload is the vmlinux
 * ELF compressed with gzip, bzip2, lzma, xz, lz4 (the legacy frame) or zstd, or a vmlinux
 * compressed as a whole (vmlinux.xz). Decompressed by libarchive (source/archive.h), never
 * by hand.
 */
#ifndef KT_KIMAGE_H
#define KT_KIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "source/archive.h"

/* An image file (a debug vmlinux is large) and what a payload may decompress to (the fuzzer's is less). */
#define KT_KIMAGE_MAX_FILE (2ULL << 30)
#ifndef KT_KIMAGE_MAX_ELF
#define KT_KIMAGE_MAX_ELF (1ULL << 30)
#endif

enum kt_kimage_kind { KT_KIMAGE_ELF, KT_KIMAGE_BZIMAGE, KT_KIMAGE_NR_KINDS };
extern const char *const kt_kimage_kind_name[KT_KIMAGE_NR_KINDS];

struct kt_kimage {
	enum kt_kimage_kind kind;
	char compression[KT_FILTER_NAME_LEN]; /* the payload's or the file's ("gzip", ...); empty: none */
	uint8_t *elf; /* the vmlinux ELF, with whatever the payload appends after it */
	size_t len;
};

/*
 * Read the image at path. -errno with a one-line reason naming path in err: unreadable,
 * -EINVAL not a kernel image, -EBADMSG truncated or corrupt, -ENOTSUP a payload
 * compressed in a way libarchive does not read here.
 */
int kt_kimage_read(const char *path, struct kt_kimage *k, char *err, size_t errlen);
/* The same for an image held in memory: takes buf (malloc'ed; freed, or kept as k->elf). */
int kt_kimage_parse(const char *name, uint8_t *buf, size_t len, struct kt_kimage *k, char *err,
		    size_t errlen);
void kt_kimage_free(struct kt_kimage *k);

#endif
