/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * systemd's LUO mapping (src/core/luo.c, systemd 261+): the JSON document systemd-shutdown
 * writes into a sealed memfd it preserves as token 0 of the LUO session "systemd". It is
 * the only place that ties the session's other tokens, which change from run to run, to a
 * unit and the name of an fd in the unit's store, and the one record of the LUOSession=
 * sessions handed over with their units:
 *   {"version":1,
 *    "state":{"KExecCount":N, "ShutdownStartTimestamp":{"realtime":US,"monotonic":US}, ...},
 *    "units":{"UNIT":{"fdstore":[{"type":"fd","name":FDNAME,"token":T},
 *                                {"type":"luo_session","name":FDNAME,"sessionName":SESSION}]}}}
 * Version 1 is read; unknown members are ignored (systemd may add some), known ones must
 * have their types. "kexecsCount" is accepted for KExecCount (some development versions).
 */
#ifndef KT_SD_LUO_MAP_H
#define KT_SD_LUO_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"

#define KT_SD_SESSION	"systemd"  /* the session systemd-shutdown creates */
#define KT_SD_MAP_TOKEN 0	   /* the mapping's own token in it */
#define KT_SD_MAP_MAX	(1u << 20) /* bytes read at most: a mapping names fds, not data */
#define KT_SD_NAME_MAX	255	   /* FDNAME (sd_notify: at most 255 characters) */
#define KT_SD_UNIT_MAX	256	   /* a unit name (UNIT_NAME_MAX) */

enum kt_sd_stamp_id {
	KT_SD_SHUTDOWN_START,
	KT_SD_SHUTDOWN_FINISH,
	KT_SD_SHUTDOWN_LATE_START,
	KT_SD_SHUTDOWN_LATE_FINISH,
	KT_SD_NR_STAMPS,
};
/* Their keys in "state": "ShutdownStartTimestamp", ... */
extern const char *const kt_sd_stamp_key[KT_SD_NR_STAMPS];

struct kt_sd_stamp {
	bool set;
	uint64_t realtime, monotonic; /* microseconds */
};

enum kt_sd_fd_type { KT_SD_FD, KT_SD_LUO_SESSION };

struct kt_sd_fd {
	size_t unit; /* index in kt_sd_map.units */
	char name[KT_SD_NAME_MAX + 1];
	enum kt_sd_fd_type type;
	uint64_t token;				/* KT_SD_FD: its token in session "systemd" */
	char session[LUO_SESSION_NAME_LEN + 1]; /* KT_SD_LUO_SESSION: the kernel's session name */
};

struct kt_sd_map {
	uint64_t version;
	bool has_kexec_count;
	uint64_t kexec_count;
	struct kt_sd_stamp stamp[KT_SD_NR_STAMPS];
	char **units; /* unit names, in document order */
	size_t nr_units, cap_units;
	struct kt_sd_fd *fds; /* every fd-store entry, unit by unit */
	size_t nr_fds, cap_fds;
	size_t skipped; /* entries of a type this version does not know */
};

/*
 * Parse a mapping. -EBADMSG with err naming the place ("units.a.service.fdstore[1].token:
 * expected a number, found a string"), -EPROTONOSUPPORT for a version other than 1.
 */
int kt_sd_map_parse(const uint8_t *buf, size_t len, struct kt_sd_map *m, char *err, size_t errlen);
void kt_sd_map_free(struct kt_sd_map *m);
/* The entry for token (KT_SD_FD) or session name (KT_SD_LUO_SESSION); NULL when none. */
const struct kt_sd_fd *kt_sd_map_token(const struct kt_sd_map *m, uint64_t token);
const struct kt_sd_fd *kt_sd_map_session(const struct kt_sd_map *m, const char *session);

#endif
