/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The upgrade manifest: what should survive the live-update reboot, written as JSON
 * by `save --manifest` before it and read back strictly by `verify` after it
 * (verify.h compares it with the incoming state).
 */
#ifndef KT_MANIFEST_H
#define KT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/hash.h"
#include "model/state.h"

#define KT_MANIFEST_KIND "kho-tools-manifest"
#define KT_MANIFEST_MAX	 (64UL << 20)

struct kt_mf_file {
	uint64_t token;
	char *handler;
	bool has_size;
	uint64_t size;
};

struct kt_mf_session {
	char *name;
	struct kt_mf_file *files;
	size_t nr_files;
	char *unit, *fdname; /* the systemd fd store holding it (LUOSession=), NULL when none */
};

/* An fd a systemd unit's store will carry through the kexec (tokens change: names do not). */
struct kt_mf_sd_fd {
	char *name;
	char *kind; /* "memfd" or "luo_session" (kt_sd_fate_name) */
};

struct kt_mf_unit {
	char *unit;
	struct kt_mf_sd_fd *fds;
	size_t nr_fds, cap_fds;
};

struct kt_mf_region {
	char *name;
	uint64_t start, size;
};

struct kt_mf_blob {
	char *name;
	uint64_t size;
	char sha256[KT_SHA256_HEX];
	bool content; /* false: rewritten at the reboot (LUO serializes then), presence only */
};

/* An FLB that files depend on: the next kernel gets its handle and count. */
struct kt_mf_flb {
	char *name;
	uint64_t files;
	uint64_t data;
};

struct kt_manifest {
	char *release, *taken;
	struct kt_mf_flb *flbs; /* absent from manifests written before FLBs were recorded */
	size_t nr_flbs, cap_flbs;
	struct kt_mf_session *sessions;
	size_t nr_sessions, cap_sessions;
	struct kt_mf_region *regions;
	size_t nr_regions, cap_regions;
	struct kt_mf_blob *blobs;
	size_t nr_blobs;
	struct kt_mf_unit *units; /* systemd's preserved fd stores (optional in the file) */
	size_t nr_units, cap_units;
};

/* What should survive the reboot, from the outgoing state. -errno with err. */
int kt_manifest_build(struct kt_state *st, struct kt_manifest *m, char *err, size_t errlen);
void kt_manifest_write(const struct kt_manifest *m, FILE *f);
/* Write to path (never over an existing file) through a temporary name. */
int kt_manifest_save(const struct kt_manifest *m, const char *path, char *err, size_t errlen);
/* Strict reader of what kt_manifest_write writes (unknown keys ignored: fields are only ever added). */
int kt_manifest_parse(const uint8_t *buf, size_t len, struct kt_manifest *m, char *err, size_t errlen);
void kt_manifest_free(struct kt_manifest *m);

#endif
