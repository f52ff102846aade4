/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmark generators (gen-*.c) share: directories, files, a kho-v4 root FDT
 * and a /proc/kcore-like ELF core. Any failure ends the generator with a message.
 */
#ifndef KT_BENCH_GEN_H
#define KT_BENCH_GEN_H

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GEN_PAGE 4096ULL

static const char *gen_prog = "gen";

static inline void gen_die(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", gen_prog, what, why ? why : strerror(errno));
	exit(1);
}

/* DIR and each of the NULL-ended subdirectories under it, in order. */
static inline void gen_mkdirs(const char *dir, const char *const *sub)
{
	char path[4096];

	if (mkdir(dir, 0755) && errno != EEXIST)
		gen_die(dir, NULL);
	for (; *sub; sub++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *sub);
		if (mkdir(path, 0755) && errno != EEXIST)
			gen_die(path, NULL);
	}
}

static inline void gen_write_file(const char *dir, const char *rel, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		gen_die(path, NULL);
}

static inline void gen_check(int err, const char *what)
{
	if (err < 0)
		gen_die(what, fdt_strerror(err));
}

/* KHO stores its numbers in the CPU's byte order, not as big-endian cells. */
static inline int gen_u64_prop(void *fdt, const char *name, uint64_t v)
{
	return fdt_property(fdt, name, &v, sizeof(v));
}

/*
 * A kho-v4 root with the preserved-memory map at mem_map and, when sub_size, one
 * sub-blob `sub` of that size, into DIR/REL.
 */
static inline void gen_kho_root(const char *dir, const char *rel, uint64_t mem_map, const char *sub,
				uint64_t sub_size)
{
	static char fdt[4096];

	gen_check(fdt_create(fdt, sizeof(fdt)), "fdt_create");
	gen_check(fdt_finish_reservemap(fdt), "reservemap");
	gen_check(fdt_begin_node(fdt, ""), "root");
	gen_check(fdt_property_string(fdt, "compatible", "kho-v4"), "compatible");
	gen_check(gen_u64_prop(fdt, "preserved-memory-map", mem_map), "memory map");
	if (sub_size) {
		gen_check(fdt_begin_node(fdt, sub), "sub-blob");
		gen_check(gen_u64_prop(fdt, "preserved-data", 0x34ac000), "preserved-data");
		gen_check(gen_u64_prop(fdt, "blob-size", sub_size), "blob-size");
		gen_check(fdt_end_node(fdt), "end sub-blob");
	}
	gen_check(fdt_end_node(fdt), "end root");
	gen_check(fdt_finish(fdt), "finish");
	gen_write_file(dir, rel, fdt, fdt_totalsize(fdt));
}

/*
 * DIR/kcore laid out like /proc/kcore with one PT_LOAD of size bytes of RAM at paddr (in
 * the direct map at vaddr), its data at file offset GEN_PAGE, a hole until written; and
 * DIR/iomem naming that RAM. Returns the open core: pwrite RAM at GEN_PAGE + (pa - paddr).
 */
static inline int gen_core(const char *dir, uint64_t paddr, uint64_t vaddr, uint64_t size)
{
	Elf64_Ehdr eh = {.e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
			 .e_type = ET_CORE,
			 .e_machine = EM_X86_64,
			 .e_version = EV_CURRENT,
			 .e_phoff = sizeof(Elf64_Ehdr),
			 .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = 2};
	Elf64_Phdr ph[2] = {{.p_type = PT_NOTE},
			    {.p_type = PT_LOAD,
			     .p_flags = PF_R | PF_W | PF_X,
			     .p_offset = GEN_PAGE,
			     .p_vaddr = vaddr,
			     .p_paddr = paddr,
			     .p_filesz = size,
			     .p_memsz = size,
			     .p_align = GEN_PAGE}};
	char path[4096], iomem[128];
	int fd;

	snprintf(path, sizeof(path), "%s/kcore", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pwrite(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    pwrite(fd, ph, sizeof(ph), sizeof(eh)) != sizeof(ph) || ftruncate(fd, (off_t)(GEN_PAGE + size)))
		gen_die(path, NULL);
	snprintf(iomem, sizeof(iomem), "%08llx-%llx : System RAM\n", (unsigned long long)paddr,
		 (unsigned long long)(paddr + size - 1));
	gen_write_file(dir, "iomem", iomem, strlen(iomem));
	return fd;
}

static inline void gen_pwrite(int fd, const void *p, size_t len, uint64_t off)
{
	if (pwrite(fd, p, len, (off_t)off) != (ssize_t)len)
		gen_die("kcore", NULL);
}

#endif
