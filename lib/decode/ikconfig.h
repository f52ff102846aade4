/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The .config a kernel image carries when it was built with CONFIG_IKCONFIG=y:
 * kernel/configs.c puts the gzip'd file into .rodata between the markers "IKCFG_ST" and
 * "IKCFG_ED" (the ones scripts/extract-ikconfig looks for). With IKCONFIG=m it is in
 * configs.ko and the image holds none. Found in the image's data, decompressed by
 * libarchive (source/archive.h), parsed once into its options.
 */
#ifndef KT_IKCONFIG_H
#define KT_IKCONFIG_H

#include <stddef.h>
#include <stdint.h>

/* A distribution's .config is a few hundred KiB: anything larger is not one. */
#define KT_IKCONFIG_MAX (1u << 20)

enum kt_ikconfig_state { KT_IKCONFIG_ABSENT, KT_IKCONFIG_READ, KT_IKCONFIG_BROKEN };

struct kt_ikconfig_opt {
	const char *name;  /* "CONFIG_LIVEUPDATE" */
	const char *value; /* "y", "m", "64", "\"text\"", as the file has it; NULL: "is not set" */
};

struct kt_ikconfig {
	enum kt_ikconfig_state state;
	char why[256]; /* BROKEN: what is wrong with it */
	char *text;    /* the decompressed file, its lines cut into the options (which point here) */
	struct kt_ikconfig_opt *opts;
	size_t n, cap;
};

/*
 * Look for the embedded config in p[0..len), one data section of an image. -ENOENT (c
 * ABSENT) when no start marker is there; else c is READ (0) or BROKEN (-errno, why in
 * c->why: no end marker, not a stream libarchive reads, corrupt, larger than
 * KT_IKCONFIG_MAX, not a .config).
 */
int kt_ikconfig_find(struct kt_ikconfig *c, const uint8_t *p, size_t len);
/*
 * Parse the text of a .config (takes text, malloc'ed, len bytes): "CONFIG_X=VALUE" and
 * "# CONFIG_X is not set" lines, comments and blank lines. 0 (READ), or -EBADMSG (BROKEN,
 * why in c->why) for a line of anything else or a file without options.
 */
int kt_ikconfig_parse(struct kt_ikconfig *c, char *text, size_t len);
/* The value of option name ("CONFIG_X"); NULL when it is not set or not in the file. */
const char *kt_ikconfig_get(const struct kt_ikconfig *c, const char *name);
void kt_ikconfig_free(struct kt_ikconfig *c);

#endif
