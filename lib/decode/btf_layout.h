/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Struct layouts of the running kernel, from its own BTF (/sys/kernel/btf/vmlinux,
 * through libbpf): offsets differ between builds and configurations (lock debugging
 * moves every field after a mutex) and are never hard-coded.
 */
#ifndef KT_BTF_LAYOUT_H
#define KT_BTF_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* One member wanted: "struct type", a dot-separated member path ("" for the struct's size), where it goes. */
struct kt_btf_field {
	const char *type, *path;
	size_t off; /* of a uint32_t in the caller's layout struct */
};

/*
 * Fill the byte offset of every field into layout. -ENOENT with err naming the first
 * missing one ("kernel BTF lacks struct luo_session.name"), -ENODEV when there is no BTF.
 * The kernel's BTF is parsed once per process.
 */
int kt_btf_layout(const struct kt_btf_field *f, size_t n, void *layout, char *err, size_t errlen);
/* An entry of a table of wanted fields: struct type's member path into member of struct layout. */
#define KT_BTF_FIELD(layout, type, path, member)                                                             \
	{                                                                                                    \
		type, path, offsetof(struct layout, member)                                                  \
	}

#define KT_KERNEL_MAX_SYMS 4

/*
 * What a reader of the kernel's lists needs, found on the first call and kept for the
 * process, whether found or not (BTF and kallsyms cost tens of milliseconds to parse;
 * luo-top reads every few seconds): the layouts, and the addresses of its globals.
 */
struct kt_kernel_find {
	const struct kt_btf_field *fields;
	size_t nr_fields;
	const char *syms[KT_KERNEL_MAX_SYMS]; /* the globals, by kallsyms name; NULL-ended */
	const char *lists;		      /* what they serve, for messages: "live session lists" */
	const char *feature;		      /* what a kernel without them lacks: "LUO" */
	/* found: */
	int ret; /* 1: not tried yet */
	char *why;
	uint64_t addr[KT_KERNEL_MAX_SYMS];
};

/* Fill layout (once; the outcome is kept in k). 0, or -errno with err saying why. */
int kt_kernel_find(struct kt_kernel_find *k, void *layout, char *err, size_t errlen);

#endif
