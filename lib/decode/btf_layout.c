// SPDX-License-Identifier: GPL-2.0-only
#include "decode/btf_layout.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "source/ksym.h"

/*
 * Parsing the kernel's BTF costs tens of milliseconds: once per process (luo-top reads
 * every frame). $KHO_TOOLS_BTF names another BTF file (tests: the layouts of a kernel they
 * fabricate).
 */
static const struct btf *kernel_btf(void)
{
	static struct btf *btf;
	static int tried;
	const char *path = getenv("KHO_TOOLS_BTF");

	if (!tried++)
		btf = path && *path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	return btf;
}

/* Byte offset of a (possibly nested, dot-separated) member; anonymous members are searched. */
static int member_off(const struct btf *btf, int id, const char *path, uint32_t *off)
{
	char name[64];
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	const struct btf_type *t;
	const struct btf_member *m;
	int i;

	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, path, n);
	name[n] = 0;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return -ENOENT;
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t sub = 0;

		if (mn && !strcmp(mn, name)) {
			if (dot && member_off(btf, m->type, dot + 1, &sub))
				return -ENOENT;
			*off = btf_member_bit_offset(t, i) / 8 + sub;
			return 0;
		}
		if ((!mn || !*mn) && !member_off(btf, m->type, path, &sub)) {
			*off = btf_member_bit_offset(t, i) / 8 + sub;
			return 0;
		}
	}
	return -ENOENT;
}

int kt_btf_layout(const struct kt_btf_field *f, size_t n, void *layout, char *err, size_t errlen)
{
	const struct btf *btf = kernel_btf();
	size_t i;

	if (!btf)
		return kt_fail(err, errlen, -ENODEV, "no kernel BTF (/sys/kernel/btf/vmlinux)");
	for (i = 0; i < n; i++) {
		int id = btf__find_by_name_kind(btf, f[i].type, BTF_KIND_STRUCT);
		uint32_t *dst = (uint32_t *)((char *)layout + f[i].off);
		__s64 size;

		if (id > 0 && !*f[i].path) {
			size = btf__resolve_size(btf, id);
			if (size > 0 && size <= UINT32_MAX) {
				*dst = (uint32_t)size;
				continue;
			}
			return kt_fail(err, errlen, -ENOENT, "kernel BTF lacks the size of struct %s",
				       f[i].type);
		}
		if (id <= 0 || member_off(btf, id, f[i].path, dst))
			return kt_fail(err, errlen, -ENOENT, "kernel BTF lacks struct %s.%s", f[i].type,
				       f[i].path);
	}
	return 0;
}

int kt_kernel_find(struct kt_kernel_find *k, void *layout, char *err, size_t errlen)
{
	char e[256];
	size_t i;

	if (k->ret == 1) {
		k->ret = kt_btf_layout(k->fields, k->nr_fields, layout, e, sizeof(e));
		if (k->ret == -ENODEV)
			k->why = kt_asprintf("%s: %s unavailable", e, k->lists);
		else if (k->ret)
			k->why = kt_asprintf("%s (a kernel without %s?)", e, k->feature);
		for (i = 0; !k->ret && i < KT_KERNEL_MAX_SYMS && k->syms[i]; i++) {
			k->ret = kt_ksym_addr(k->syms[i], &k->addr[i]);
			if (k->ret == -EPERM)
				k->why = kt_strdup("kallsyms addresses hidden (not root)");
			else if (k->ret)
				k->why =
				    kt_asprintf("%s not in kallsyms (needs CONFIG_KALLSYMS_ALL)", k->syms[i]);
		}
	}
	return k->ret ? kt_fail(err, errlen, k->ret, "%s", k->why) : 0;
}
