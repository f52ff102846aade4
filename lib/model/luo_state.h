/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What LUO holds: sessions, their files, FLBs, and where each fact came from. Built
 * by luo_gather.c from whichever sources this kernel offers:
 *  - procfs: every open session fd (owner pid, comm, fd) — /proc/PID/fd links;
 *  - kernel: the live session lists (luo_session_global), read through BTF + kcore;
 *  - serialized: the block chains behind luo_ser's sessions_pa/flbs_pa (physmem),
 *    valid after a kexec until the first open of /dev/liveupdate deserializes them;
 *  - saved: the same, written by `kho-inspect save` and read back offline
 *    (luo_saved.c).
 */
#ifndef KT_LUO_STATE_H
#define KT_LUO_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"
#include "base/hash.h"
#include "decode/luo_rec.h"
#include "decode/memfd.h"
#include "decode/sd_luo_map.h"
#include "snapshot/snapshot.h"
#include "source/physmem.h"
#include "source/procfs.h"

struct kt_luo_file {
	const char *handler; /* its compatible ("" unknown): kt_luo_handler_name's, or a constant */
	uint64_t token;
	uint64_t data;	     /* the handler's handle: for memfd-v2 the phys of its memfd_luo_ser */
	int retrieve_status; /* 0 not tried, >0 retrieved, <0 failed (kernel source only) */
	uint64_t size;	     /* file size when known (i_size, or memfd's size) */
	bool has_size;
	bool has_memfd;
	struct kt_memfd memfd;
	char *error; /* this file's handler state could not be decoded */
	/* In systemd's session: the unit whose fd store it belongs to, and its fd name (the mapping). */
	char *unit, *fdname;
};

struct kt_luo_session {
	char name[LUO_SESSION_NAME_LEN + 1];
	enum kt_sess_state state;
	uint64_t files_claimed; /* the count the kernel or the chain states */
	struct kt_luo_file *files;
	size_t nr_files, cap_files;
	bool files_known; /* false when only procfs saw this session */
	int pid, fd;	  /* owner, -1 when unknown */
	unsigned int fds; /* session fds open on it in the whole system (dup, fork, passing) */
	char comm[KT_PROC_COMM_LEN];
	char *error;
	/*
	 * The systemd unit it belongs to: the one whose fd store holds it (LUOSession=, named
	 * fdname there), or else the unit of the process holding it (its cgroup).
	 */
	char *unit, *fdname;
};

/* An FLB's lifecycle as the views name it (kt_flb_state_name). */
enum kt_flb_state {
	KT_FLB_REGISTERED, /* known to this kernel; no preserved file depends on it yet */
	KT_FLB_PRESERVED,  /* its preserve op ran on the first dependent file; files depend on it */
	KT_FLB_SERIALIZED, /* in the previous kernel's FLB page; this kernel's view of it unknown */
	KT_FLB_INCOMING,   /* handed over, not retrieved yet */
	KT_FLB_RETRIEVED,  /* retrieved in this kernel; files of the previous one still depend on it */
	KT_FLB_FAILED,	   /* its retrieve failed */
	KT_FLB_FINISHED,   /* its finish op ran: the last dependent file finished */
	KT_FLB_UNCLAIMED,  /* handed over, but no FLB of that name is registered in this kernel */
	KT_FLB_NR_STATES,
};
extern const char *const kt_flb_state_name[KT_FLB_NR_STATES];

/* A File-Lifecycle-Bound object: one per direction (this kernel's, the previous kernel's). */
struct kt_luo_flb {
	char name[LUO_FLB_COMPAT_LEN + 1];
	bool incoming;
	enum kt_flb_state state;
	uint64_t data;	  /* its handle (not always a physical address) */
	uint64_t count;	  /* files depending on it now (as serialized when nothing better is known) */
	bool handed_over; /* incoming: listed in the previous kernel's FLB page */
	uint64_t handed_over_count; /* the count that page holds */
	bool object;		    /* its live object exists (kernel lists only) */
	int retrieve_status;	    /* incoming: 0 not retrieved, 1 retrieved, <0 failed */
	char *handlers;		    /* file handlers it is registered with, NUL-separated (NULL: unknown) */
	size_t handlers_len;	    /* without the last NUL */
};

/* What systemd said of the sessions: its LUO mapping (after a kexec), its fd stores (live). */
struct kt_luo_systemd {
	bool mapping;	    /* the mapping in token 0 of session "systemd" was read */
	char *mapping_note; /* why not, when that session exists */
	bool has_kexec_count;
	uint64_t kexec_count; /* the previous boot's KExecCount, as the mapping has it */
	struct kt_sd_stamp stamp[KT_SD_NR_STAMPS];
	size_t units;	   /* units the mapping names */
	bool stores;	   /* PID 1's fd stores were asked (sessions it holds) */
	char *stores_note; /* why they could not be */
};

