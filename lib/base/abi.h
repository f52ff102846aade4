/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Our own definitions of the kernel's KHO/LUO ABI, written from the spec
 * (../shared/spec/kernel-interfaces.md). Each block names the kernel file the
 * facts come from. Everything serialized is packed, little-endian on x86-64
 * ("native"), 4 KiB pages.
 */
#ifndef KT_ABI_H
#define KT_ABI_H

#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define KT_PAGE_SHIFT 12
#define KT_PAGE_SIZE  (1UL << KT_PAGE_SHIFT)

/* include/linux/kho/abi/kexec_handover.h */
#define KHO_V4_COMPATIBLE   "kho-v4"
#define KHO_V1_COMPATIBLE   "kho-v1"
#define KHO_PROP_MEM_MAP    "preserved-memory-map"
#define KHO_PROP_SUB_DATA   "preserved-data"
#define KHO_PROP_SUB_SIZE   "blob-size"
#define KHO_V1_PROP_SUB_FDT "fdt"

struct kho_vmalloc_ser {
	uint64_t first; /* phys of the first kho_vmalloc_chunk */
	uint32_t total_pages;
	uint16_t flags;
	uint16_t order;
} __attribute__((packed));

#define KHO_VMALLOC_CHUNK_ENTRIES ((KT_PAGE_SIZE - sizeof(uint64_t)) / sizeof(uint64_t))
struct kho_vmalloc_chunk_ser {
	uint64_t next;
	uint64_t phys[KHO_VMALLOC_CHUNK_ENTRIES]; /* 0-terminated */
} __attribute__((packed));

/* Radix tree of preserved pages: every node is one page. */
#define KHO_RADIX_KEY_WIDTH   (64 - KT_PAGE_SHIFT + 1) /* 53 */
#define KHO_RADIX_TABLE_LOG2  9			       /* 512 u64 per node */
#define KHO_RADIX_BITMAP_LOG2 (KT_PAGE_SHIFT + 3)      /* 32768 bits per leaf */
#define KHO_RADIX_MAX_DEPTH   6			       /* 5 table levels + leaf */

/* include/linux/kho/abi/block.h: one page per block */
struct kho_block_header_ser {
	uint64_t next; /* phys of the next block, 0 = end */
	uint64_t count;
} __attribute__((packed));

/* include/linux/kho/abi/luo.h */
#define LUO_SUBTREE_NAME       "LUO"
#define LUO_V5_COMPATIBLE      "luo-v5"
#define LUO_COMPAT_LEN	       8
#define LUO_SESSION_NAME_LEN   64
#define LUO_HANDLER_COMPAT_LEN 48
#define LUO_FLB_COMPAT_LEN     48

struct luo_ser {
	char compatible[LUO_COMPAT_LEN];
	uint64_t liveupdate_num;
	uint64_t sessions_pa;
	uint64_t flbs_pa;
} __attribute__((packed));

struct luo_file_ser {
	char compatible[LUO_HANDLER_COMPAT_LEN];
	uint64_t data;
	uint64_t token;
} __attribute__((packed));

struct luo_file_set_ser {
	uint64_t files; /* phys of a block chain of luo_file_ser */
	uint64_t count;
} __attribute__((packed));

struct luo_session_ser {
	char name[LUO_SESSION_NAME_LEN];
	struct luo_file_set_ser file_set;
} __attribute__((packed));

struct luo_flb_header_ser {
	uint64_t pgcnt;
	uint64_t count;
} __attribute__((packed));

struct luo_flb_ser {
	char name[LUO_FLB_COMPAT_LEN];
	uint64_t data;
	uint64_t count;
} __attribute__((packed));

/* include/linux/kho/abi/kexec_metadata.h */
#define KEXEC_METADATA_NAME    "kexec-metadata"
#define KEXEC_METADATA_VERSION 1
#define KT_UTS_LEN	       65
struct kho_kexec_metadata {
	uint32_t version;
	char previous_release[KT_UTS_LEN];
	uint32_t kexec_count;
} __attribute__((packed));

