// SPDX-License-Identifier: GPL-2.0-only
#include "decode/vmlinux.h"

#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define BANNER "Linux version "

/*
 * Where the strings are: .rodata (literals, const data), .data (writable structs such as
 * the file handlers), and their init-time and per-section variants (.data..ro_after_init,
 * .init.rodata, .rodata.str1.1 in an unlinked object). x86's vmlinux marks .data
 * executable, so the names decide, not the flags.
 */
static bool searched(const char *name)
{
	static const char *const prefixes[] = {".rodata", ".data", ".init.rodata", ".init.data"};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static int add_section(const char *name, struct kt_vmlinux *v, const char *sn, const GElf_Shdr *sh, char *err,
		       size_t errlen)
{
	size_t len = v->img.len;

	/* The image names its sections: a name with control bytes would break the one line. */
	if (sh->sh_offset > len || sh->sh_size > len - sh->sh_offset)
		return kt_fail(err, errlen, -EBADMSG, "%s: truncated: section %s ends at byte %llu of %zu",
			       name, kt_name_ok(sn, strlen(sn) + 1) ? sn : "(an unprintable name)",
			       (unsigned long long)(sh->sh_offset + sh->sh_size), len);
	KT_GROW(v->data, v->cap_data, v->nr_data + 1);
	v->data[v->nr_data].p = v->img.elf + sh->sh_offset;
	v->data[v->nr_data++].len = sh->sh_size;
	return 0;
}

static int find_sections(const char *name, struct kt_vmlinux *v, char *err, size_t errlen)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	size_t shstrndx;
	int ret = 0;

	elf_version(EV_CURRENT);
	e = elf_memory((char *)v->img.elf, v->img.len);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || elf_getshdrstrndx(e, &shstrndx)) {
		ret = kt_fail(err, errlen, -EBADMSG, "%s: malformed or truncated ELF: %s", name,
			      elf_errmsg(-1));
		goto out;
	}
	/* The section headers come last: a cut vmlinux loses them first (libelf then sees none). */
	if (eh.e_shoff > v->img.len || (uint64_t)eh.e_shnum * eh.e_shentsize > v->img.len - eh.e_shoff) {
		ret = kt_fail(err, errlen, -EBADMSG,
			      "%s: truncated: %zu bytes, the section headers end at %llu", name, v->img.len,
			      (unsigned long long)(eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize));
		goto out;
	}
	while (!ret && (scn = elf_nextscn(e, scn))) {
		const char *sn;

		if (!gelf_getshdr(scn, &sh)) {
			ret = kt_fail(err, errlen, -EBADMSG, "%s: malformed or truncated ELF: %s", name,
				      elf_errmsg(-1));
			break;
		}
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC))
			continue;
		sn = elf_strptr(e, shstrndx, sh.sh_name);
		if (sn && searched(sn))
			ret = add_section(name, v, sn, &sh, err, errlen);
	}
	if (!ret && !v->nr_data)
		ret =
		    kt_fail(err, errlen, -EINVAL, "%s: an ELF without .rodata or .data: not a vmlinux", name);
out:
	elf_end(e);
	return ret;
}

/* The release from the banner, "Linux version 7.3.4 (builder@host) ...". */
static int find_release(const char *name, struct kt_vmlinux *v, char *err, size_t errlen)
{
	size_t i, n;

	for (i = 0; i < v->nr_data; i++) {
		const uint8_t *p = v->data[i].p, *end = p + v->data[i].len;
		const uint8_t *b = memmem(p, end - p, BANNER, strlen(BANNER));

		if (!b)
			continue;
		b += strlen(BANNER);
		for (n = 0; b + n < end && n < sizeof(v->release) - 1 && b[n] > ' ' && b[n] < 0x7f; n++)
			;
		memcpy(v->release, b, n);
		v->release[n] = '\0';
		return 0;
	}
	return kt_fail(err, errlen, -EINVAL, "%s: an ELF without a \"%s\" banner: not a Linux kernel", name,
		       BANNER);
}

/* kernel/configs.c puts it in .rodata: the first data section holding its start marker. */
static void find_config(struct kt_vmlinux *v)
{
	size_t i;

	for (i = 0; i < v->nr_data; i++)
		if (kt_ikconfig_find(&v->config, v->data[i].p, v->data[i].len) != -ENOENT)
			return;
}

/* Find the data of an image read (ret: how the read went). */
static int read_strings(const char *name, struct kt_vmlinux *v, int ret, char *err, size_t errlen)
{
	if (!ret)
		ret = find_sections(name, v, err, errlen);
	if (!ret)
		ret = find_release(name, v, err, errlen);
	if (ret)
		kt_vmlinux_free(v);
	else
		find_config(v);
	return ret;
}

int kt_vmlinux_parse(const char *name, uint8_t *buf, size_t len, struct kt_vmlinux *v, char *err,
		     size_t errlen)
{
	memset(v, 0, sizeof(*v));
	return read_strings(name, v, kt_kimage_parse(name, buf, len, &v->img, err, errlen), err, errlen);
}

int kt_vmlinux_load(const char *path, struct kt_vmlinux *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	return read_strings(path, v, kt_kimage_read(path, &v->img, err, errlen), err, errlen);
}

void kt_vmlinux_free(struct kt_vmlinux *v)
{
	kt_kimage_free(&v->img);
	kt_ikconfig_free(&v->config);
	free(v->data);
	memset(v, 0, sizeof(*v));
}

bool kt_vmlinux_knows(const struct kt_vmlinux *v, const char *s)
{
	size_t i, n = strlen(s) + 1;

	for (i = 0; n > 1 && i < v->nr_data; i++)
		if (memmem(v->data[i].p, v->data[i].len, s, n))
			return true;
	return false;
}

/* The length of "NAME-v" in "NAME-vN", 0 when s is not of that shape. */
static size_t version_stem(const char *s)
{
	const char *v = strrchr(s, 'v');
	size_t i;

	if (!v || v == s || v[-1] != '-' || !v[1])
		return 0;
	for (i = 1; v[i]; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return v + 1 - s;
}

bool kt_vmlinux_other_version(const struct kt_vmlinux *v, const char *s, char *buf, size_t len)
{
	size_t stem = version_stem(s), i, d;

	for (i = 0; stem && i < v->nr_data; i++) {
		const uint8_t *p = v->data[i].p, *end = p + v->data[i].len, *q;

		while ((q = memmem(p, end - p, s, stem))) {
			for (d = 0; q + stem + d < end && isdigit(q[stem + d]); d++)
				;
			if (d && q + stem + d < end && !q[stem + d] && strcmp((const char *)q, s) &&
			    stem + d < len) {
				memcpy(buf, q, stem + d + 1);
				return true;
			}
			p = q + 1;
		}
	}
	return false;
}
