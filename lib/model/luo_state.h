/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What LUO holds, gathered from whichever sources this kernel offers:
 *  - procfs: every open session fd (owner pid, comm, fd) — /proc/PID/fd links;
 *  - kernel: the live session lists (luo_session_global), read through BTF + kcore;
 *  - serialized: the block chains behind luo_ser's sessions_pa/flbs_pa (physmem),
 *    valid after a kexec until the first open of /dev/liveupdate deserializes them;
 *  - saved: the same, written by `kho-inspect save` and read back offline.
 */
#ifndef KT_LUO_STATE_H
#define KT_LUO_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"
#include "source/physmem.h"
#include "decode/sink.h"
#include "snapshot/snapshot.h"

/* A session's lifecycle as the views name it. */
enum kt_sess_state {
	KT_SESS_OUTGOING,   /* created here, preserved at the next kexec */
	KT_SESS_SERIALIZED, /* in the previous kernel's chains, not deserialized yet */
	KT_SESS_INCOMING,   /* deserialized, waiting to be retrieved */
	KT_SESS_RETRIEVED,  /* retrieved by the agent, not finished yet */
	KT_SESS_NR_STATES,
};
extern const char *const kt_sess_state_name[KT_SESS_NR_STATES];

struct kt_memfd {
	uint64_t pos, size, nr_folios;
	uint32_t seals, flags;
	uint64_t folios_first;		/* kho_vmalloc.first */
	uint32_t folios_total_pages;
	uint16_t folios_order;
};

struct kt_luo_file {
	char handler[LUO_HANDLER_COMPAT_LEN + 1];
	uint64_t token;
	uint64_t data; /* the handler's handle: for memfd-v2 the phys of its memfd_luo_ser */
	int retrieve_status; /* 0 not tried, >0 retrieved, <0 failed (kernel source only) */
	uint64_t size;	     /* file size when known (i_size, or memfd's size) */
	bool has_size;
	bool has_memfd;
	struct kt_memfd memfd;
	char *error; /* this file's handler state could not be decoded */
};

struct kt_luo_session {
	char name[LUO_SESSION_NAME_LEN + 1];
	enum kt_sess_state state;
	uint64_t files_claimed; /* the count the kernel or the chain states */
	struct kt_luo_file *files;
	size_t nr_files;
	bool files_known; /* false when only procfs saw this session */
	int pid, fd;	  /* owner, -1 when unknown */
	unsigned int fds; /* session fds open on it in the whole system (dup, fork, passing) */
	char comm[17];
	char *error;
};

struct kt_luo_flb {
	char name[LUO_FLB_COMPAT_LEN + 1];
	uint64_t data;
	uint64_t count;
	bool incoming;
};

struct kt_luo_state {
	struct kt_luo_session *sessions;
	size_t nr_sessions;
	struct kt_luo_flb *flbs;
	size_t nr_flbs;
	/* What each source said: NULL = used, else why not (shown as info/warning notes). */
	char *procfs_note, *kernel_note, *serialized_note;
	bool kernel_ok, serialized_ok, saved;
	bool unavailable; /* no source could be read at all (a saved snapshot without LUO state) */
	/* The kernel holds no incoming session and no chain to deserialize: none left to arrive. */
	bool incoming_settled;
};

/* Gather everything for a snapshot: live sources for a live one, saved state otherwise. */
int kt_luo_gather(const struct kt_snapshot *s, struct kt_physmem *pm, struct kt_luo_state *st);
void kt_luo_state_free(struct kt_luo_state *st);

/* Pieces of kt_luo_gather, one source each. */
int kt_luo_from_procfs(const char *proc, struct kt_luo_state *st);
int kt_luo_from_kernel(struct kt_physmem *pm, struct kt_luo_state *st);
/* The previous kernel's session chain at sessions_pa (and FLBs at flbs_pa, 0 if unknown). */
int kt_luo_from_serialized(struct kt_physmem *pm, uint64_t sessions_pa, uint64_t flbs_pa, struct kt_luo_state *st);

/* memfd-v2 handler state (memfd.c) behind a luo_file_ser.data. */
int kt_memfd_read(struct kt_physmem *pm, uint64_t pa, struct kt_memfd *m, char *err, size_t errlen);
/* Each preserved folio: callback with pfn, flags, index. */
int kt_memfd_folios(struct kt_physmem *pm, const struct kt_memfd *m,
		    int (*fn)(void *ctx, uint64_t pfn, unsigned int flags, uint64_t index), void *ctx, char *err,
		    size_t errlen);

/*
 * Block chains (kho_block.c): one page per block, {next, count} then count entries.
 * seen collects every block read; a block met twice (a loop, or two chains sharing
 * blocks) is an error, so no page is decoded twice.
 */
#define KT_KHO_MAX_BLOCKS 10000 /* kernel/liveupdate/kho_block.c */
struct kt_u64set;
int kt_block_walk(struct kt_physmem *pm, uint64_t head, size_t esize, int (*fn)(void *ctx, const void *entry),
		  void *ctx, struct kt_u64set *seen, char *err, size_t errlen);

/* Building blocks shared by the sources. */
struct kt_luo_session *kt_luo_add_session(struct kt_luo_state *st, const char *name, enum kt_sess_state state);
struct kt_luo_file *kt_luo_add_file(struct kt_luo_session *s);
void kt_luo_file_detail(struct kt_physmem *pm, struct kt_luo_file *f);
void kt_luo_session_free(struct kt_luo_session *s);
/* The distinct file handlers of every session's files, in order of appearance (at most max). */
size_t kt_luo_handlers(const struct kt_luo_state *st, const char **names, size_t max);
/* Bytes of a session's files whose size is known. */
uint64_t kt_luo_session_bytes(const struct kt_luo_session *s);
/* Replace a note (freeing the old one). */
void kt_luo_note(char **note, char *msg);

/* Saved form (KT_LUO_STATE_FILE in a snapshot), one record a line. */
#define KT_LUO_STATE_FILE "luo/state"
int kt_luo_state_export(const struct kt_luo_state *st, uint8_t **buf, size_t *len);
int kt_luo_state_import(const uint8_t *buf, size_t len, struct kt_luo_state *st, char *err, size_t errlen);

#endif
