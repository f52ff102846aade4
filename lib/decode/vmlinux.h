/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which strings a kernel image holds in its data: the compatible strings of the handover
 * formats it reads are string literals in .rodata ("kho-v4", "luo-v5", sub-blob names)
 * or char arrays in .data (the compatible[48] of each file handler and FLB, "memfd-v2").
 * Read from the vmlinux ELF (source/kimage.h gets it out of a bzImage) with libelf, and
 * with them the kernel config the image embeds, if any (decode/ikconfig.h).
 */
#ifndef KT_VMLINUX_H
#define KT_VMLINUX_H

#include <stdbool.h>
#include <stddef.h>

#include "decode/ikconfig.h"
#include "source/kimage.h"

/* "Linux version 7.3.4 ..." gives the release: at most a utsname field. */
#define KT_VMLINUX_RELEASE_LEN 65

struct kt_vmlinux_data {
	const uint8_t *p;
	size_t len;
};

struct kt_vmlinux {
	struct kt_kimage img;
	char release[KT_VMLINUX_RELEASE_LEN]; /* empty when the banner is not found */
	struct kt_vmlinux_data *data;	      /* the sections searched (point into img.elf) */
	size_t nr_data, cap_data;
	struct kt_ikconfig config; /* ABSENT, READ, or BROKEN (an image still read) */
};

/*
 * Read the image at path and find its data sections. -errno with one line naming path
 * in err: those of kt_kimage_read, -EINVAL an ELF that is not a vmlinux (no data
 * sections, no "Linux version" banner), -EBADMSG a truncated or malformed ELF. A broken
 * embedded config is no error: v->config says why.
 */
int kt_vmlinux_load(const char *path, struct kt_vmlinux *v, char *err, size_t errlen);
/* The same on an image in memory (takes buf, malloc'ed). */
int kt_vmlinux_parse(const char *name, uint8_t *buf, size_t len, struct kt_vmlinux *v, char *err,
		     size_t errlen);
void kt_vmlinux_free(struct kt_vmlinux *v);

/*
 * The kernel holds s as a NUL-terminated string: "s\0" is in its data. Only the end is
 * anchored: the linker merges a literal into the tail of a longer one, and a char[48]
 * field follows other data.
 */
bool kt_vmlinux_knows(const struct kt_vmlinux *v, const char *s);
/*
 * For a versioned compatible "NAME-vN" the kernel does not hold: another version of it
 * that it does ("memfd-v3"), copied into buf. false when none, or s is not of that shape.
 */
bool kt_vmlinux_other_version(const struct kt_vmlinux *v, const char *s, char *buf, size_t len);

#endif
