// SPDX-License-Identifier: GPL-2.0-only
#include "decode/memfd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/abi.h"
#include "base/util.h"

#define MEMFD_ALL_SEALS	  0x3fu /* SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE, EXEC */
#define MAX_VMALLOC_ORDER 10

/* Pages of RAM: no memfd can hold more folios, no folio array more pages. */
static uint64_t ram_pages(const struct kt_physmem *pm)
{
	const struct kt_range *r;
	size_t n = kt_physmem_ram(pm, &r), i;
	uint64_t pages = 0;

	for (i = 0; i < n; i++)
		pages += (r[i].end - r[i].start) >> KT_PAGE_SHIFT;
	return pages;
}

/* What a folio array walk needs, whatever the state's source: bounded by RAM, sane order. */
static bool walkable(const struct kt_physmem *pm, const struct kt_memfd *m)
{
	uint64_t ram = ram_pages(pm);

	return m->nr_folios <= ram && m->folios_total_pages <= ram && m->folios_order <= MAX_VMALLOC_ORDER &&
	       (!m->nr_folios || (m->folios_first && !(m->folios_first & (KT_PAGE_SIZE - 1)))) &&
	       (uint64_t)m->folios_total_pages * KT_PAGE_SIZE >=
		   m->nr_folios * sizeof(struct memfd_luo_folio_ser);
}

/* A state read from memory: walkable, known seals, at most a folio per page of its size. */
static int check(const struct kt_physmem *pm, const struct kt_memfd *m)
{
	uint64_t max_folios = (m->size + KT_PAGE_SIZE - 1) / KT_PAGE_SIZE;

	return walkable(pm, m) && !(m->seals & ~MEMFD_ALL_SEALS) && m->nr_folios <= max_folios ? 0 : -EBADMSG;
}

int kt_memfd_read(struct kt_physmem *pm, uint64_t pa, struct kt_memfd *m, char *err, size_t errlen)
{
	struct memfd_luo_ser ser;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!pa) {
		snprintf(err, errlen, "no memfd state (data is 0)");
		return -ENODATA;
	}
	ret = kt_physmem_read(pm, pa, &ser, sizeof(ser));
	if (ret) {
		snprintf(err, errlen, "memfd state at 0x%llx: %s", (unsigned long long)pa,
			 ret == -EFAULT ? "not in readable memory" : strerror(-ret));
		return ret;
	}
	*m = (struct kt_memfd){
	    .pos = ser.pos,
	    .size = ser.size,
	    .seals = ser.seals,
	    .flags = ser.flags,
	    .nr_folios = ser.nr_folios,
	    .folios_first = ser.folios.first,
	    .folios_total_pages = ser.folios.total_pages,
	    .folios_order = ser.folios.order,
	};
	if (check(pm, m)) {
		snprintf(err, errlen,
			 "memfd state at 0x%llx is inconsistent (size %llu, %llu folios, seals 0x%x, %u "
			 "array pages)",
			 (unsigned long long)pa, (unsigned long long)ser.size,
			 (unsigned long long)ser.nr_folios, ser.seals, ser.folios.total_pages);
		memset(m, 0, sizeof(*m));
		return -EBADMSG;
	}
	return 0;
}