struct kt_luo_state {
	struct kt_luo_session *sessions;
	size_t nr_sessions, cap_sessions;
	struct kt_luo_flb *flbs;
	size_t nr_flbs, cap_flbs;
	/* What each source said: NULL = used, else why not (shown as info/warning notes). */
	char *procfs_note, *kernel_note, *serialized_note, *flb_note;
	bool kernel_ok, serialized_ok, saved;
	bool flbs_ok;	  /* the kernel's registered FLBs were read (registration and both states) */
	bool unavailable; /* no source could be read at all (a saved snapshot without LUO state) */
	/* The kernel's lists changed on every read (kernel_note says how often): none is shown. */
	bool kernel_changing;
	/* The kernel holds no incoming session and no chain to deserialize: none left to arrive. */
	bool incoming_settled;
	struct kt_luo_systemd sd;
	/* The file handlers' compatibles, each kept once: a million files share a few. */
	struct kt_strset handler_names;
};

/*
 * Gather everything for a snapshot: the live sources for a live one (pm may be NULL:
 * procfs alone), the saved state otherwise. Returns 0, or -errno when a saved
 * snapshot carries no usable state (st->unavailable, st->kernel_note say why).
 */
int kt_luo_gather(const struct kt_snapshot *s, struct kt_physmem *pm, struct kt_luo_state *st);
void kt_luo_state_free(struct kt_luo_state *st);

/*
 * The owners procfs (proc: its root) shows: each session fd's first holder (pid, fd,
 * comm) and the count of fds, on the session of that name in st, or on a new
 * outgoing session only procfs sees. -errno (and st->procfs_note) when proc is
 * unreadable.
 */
int kt_luo_add_owners(struct kt_luo_state *st, const char *proc);

/*
 * The previous kernel's session chain at sessions_pa (and FLBs at flbs_pa, 0 if
 * unknown), as sessions in the serialized state. A chain that does not walk
 * (freed once deserialized) adds nothing and is said in st->serialized_note.
 */
int kt_luo_add_serialized(struct kt_luo_state *st, struct kt_physmem *pm, uint64_t sessions_pa,
			  uint64_t flbs_pa);

/* Building blocks of the sources. */
struct kt_luo_session *kt_luo_add_session(struct kt_luo_state *st, const char *name,
					  enum kt_sess_state state);
struct kt_luo_file *kt_luo_add_file(struct kt_luo_session *s);
/* A handler's compatible as kept in st, for its files to point at. */
const char *kt_luo_handler_name(struct kt_luo_state *st, const char *name);
struct kt_luo_flb *kt_luo_add_flb(struct kt_luo_state *st, const char *name, bool incoming);
/* The FLB of that name in one direction, NULL when none. */
const struct kt_luo_flb *kt_luo_find_flb(const struct kt_luo_state *st, const char *name, bool incoming);
/*
 * The FLBs a handler's files depend on, NUL-separated into buf of len bytes: outgoing, those
 * registered with it here; incoming, those handed over that this kernel matched to it.
 * Returns the bytes used without the last NUL.
 */
size_t kt_luo_handler_flbs(const struct kt_luo_state *st, const char *handler, bool incoming, char *buf,
			   size_t len);
/* Decode a file's handler state where the handler is known (memfd-v2), through pm. */
void kt_luo_file_detail(struct kt_physmem *pm, struct kt_luo_file *f);
void kt_luo_session_free(struct kt_luo_session *s);
/* Replace a note (freeing the old one). */
void kt_luo_note(char **note, char *msg);
/* Bytes of a session's files whose size is known. */
uint64_t kt_luo_session_bytes(const struct kt_luo_session *s);
/* The direction a session belongs to: outgoing ones to out, every other state to in. */
enum kt_dirn kt_luo_session_dir(const struct kt_luo_session *s);

/*
 * Per file handler, in order of appearance (files first, then handlers that only have FLBs):
 * sessions with a file of it, files and bytes per direction.
 */
struct kt_luo_handler {
	const char *name;
	uint64_t sessions;
	uint64_t files[KT_NR_DIRS];
	uint64_t bytes[KT_NR_DIRS];
};
/* Every handler of st's files (malloc'ed array, *n entries). */
struct kt_luo_handler *kt_luo_handlers(const struct kt_luo_state *st, size_t *n);

/* Saved form (KT_LUO_STATE_FILE in a snapshot), luo_saved.c. */
#define KT_LUO_STATE_FILE "luo/state"
void kt_luo_state_export(const struct kt_luo_state *st, uint8_t **buf, size_t *len);
int kt_luo_state_import(const uint8_t *buf, size_t len, struct kt_luo_state *st, char *err, size_t errlen);

#endif
