// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen-tree NODES DIR: a synthetic KHO snapshot directory for bench/decode.sh.
 *   DIR/out/sub_fdts/memblock  memblock-v1 FDT with NODES reserve-mem-v1 children,
 *                              each with compatible and native-endian u64 start, size
 *   DIR/out/fdt                a small kho-v4 root naming that blob, blob-size matching
 * Written with libfdt's sequential writer: dtc cannot build trees this large.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A node costs under 100 bytes (tags, 12-byte name, three properties). */
#define NODE_BYTES 128
#define SLACK	   4096

static int check(int err, const char *what)
{
	if (err < 0) {
		fprintf(stderr, "gen-tree: %s: %s\n", what, fdt_strerror(err));
		exit(1);
	}
	return err;
}

static int u64_prop(void *fdt, const char *name, uint64_t v)
{
	/* KHO stores its numbers in the CPU's byte order, not as big-endian cells. */
	return fdt_property(fdt, name, &v, sizeof(v));
}

static void write_file(const char *dir, const char *rel, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen-tree: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void make_dirs(const char *dir)
{
	static const char *const sub[] = {"", "/out", "/out/sub_fdts"};
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, sub[i]);
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "gen-tree: %s: %s\n", path, strerror(errno));
			exit(1);
		}
	}
}

static void *memblock_fdt(unsigned long nodes)
{
	size_t size = SLACK + nodes * NODE_BYTES;
	void *fdt = malloc(size);
	unsigned long i;

	if (!fdt) {
		fprintf(stderr, "gen-tree: out of memory for %zu bytes\n", size);
		exit(1);
	}
	check(fdt_create(fdt, size), "fdt_create");
	check(fdt_finish_reservemap(fdt), "reservemap");
	check(fdt_begin_node(fdt, ""), "root");
	check(fdt_property_string(fdt, "compatible", "memblock-v1"), "compatible");
	for (i = 0; i < nodes; i++) {
		char name[32];

		snprintf(name, sizeof(name), "mem%lu", i);
		check(fdt_begin_node(fdt, name), "node");
		check(fdt_property_string(fdt, "compatible", "reserve-mem-v1"), "compatible");
		check(u64_prop(fdt, "start", 0x100000000ULL + (uint64_t)i * 0x200000), "start");
		check(u64_prop(fdt, "size", 0x200000), "size");
		check(fdt_end_node(fdt), "end node");
	}
	check(fdt_end_node(fdt), "end root");
	check(fdt_finish(fdt), "finish");
	return fdt;
}

static void *root_fdt(uint64_t memblock_size)
{
	static char fdt[SLACK];

	check(fdt_create(fdt, sizeof(fdt)), "fdt_create");
	check(fdt_finish_reservemap(fdt), "reservemap");
	check(fdt_begin_node(fdt, ""), "root");
	check(fdt_property_string(fdt, "compatible", "kho-v4"), "compatible");
	check(u64_prop(fdt, "preserved-memory-map", 0x188d000), "memory map");
	check(fdt_begin_node(fdt, "memblock"), "memblock");
	check(u64_prop(fdt, "preserved-data", 0x34ac000), "preserved-data");
	check(u64_prop(fdt, "blob-size", memblock_size), "blob-size");
	check(fdt_end_node(fdt), "end memblock");
	check(fdt_end_node(fdt), "end root");
	check(fdt_finish(fdt), "finish");
	return fdt;
}

int main(int argc, char **argv)
{
	unsigned long nodes;
	void *mb, *root;
	char *end;

	if (argc != 3 || !(nodes = strtoul(argv[1], &end, 0)) || *end) {
		fprintf(stderr, "usage: gen-tree NODES DIR\n");
		return 2;
	}
	make_dirs(argv[2]);
	mb = memblock_fdt(nodes);
	root = root_fdt(fdt_totalsize(mb));
	write_file(argv[2], "out/sub_fdts/memblock", mb, fdt_totalsize(mb));
	write_file(argv[2], "out/fdt", root, fdt_totalsize(root));
	printf("%u\n", fdt_totalsize(mb));
	free(mb);
	return 0;
}
