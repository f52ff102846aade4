/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fabricated kernel for the tests of the live-list readers (decode/luo_kernel*.c):
 * the BTF of the LUO structures they look up, with layouts of our own choosing (the
 * readers take every offset from BTF, so any layout is a kernel's), the kallsyms lines
 * of the globals, and helpers to lay structures out in a RAM image read through a
 * fabricated kcore (tests/unit/fdtbuild.h fb_open_image). Shared by the unit tests and
 * the fuzz targets; point KHO_TOOLS_BTF and KHO_TOOLS_KALLSYMS at what fk_write() makes.
 */
#ifndef KT_TEST_FAKE_KERNEL_H
#define KT_TEST_FAKE_KERNEL_H

#include <bpf/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* RAM: FK_PAGES pages at FK_PHYS, in the direct map at FK_VIRT. */
#define FK_PHYS	     0x100000ULL
#define FK_PAGES     64
#define FK_SIZE	     (FK_PAGES * 4096ULL)
#define FK_DIRECTMAP 0xffff888000000000ULL
#define FK_VIRT	     (FK_DIRECTMAP + FK_PHYS)
#define FK_IOMEM     "00100000-0013ffff : System RAM\n"

/* Where the globals are: the first page of RAM. */
#define FK_SESSION_GLOBAL (FK_VIRT + 0x000) /* struct luo_session_global */
#define FK_FLB_GLOBAL	  (FK_VIRT + 0x100) /* struct luo_flb_global */
#define FK_HANDLER_LIST	  (FK_VIRT + 0x200) /* luo_file_handler_list (struct list_head) */

/* The layouts (byte offsets). */
enum {
	/* list_head */
	FK_NEXT = 0,
	FK_PREV = 8,
	/* luo_session_header: 64 bytes; luo_session_global: incoming then outgoing */
	FK_HDR_COUNT = 0,
	FK_HDR_LIST = 8,
	FK_HDR_ACTIVE = 24,
	FK_HDR_BLOCKS = 32, /* kho_block_set, head_pa at +8 */
	FK_HDR_HEAD_PA = FK_HDR_BLOCKS + 8,
	FK_HDR_SIZE = 64,
	FK_G_IN = 0,
	FK_G_OUT = FK_HDR_SIZE,
	/* luo_session: 112 bytes; luo_file_set at 88: files_list at 0, count at 16 */
	FK_S_NAME = 0,
	FK_S_LIST = 64,
	FK_S_RETRIEVED = 80,
	FK_S_FILES = 88,
	FK_S_COUNT = 88 + 16,
	FK_S_SIZE = 112,
	/* luo_file: 56 bytes */
	FK_F_FH = 0,
	FK_F_FILE = 8,
	FK_F_DATA = 16,
	FK_F_RSTATUS = 24,
	FK_F_LIST = 32,
	FK_F_TOKEN = 48,
	FK_F_SIZE = 56,
	/* liveupdate_file_handler: 88 bytes */
	FK_FH_COMPAT = 8,
	FK_FH_LIST = 56,
	FK_FH_FLBS = 72,
	FK_FH_SIZE = 88,
	/* file, inode */
	FK_FILE_INODE = 0,
	FK_INODE_SIZE = 0,
	/* luo_flb_header: 24 bytes; luo_flb_global: incoming, outgoing, list, count */
	FK_FH_SER = 0,
	FK_FH_ACTIVE = 16,
	FK_FG_IN = 0,
	FK_FG_OUT = 24,
	FK_FG_LIST = 48,
	FK_FG_COUNT = 64,
	/* luo_flb_private_state: 56 bytes */
	FK_ST_COUNT = 0,
	FK_ST_DATA = 8,
	FK_ST_OBJ = 16,
	FK_ST_FINISHED = 48,
	FK_ST_RSTATUS = 52,
	FK_ST_SIZE = 56,
	/* liveupdate_flb: compatible at 8, private at 56: list, outgoing, incoming, users */
	FK_FLB_COMPAT = 8,
	FK_FLB_LIST = 56,
	FK_FLB_OUT = 56 + 16,
	FK_FLB_IN = 56 + 16 + FK_ST_SIZE,
	FK_FLB_SIZE = 56 + 136,
	/* luo_flb_link: 24 bytes */
	FK_LINK_FLB = 0,
	FK_LINK_LIST = 8,
	FK_LINK_SIZE = 24,
};

struct fk_field {
	const char *name;
	uint32_t off;
	const char *type; /* a struct of this table, or NULL for a plain u64 */
};

struct fk_struct {
	const char *name;
	uint32_t size;
	struct fk_field f[8];
};

static const struct fk_struct fk_structs[] = {
    {"list_head", 16, {{"next", FK_NEXT, NULL}, {"prev", FK_PREV, NULL}}},
    {"kho_block_set", 24, {{"blocks", 0, NULL}, {"head_pa", 8, NULL}}},
    {"luo_session_header",
     FK_HDR_SIZE,
     {{"count", FK_HDR_COUNT, NULL},
      {"list", FK_HDR_LIST, "list_head"},
      {"active", FK_HDR_ACTIVE, NULL},
      {"block_set", FK_HDR_BLOCKS, "kho_block_set"}}},
    {"luo_session_global",
     2 * FK_HDR_SIZE,
     {{"incoming", FK_G_IN, "luo_session_header"}, {"outgoing", FK_G_OUT, "luo_session_header"}}},
    {"luo_file_set", 24, {{"files_list", 0, "list_head"}, {"count", 16, NULL}}},
    {"luo_session",
     FK_S_SIZE,
     {{"name", FK_S_NAME, NULL},
      {"list", FK_S_LIST, "list_head"},
      {"retrieved", FK_S_RETRIEVED, NULL},
      {"file_set", FK_S_FILES, "luo_file_set"}}},
    {"luo_file",
     FK_F_SIZE,
     {{"fh", FK_F_FH, NULL},
      {"file", FK_F_FILE, NULL},
      {"serialized_data", FK_F_DATA, NULL},
      {"retrieve_status", FK_F_RSTATUS, NULL},
      {"list", FK_F_LIST, "list_head"},
      {"token", FK_F_TOKEN, NULL}}},
    {"liveupdate_file_handler",
     FK_FH_SIZE,
     {{"ops", 0, NULL},
      {"compatible", FK_FH_COMPAT, NULL},
      {"list", FK_FH_LIST, "list_head"},
      {"flb_list", FK_FH_FLBS, "list_head"}}},
    {"file", 8, {{"f_inode", FK_FILE_INODE, NULL}}},
    {"inode", 8, {{"i_size", FK_INODE_SIZE, NULL}}},
    {"luo_flb_header",
     24,
     {{"header_ser", FK_FH_SER, NULL}, {"ser", 8, NULL}, {"active", FK_FH_ACTIVE, NULL}}},
    {"luo_flb_global",
     72,
     {{"incoming", FK_FG_IN, "luo_flb_header"},
      {"outgoing", FK_FG_OUT, "luo_flb_header"},
      {"list", FK_FG_LIST, "list_head"},
      {"count", FK_FG_COUNT, NULL}}},
    {"luo_flb_private_state",
     FK_ST_SIZE,
     {{"count", FK_ST_COUNT, NULL},
      {"data", FK_ST_DATA, NULL},
      {"obj", FK_ST_OBJ, NULL},
      {"finished", FK_ST_FINISHED, NULL},
      {"retrieve_status", FK_ST_RSTATUS, NULL}}},
    {"luo_flb_private",
     136,
     {{"list", 0, "list_head"},
      {"outgoing", 16, "luo_flb_private_state"},
      {"incoming", 16 + FK_ST_SIZE, "luo_flb_private_state"},
      {"users", 128, NULL}}},
    {"liveupdate_flb",
     FK_FLB_SIZE,
     {{"ops", 0, NULL}, {"compatible", FK_FLB_COMPAT, NULL}, {"private", FK_FLB_LIST, "luo_flb_private"}}},
    {"luo_flb_link", FK_LINK_SIZE, {{"flb", FK_LINK_FLB, NULL}, {"list", FK_LINK_LIST, "list_head"}}},
};

/* DIR/btf and DIR/kallsyms for the fabricated kernel. 0, or -1 when a file could not be written. */
static inline int fk_write(const char *dir)
{
	int ids[sizeof(fk_structs) / sizeof(fk_structs[0])], u64, ret = 0;
	struct btf *btf = btf__new_empty();
	const void *raw;
	char path[4096];
	size_t i, k, n = sizeof(fk_structs) / sizeof(fk_structs[0]);
	uint32_t size;
	FILE *f;

	if (!btf)
		return -1;
	u64 = btf__add_int(btf, "u64", 8, 0);
	/* Structs first (their members may name one another), then their fields in order. */
	for (i = 0; i < n; i++) {
		const struct fk_struct *s = &fk_structs[i];

		ids[i] = btf__add_struct(btf, s->name, s->size);
		for (k = 0; k < 8 && s->f[k].name; k++) {
			int type = u64;
			size_t t;

			for (t = 0; s->f[k].type && t < n; t++)
				if (!strcmp(fk_structs[t].name, s->f[k].type))
					type = ids[t];
			if (btf__add_field(btf, s->f[k].name, type, s->f[k].off * 8, 0))
				ret = -1;
		}
	}
	raw = btf__raw_data(btf, &size);
	snprintf(path, sizeof(path), "%s/btf", dir);
	f = fopen(path, "wb");
	if (!raw || !f || fwrite(raw, 1, size, f) != size)
		ret = -1;
	if (f && fclose(f))
		ret = -1;
	btf__free(btf);
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	f = fopen(path, "w");
	if (!f ||
	    fprintf(
		f,
		"%016llx d luo_session_global\n%016llx d luo_flb_global\n%016llx d luo_file_handler_list\n",
		(unsigned long long)FK_SESSION_GLOBAL, (unsigned long long)FK_FLB_GLOBAL,
		(unsigned long long)FK_HANDLER_LIST) < 0)
		ret = -1;
	if (f && fclose(f))
		ret = -1;
	return ret;
}

/* ---- laying structures out in the RAM image (ram: FK_SIZE bytes at FK_VIRT) ---------------- */

static inline void fk_u64(uint8_t *ram, uint64_t va, uint64_t v)
{
	memcpy(ram + (va - FK_VIRT), &v, 8);
}

static inline void fk_u32(uint8_t *ram, uint64_t va, uint32_t v)
{
	memcpy(ram + (va - FK_VIRT), &v, 4);
}

static inline void fk_bytes(uint8_t *ram, uint64_t va, const void *p, size_t n)
{
	memcpy(ram + (va - FK_VIRT), p, n);
}

/* An empty list at head. */
static inline void fk_list_init(uint8_t *ram, uint64_t head)
{
	fk_u64(ram, head + FK_NEXT, head);
	fk_u64(ram, head + FK_PREV, head);
}

/* Append node to the list at head (list_add_tail). */
static inline void fk_list_add(uint8_t *ram, uint64_t head, uint64_t node)
{
	uint64_t prev;

	memcpy(&prev, ram + (head + FK_PREV - FK_VIRT), 8);
	fk_u64(ram, node + FK_NEXT, head);
	fk_u64(ram, node + FK_PREV, prev);
	fk_u64(ram, prev + FK_NEXT, node);
	fk_u64(ram, head + FK_PREV, node);
}

/* Take node off its list (list_del: the kernel poisons the links of a node it drops). */
static inline void fk_list_del(uint8_t *ram, uint64_t node)
{
	uint64_t next, prev;

	memcpy(&next, ram + (node + FK_NEXT - FK_VIRT), 8);
	memcpy(&prev, ram + (node + FK_PREV - FK_VIRT), 8);
	fk_u64(ram, prev + FK_NEXT, next);
	fk_u64(ram, next + FK_PREV, prev);
	fk_u64(ram, node + FK_NEXT, 0xdead000000000100ULL);
	fk_u64(ram, node + FK_PREV, 0xdead000000000122ULL);
}

/* A kernel with LUO and nothing in it: empty session, FLB and handler lists. */
static inline void fk_empty(uint8_t *ram)
{
	memset(ram, 0, FK_SIZE);
	fk_list_init(ram, FK_SESSION_GLOBAL + FK_G_IN + FK_HDR_LIST);
	fk_list_init(ram, FK_SESSION_GLOBAL + FK_G_OUT + FK_HDR_LIST);
	fk_list_init(ram, FK_FLB_GLOBAL + FK_FG_LIST);
	fk_list_init(ram, FK_HANDLER_LIST);
}

#endif
