// SPDX-License-Identifier: GPL-2.0-only
#include "source/kcore.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/util.h"

#define LOCKDOWN_FILE "/sys/kernel/security/lockdown"
#define MAX_PHNUM     (1u << 20)

/* 512 KiB: a list is read mostly in the order its objects were allocated. */
#define CACHE_PAGES 128

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return -EFAULT;
	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO; /* the file ends inside a segment: a truncated image */
		p += r;
		len -= r;
		off += r;
	}
	return 0;
}

/* /proc/kcore refuses to open without CAP_SYS_RAWIO, or under lockdown (confidentiality). */
static int kcore_open_error(const char *path, int e, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	bool locked = false, known = false;

	if (e == ENOENT && !strcmp(path, KT_KCORE))
		return kt_fail(err, errlen, -ENOENT, "%s: not found (kernel built without CONFIG_PROC_KCORE)",
			       path);
	if (e == EACCES || (e == EPERM && geteuid()))
		return kt_fail(err, errlen, -EACCES,
			       "%s: permission denied (reading physical memory needs root)", path);
	if (e != EPERM)
		return kt_fail(err, errlen, -e, "%s: %s", path, strerror(e));
	if (!kt_read_file(LOCKDOWN_FILE, 4096, &buf, &len)) {
		known = true;
		locked = memmem(buf, len, "[confidentiality]", 17) != NULL;
		free(buf);
	}
	if (locked)
		return kt_fail(err, errlen, -EPERM,
			       "%s: forbidden by kernel lockdown (confidentiality mode, %s)", path,
			       LOCKDOWN_FILE);
	return kt_fail(err, errlen, -EPERM, "%s: operation not permitted (needs CAP_SYS_RAWIO%s)", path,
		       known ? "" : "; kernel lockdown may forbid it too: see " LOCKDOWN_FILE);
}

static int parse_elf(struct kt_kcore *k, const char *path, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	struct stat st;
	uint64_t phnum;
	size_t i;
	int ret;

	ret = pread_full(k->fd, &eh, sizeof(eh), 0);
	if (ret)
		return kt_fail(err, errlen, ret, "%s: cannot read the ELF header: %s", path,
			       ret == -EIO ? "file too short" : strerror(-ret));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_CORE)
		return kt_fail(err, errlen, -EINVAL, "%s: not a little-endian ELF64 core file", path);
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return kt_fail(err, errlen, -EINVAL, "%s: program header size %u, expected %zu", path,
			       eh.e_phentsize, sizeof(Elf64_Phdr));
	phnum = eh.e_phnum;
	if (phnum == PN_XNUM) {
		/* Extended numbering: the real count is in section header 0's sh_info. */
		Elf64_Shdr sh;

		if (!eh.e_shoff || pread_full(k->fd, &sh, sizeof(sh), eh.e_shoff))
			return kt_fail(err, errlen, -EINVAL, "%s: extended program header count unreadable",
				       path);
		phnum = sh.sh_info;
	}
	if (!phnum || phnum > MAX_PHNUM)
		return kt_fail(err, errlen, -EINVAL, "%s: %llu program headers (expected 1 to %u)", path,
			       (unsigned long long)phnum, MAX_PHNUM);
	/* A regular file (an image) must hold the table; /proc/kcore reports its full size too. */
	if (!fstat(k->fd, &st) && S_ISREG(st.st_mode) &&
	    (eh.e_phoff > (uint64_t)st.st_size || phnum * sizeof(*ph) > (uint64_t)st.st_size - eh.e_phoff))
		return kt_fail(err, errlen, -EIO,
			       "%s: cannot read %llu program headers at offset %llu: file too short", path,
			       (unsigned long long)phnum, (unsigned long long)eh.e_phoff);
	ph = kt_calloc(phnum, sizeof(*ph));
	ret = pread_full(k->fd, ph, phnum * sizeof(*ph), eh.e_phoff);
	if (ret) {
		free(ph);
		return kt_fail(err, errlen, ret, "%s: cannot read %llu program headers at offset %llu: %s",
			       path, (unsigned long long)phnum, (unsigned long long)eh.e_phoff,
			       ret == -EIO ? "file too short" : strerror(-ret));
	}
	k->segs = kt_calloc(phnum, sizeof(*k->segs));
	for (i = 0; i < phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || !p->p_filesz)
			continue;
		/* Lookups are overflow-safe (addr - base < size); only the file range must hold. */
		if (p->p_offset + p->p_filesz < p->p_offset ||
		    p->p_offset + p->p_filesz > (uint64_t)INT64_MAX) {
			free(ph);
			return kt_fail(err, errlen, -EINVAL, "%s: program header %zu: segment wraps around",
				       path, i);
		}
		k->segs[k->nr_segs++] = (struct kt_kcore_seg){
		    .vaddr = p->p_vaddr,
		    .paddr = p->p_paddr,
		    .off = p->p_offset,
		    .size = p->p_filesz,
		    /* A physical range that would wrap is as good as none. */
		    .has_paddr = p->p_paddr != (uint64_t)-1 && p->p_paddr + p->p_filesz > p->p_paddr,
		};
	}
	free(ph);
	if (!k->nr_segs)
		return kt_fail(err, errlen, -EINVAL, "%s: no PT_LOAD segments", path);
	return 0;
}