/* include/linux/kho/abi/memblock.h */
#define MEMBLOCK_SUBTREE_NAME  "memblock"
#define MEMBLOCK_COMPATIBLE    "memblock-v1"
#define RESERVE_MEM_COMPATIBLE "reserve-mem-v1"

/* lib/test_kho.c */
#define KHO_TEST_COMPATIBLE "kho-test-v1"
#define KHO_TEST_MAGIC	    0x4b484f21u /* "KHO!" */

/* include/linux/kho/abi/memfd.h */
#define MEMFD_V2_COMPATIBLE  "memfd-v2"
#define MEMFD_FOLIO_DIRTY    0x1u
#define MEMFD_FOLIO_UPTODATE 0x2u
struct memfd_luo_folio_ser {
	uint64_t pfn_flags; /* pfn in bits 51:0, flags in 63:52 */
	uint64_t index;
} __attribute__((packed));
#define MEMFD_FOLIO_PFN(v)   ((v) & ((1ULL << 52) - 1))
#define MEMFD_FOLIO_FLAGS(v) ((v) >> 52)

struct memfd_luo_ser {
	uint64_t pos;
	uint64_t size;
	uint32_t seals;
	uint32_t flags;
	uint64_t nr_folios;
	struct kho_vmalloc_ser folios;
} __attribute__((packed));

/* include/uapi/linux/liveupdate.h: /dev/liveupdate and session fds */
#define LIVEUPDATE_DEV	      "/dev/liveupdate"
#define LIVEUPDATE_IOCTL_TYPE 0xBA

struct liveupdate_ioctl_session {
	__u32 size;
	__s32 fd;
	__u8 name[LUO_SESSION_NAME_LEN];
};
#define LIVEUPDATE_IOCTL_CREATE_SESSION	  _IO(LIVEUPDATE_IOCTL_TYPE, 0x00)
#define LIVEUPDATE_IOCTL_RETRIEVE_SESSION _IO(LIVEUPDATE_IOCTL_TYPE, 0x01)

struct liveupdate_session_fd_arg {
	__u32 size;
	__s32 fd;
	__aligned_u64 token;
};
#define LIVEUPDATE_SESSION_PRESERVE_FD _IO(LIVEUPDATE_IOCTL_TYPE, 0x40)
#define LIVEUPDATE_SESSION_RETRIEVE_FD _IO(LIVEUPDATE_IOCTL_TYPE, 0x41)

struct liveupdate_session_finish {
	__u32 size;
	__u32 reserved;
};
#define LIVEUPDATE_SESSION_FINISH _IO(LIVEUPDATE_IOCTL_TYPE, 0x42)

struct liveupdate_session_get_name {
	__u32 size;
	__u32 reserved;
	__u8 name[LUO_SESSION_NAME_LEN];
};
#define LIVEUPDATE_SESSION_GET_NAME _IO(LIVEUPDATE_IOCTL_TYPE, 0x43)

/* Sanity bounds at the kernel's own scale, never toy sizes. */
#define KT_MAX_BLOB_SIZE (256UL << 20) /* one blob (a 1M-region memblock tree is ~84 MiB) */
#define KT_MAX_SCRATCH	 4096	       /* scratch areas (one per NUMA node + lowmem) */

_Static_assert(sizeof(struct luo_ser) == 32, "luo_ser");
_Static_assert(sizeof(struct kho_kexec_metadata) == 73, "kexec metadata");
_Static_assert(sizeof(struct luo_session_ser) == 80, "luo_session_ser");
_Static_assert(sizeof(struct luo_file_ser) == 64, "luo_file_ser");
_Static_assert(sizeof(struct memfd_luo_folio_ser) == 16, "memfd folio");
_Static_assert(sizeof(struct kho_vmalloc_chunk_ser) == KT_PAGE_SIZE, "vmalloc chunk");

#endif
