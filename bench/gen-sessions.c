// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen-sessions SESSIONS FILES DIR: a fabricated running kernel for bench/sessions.sh
 * holding SESSIONS outgoing sessions vm-N of FILES preserved memfd-v2 files each, linked
 * as LUO links them (the layouts of tests/fake_kernel.h):
 *   DIR/btf, DIR/kallsyms   the kernel's BTF and symbols (KHO_TOOLS_BTF, _KALLSYMS)
 *   DIR/kcore, DIR/iomem    its RAM (KHO_TOOLS_KCORE, _IOMEM)
 *   DIR/kho/out/fdt         a KHO root with nothing preserved (KHO_TOOLS_DEBUGFS=DIR/kho)
 *   DIR/proc                an empty /proc: no process holds a session (KHO_TOOLS_PROC)
 */
#include "gen.h"
#include "../tests/fake_kernel.h"

static uint8_t *ram;
static uint64_t next_va;

/* size bytes of zeroed RAM, 64-byte aligned. */
static uint64_t alloc(size_t size)
{
	uint64_t va = next_va;

	next_va += (size + 63) & ~63ULL;
	return va;
}

int main(int argc, char **argv)
{
	static const char *const sub[] = {"kho", "kho/out", "proc", NULL};
	unsigned long sessions, files, s, f;
	uint64_t out = FK_SESSION_GLOBAL + FK_G_OUT, fh, size;
	char *end, name[64];
	int fd;

	gen_prog = "gen-sessions";
	if (argc != 4 || !(sessions = strtoul(argv[1], &end, 0)) || *end ||
	    ((files = strtoul(argv[2], &end, 0)), *end)) {
		fprintf(stderr, "usage: gen-sessions SESSIONS FILES DIR\n");
		return 2;
	}
	/* The globals' page, the handler, then 128 bytes a session and 4 x 64 a file. */
	size = GEN_PAGE + 128 + sessions * (128 + files * 256);
	size = (size + GEN_PAGE - 1) & ~(GEN_PAGE - 1);
	if (size < FK_SIZE)
		size = FK_SIZE;
	ram = calloc(1, size);
	if (!ram)
		gen_die("RAM image", "out of memory");
	fk_empty(ram);
	next_va = FK_VIRT + GEN_PAGE;
	fh = alloc(FK_FH_SIZE);
	fk_bytes(ram, fh + FK_FH_COMPAT, "memfd-v2", 8);
	fk_list_init(ram, fh + FK_FH_FLBS);
	fk_list_add(ram, FK_HANDLER_LIST, fh + FK_FH_LIST);
	for (s = 0; s < sessions; s++) {
		uint64_t sess = alloc(FK_S_SIZE);

		snprintf(name, sizeof(name), "vm-%lu", s);
		fk_bytes(ram, sess + FK_S_NAME, name, strlen(name));
		fk_list_init(ram, sess + FK_S_FILES);
		for (f = 0; f < files; f++) {
			uint64_t lf = alloc(FK_F_SIZE), file = alloc(8), inode = alloc(8), ser = alloc(48);

			fk_u64(ram, lf + FK_F_FH, fh);
			fk_u64(ram, lf + FK_F_FILE, file);
			/* memfd-v2's handle: the phys of its memfd_luo_ser, a 4 KiB file of no folios yet. */
			fk_u64(ram, lf + FK_F_DATA, ser - FK_VIRT + FK_PHYS);
			fk_u64(ram, ser + 8, 4096);
			fk_u64(ram, lf + FK_F_TOKEN, f + 1);
			fk_u64(ram, file + FK_FILE_INODE, inode);
			fk_u64(ram, inode + FK_INODE_SIZE, 4096);
			fk_list_add(ram, sess + FK_S_FILES, lf + FK_F_LIST);
		}
		fk_u64(ram, sess + FK_S_COUNT, files);
		fk_list_add(ram, out + FK_HDR_LIST, sess + FK_S_LIST);
	}
	fk_u64(ram, out + FK_HDR_COUNT, sessions);
	gen_mkdirs(argv[3], sub);
	if (fk_write(argv[3]))
		gen_die(argv[3], "cannot write the kernel's BTF and symbols");
	fd = gen_core(argv[3], FK_PHYS, FK_VIRT, size);
	gen_pwrite(fd, ram, size, GEN_PAGE);
	if (close(fd))
		gen_die("kcore", NULL);
	gen_kho_root(argv[3], "kho/out/fdt", 0, NULL, 0);
	printf("%lu sessions, %lu files, %llu MiB of RAM\n", sessions, sessions * files,
	       (unsigned long long)(size >> 20));
	free(ram);
	return 0;
}