/* A segment containing addr (physical or virtual), or NULL. */
static const struct kt_kcore_seg *find_seg(const struct kt_kcore *k, uint64_t addr, bool phys)
{
	size_t i;

	for (i = 0; i < k->nr_segs; i++) {
		const struct kt_kcore_seg *s = &k->segs[i];
		uint64_t base = phys ? s->paddr : s->vaddr;

		if (phys && !s->has_paddr)
			continue;
		if (addr >= base && addr - base < s->size)
			return s;
	}
	return NULL;
}

void kt_kcore_cache(struct kt_kcore *k, bool on)
{
	if (on && k->cache) {
		memset(k->cache_tag, 0, CACHE_PAGES * sizeof(*k->cache_tag));
		return;
	}
	free(k->cache_tag);
	free(k->cache);
	k->cache_tag = NULL;
	k->cache = NULL;
	if (on) {
		k->cache_tag = kt_calloc(CACHE_PAGES, sizeof(*k->cache_tag));
		k->cache = kt_malloc(CACHE_PAGES * KT_PAGE_SIZE);
	}
}

/*
 * A miss on the page right after the last ones read reads this many at once, as far as
 * the segment goes: a list laid out upwards is read in few calls, while objects spread
 * over the slabs cost a page a miss, not sixteen.
 */
#define READ_AHEAD 16

/* The slots from slot on filled with the image's pages from file offset page on. */
static void cache_fill(struct kt_kcore *k, const struct kt_kcore_seg *s, uint64_t page, size_t slot)
{
	uint64_t want = (s->off + s->size - page) / KT_PAGE_SIZE, i;

	if (want > (page == k->next_fill ? READ_AHEAD : 1))
		want = page == k->next_fill ? READ_AHEAD : 1;
	if (want > CACHE_PAGES - slot)
		want = CACHE_PAGES - slot;
	for (i = 0; i < want; i++)
		k->cache_tag[slot + i] = 0;
	/* A stretch kcore cannot give whole may still give its first page. */
	if (pread_full(k->fd, k->cache + slot * KT_PAGE_SIZE, want * KT_PAGE_SIZE, page)) {
		want = 1;
		if (pread_full(k->fd, k->cache + slot * KT_PAGE_SIZE, KT_PAGE_SIZE, page))
			return;
	}
	for (i = 0; i < want; i++)
		k->cache_tag[slot + i] = page + i * KT_PAGE_SIZE + 1;
	k->next_fill = page + want * KT_PAGE_SIZE;
}

/*
 * len bytes at addr, segment by segment. Through the cache (when cached), which holds
 * pages of the image by file offset: a page of RAM read through the direct map and by
 * its physical address is one page; a page the segment does not hold whole, or that
 * kcore cannot give, is read as asked. Without it, each segment's part in one call.
 */
static int seg_read(struct kt_kcore *k, uint64_t addr, uint8_t *buf, size_t len, bool phys, bool cached)
{
	while (len) {
		const struct kt_kcore_seg *s = find_seg(k, addr, phys);
		uint64_t fo, end, page, off;
		size_t n, slot;
		int ret;

		if (!s)
			return -EFAULT;
		fo = s->off + (addr - (phys ? s->paddr : s->vaddr));
		end = s->off + s->size;
		n = end - fo < len ? end - fo : len;
		page = fo & ~(uint64_t)(KT_PAGE_SIZE - 1);
		off = fo - page;
		slot = page / KT_PAGE_SIZE % CACHE_PAGES;
		if (cached) {
			n = KT_PAGE_SIZE - off < n ? KT_PAGE_SIZE - off : n;
			if (page >= s->off && page + KT_PAGE_SIZE <= end && k->cache_tag[slot] != page + 1)
				cache_fill(k, s, page, slot);
		}
		if (cached && k->cache_tag[slot] == page + 1) {
			memcpy(buf, k->cache + slot * KT_PAGE_SIZE + off, n);
		} else {
			ret = pread_full(k->fd, buf, n, fo);
			if (ret)
				return ret;
		}
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int kt_kcore_open(struct kt_kcore *k, const char *path, char *err, size_t errlen)
{
	memset(k, 0, sizeof(*k));
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0)
		return kcore_open_error(path, errno, err, errlen);
	return parse_elf(k, path, err, errlen);
}

void kt_kcore_close(struct kt_kcore *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	free(k->segs);
	k->segs = NULL;
	k->nr_segs = 0;
	kt_kcore_cache(k, false);
}

int kt_kcore_read(struct kt_kcore *k, uint64_t addr, void *buf, size_t len, bool phys, bool fresh)
{
	return seg_read(k, addr, buf, len, phys, k->cache && !fresh);
}

int kt_kcore_virt_to_phys(const struct kt_kcore *k, uint64_t va, uint64_t *pa)
{
	const struct kt_kcore_seg *s = find_seg(k, va, false);

	if (!s || !s->has_paddr)
		return -EFAULT;
	*pa = s->paddr + (va - s->vaddr);
	return 0;
}
