// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen-tree NODES DIR: a synthetic KHO snapshot directory for bench/decode.sh.
 *   DIR/out/sub_fdts/memblock  memblock-v1 FDT with NODES reserve-mem-v1 children,
 *                              each with compatible and native-endian u64 start, size
 *   DIR/out/fdt                a small kho-v4 root naming that blob, blob-size matching
 * Written with libfdt's sequential writer: dtc cannot build trees this large.
 */
#include "gen.h"

/* A node costs under 100 bytes (tags, 12-byte name, three properties). */
#define NODE_BYTES 128
#define SLACK	   4096

static void *memblock_fdt(unsigned long nodes)
{
	size_t size = SLACK + nodes * NODE_BYTES;
	void *fdt = malloc(size);
	unsigned long i;

	if (!fdt) {
		gen_die("memblock FDT", "out of memory");
	}
	gen_check(fdt_create(fdt, size), "fdt_create");
	gen_check(fdt_finish_reservemap(fdt), "reservemap");
	gen_check(fdt_begin_node(fdt, ""), "root");
	gen_check(fdt_property_string(fdt, "compatible", "memblock-v1"), "compatible");
	for (i = 0; i < nodes; i++) {
		char name[32];

		snprintf(name, sizeof(name), "mem%lu", i);
		gen_check(fdt_begin_node(fdt, name), "node");
		gen_check(fdt_property_string(fdt, "compatible", "reserve-mem-v1"), "compatible");
		gen_check(gen_u64_prop(fdt, "start", 0x100000000ULL + (uint64_t)i * 0x200000), "start");
		gen_check(gen_u64_prop(fdt, "size", 0x200000), "size");
		gen_check(fdt_end_node(fdt), "end node");
	}
	gen_check(fdt_end_node(fdt), "end root");
	gen_check(fdt_finish(fdt), "finish");
	return fdt;
}

int main(int argc, char **argv)
{
	static const char *const sub[] = {"out", "out/sub_fdts", NULL};
	unsigned long nodes;
	void *mb;
	char *end;

	if (argc != 3 || !(nodes = strtoul(argv[1], &end, 0)) || *end) {
		fprintf(stderr, "usage: gen-tree NODES DIR\n");
		return 2;
	}
	gen_prog = "gen-tree";
	gen_mkdirs(argv[2], sub);
	mb = memblock_fdt(nodes);
	gen_write_file(argv[2], "out/sub_fdts/memblock", mb, fdt_totalsize(mb));
	gen_kho_root(argv[2], "out/fdt", 0x188d000, "memblock", fdt_totalsize(mb));
	printf("%u\n", fdt_totalsize(mb));
	free(mb);
	return 0;
}