int kt_memfd_folios(struct kt_physmem *pm, const struct kt_memfd *m,
		    int (*fn)(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index), void *ctx,
		    char *err, size_t errlen)
{
	struct kho_vmalloc_chunk_ser *chunk;
	size_t per_area;
	uint8_t *area;
	uint64_t done = 0, chunks = 0, max_chunks, pa = m->folios_first, *seen;
	int ret = 0;

	/* A state from a saved snapshot has not been through kt_memfd_read. */
	if (!walkable(pm, m)) {
		snprintf(err, errlen, "memfd state is inconsistent (%llu folios, order %u, %u array pages)",
			 (unsigned long long)m->nr_folios, m->folios_order, m->folios_total_pages);
		return -EBADMSG;
	}
	chunk = kt_calloc(1, sizeof(*chunk));
	per_area = (size_t)KT_PAGE_SIZE << m->folios_order;
	area = kt_calloc(1, per_area);
	max_chunks = m->folios_total_pages / KHO_VMALLOC_CHUNK_ENTRIES + 1;
	seen = kt_calloc(max_chunks, sizeof(*seen));
	while (pa && done < m->nr_folios && !ret) {
		uint64_t k;
		size_t i;

		for (k = 0; k < chunks && seen[k] != pa; k++)
			;
		if (k < chunks || chunks == max_chunks) {
			snprintf(err, errlen, "folio array chunks loop or exceed %u pages",
				 m->folios_total_pages);
			ret = -ELOOP;
			break;
		}
		seen[chunks++] = pa;
		ret = kt_physmem_read(pm, pa, chunk, sizeof(*chunk));
		if (ret) {
			snprintf(err, errlen, "folio array chunk 0x%llx: not readable",
				 (unsigned long long)pa);
			break;
		}
		for (i = 0; i < KHO_VMALLOC_CHUNK_ENTRIES && chunk->phys[i] && done < m->nr_folios && !ret;
		     i++) {
			size_t off;

			ret = kt_physmem_read(pm, chunk->phys[i], area, per_area);
			if (ret) {
				snprintf(err, errlen, "folio array page 0x%llx: not readable",
					 (unsigned long long)chunk->phys[i]);
				break;
			}
			for (off = 0;
			     off + sizeof(struct memfd_luo_folio_ser) <= per_area && done < m->nr_folios;
			     off += sizeof(struct memfd_luo_folio_ser), done++) {
				struct memfd_luo_folio_ser f;

				memcpy(&f, area + off, sizeof(f));
				ret = fn(ctx, MEMFD_FOLIO_PFN(f.pfn_flags), MEMFD_FOLIO_FLAGS(f.pfn_flags),
					 f.index);
				if (ret)
					break;
			}
		}
		pa = chunk->next;
	}
	if (!ret && done < m->nr_folios) {
		snprintf(err, errlen, "folio array ends after %llu of %llu folios", (unsigned long long)done,
			 (unsigned long long)m->nr_folios);
		ret = -EBADMSG;
	}
	free(seen);
	free(chunk);
	free(area);
	return ret;
}

struct contents {
	struct kt_physmem *pm;
	uint8_t *buf;
	size_t len;
	char *err;
	size_t errlen;
};

/*
 * One page per folio, at its index: the serialized folio records no order, and pages
 * between two folios are as likely holes (never written, zeros) as the tail of a large
 * folio. memfds written in one go hold order-0 folios (shmem's default), as systemd's
 * mapping does.
 */
static int copy_folio(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index)
{
	struct contents *c = ctx;
	size_t off, n;
	int ret;

	(void)flags;
	if (index >= (c->len + KT_PAGE_SIZE - 1) / KT_PAGE_SIZE)
		return 0;
	off = index * KT_PAGE_SIZE;
	n = c->len - off < KT_PAGE_SIZE ? c->len - off : KT_PAGE_SIZE;
	ret = kt_physmem_read(c->pm, pfn << KT_PAGE_SHIFT, c->buf + off, n);
	return ret ? kt_fail(c->err, c->errlen, ret, "memfd page %llu at 0x%llx: not readable",
			     (unsigned long long)index, (unsigned long long)(pfn << KT_PAGE_SHIFT))
		   : 0;
}

int kt_memfd_contents(struct kt_physmem *pm, const struct kt_memfd *m, uint8_t *buf, size_t len, char *err,
		      size_t errlen)
{
	struct contents c = {pm, buf, len, err, errlen};

	if (len > m->size)
		return kt_fail(err, errlen, -EINVAL, "%zu bytes asked of a %llu-byte memfd", len,
			       (unsigned long long)m->size);
	memset(buf, 0, len); /* pages no folio holds were never written: zeros */
	return kt_memfd_folios(pm, m, copy_folio, &c, err, errlen);
}
