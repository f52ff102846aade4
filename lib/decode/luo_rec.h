/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What LUO's decoders find, handed over record by record: the serialized chains
 * (luo_chain.c) and the running kernel's lists (luo_kernel.c) describe sessions,
 * their files and FLBs through the same callbacks, and the model (model/luo_state.h)
 * builds one state from them.
 */
#ifndef KT_LUO_REC_H
#define KT_LUO_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"
#include "decode/memfd.h"

/* A session's lifecycle as the views name it. */
enum kt_sess_state {
	KT_SESS_OUTGOING,   /* created here, preserved at the next kexec */
	KT_SESS_SERIALIZED, /* in the previous kernel's chains, not deserialized yet */
	KT_SESS_INCOMING,   /* deserialized, waiting to be retrieved */
	KT_SESS_RETRIEVED,  /* retrieved by its agent, not finished yet */
	KT_SESS_NR_STATES,
};
extern const char *const kt_sess_state_name[KT_SESS_NR_STATES];

/*
 * Sessions or files in one list, at most: beyond what 7.3 can serialize (51 sessions or
 * 63 files a block, KHO_MAX_BLOCKS = 10,000 blocks).
 */
#define KT_LUO_MAX_LIST 1000000

struct kt_luo_file_rec {
	const char *handler; /* the file handler's compatible */
	uint64_t token;
	uint64_t data;	     /* the handler's handle: for memfd-v2 the phys of its memfd_luo_ser */
	int retrieve_status; /* 0 not tried, >0 retrieved, <0 failed (kernel lists only) */
	bool has_size;	     /* the live file's size (kernel lists only) */
	uint64_t size;
	const char *error; /* this file could not be read whole */
	/*
	 * Kernel lists only: memfd-v2's state, read with the list (it is freed with the
	 * file, so read later it may be anything). detailed: it was tried; memfd_error: why
	 * it could not be read.
	 */
	bool detailed, has_memfd;
	struct kt_memfd memfd;
	const char *memfd_error;
};

/* A File-Lifecycle-Bound object registered in the running kernel, both halves of its state. */
struct kt_luo_flb_rec {
	const char *name;     /* its compatible */
	const char *handlers; /* the file handlers it is registered with, NUL-separated */
	size_t handlers_len;  /* bytes of handlers without the last NUL (0: none) */
	int64_t out_count;    /* preserved files depending on it */
	uint64_t out_data;    /* the handle its preserve op returned */
	bool out_object;      /* its live object exists */
	int64_t in_count;     /* files of the previous kernel still depending on it */
	uint64_t in_data;
	bool in_object;
	int retrieve_status; /* 0 not retrieved, 1 retrieved, <0 the retrieve failed */
	bool finished;	     /* its finish op ran: the last dependent file finished */
};

struct kt_luo_rec_ops {
	/* A session; the return value is handed back with its files. */
	void *(*session)(void *ctx, const char *name, enum kt_sess_state state, uint64_t claimed);
	void (*file)(void *ctx, void *session, const struct kt_luo_file_rec *f);
	/* What went wrong with one session (its file list, a count that disagrees). */
	void (*session_error)(void *ctx, void *session, const char *msg);
};

#endif
