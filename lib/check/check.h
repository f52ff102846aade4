/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The upgrade-script commands' logic, so the tools stay thin:
 *  - facts: the few numbers every check reads (kexec count, live-update number,
 *    preserved bytes, whether the LUO state is known at all);
 *  - assert: a small grammar of predicates over one snapshot;
 *  - preflight: go/no-go checks of the running system before a live-update reboot;
 *  - manifest: what should survive the reboot (JSON, written before it, read back
 *    strictly after it) and its verification against the incoming state;
 *  - finalize/abort: the out/finalize control of 6.16-6.19 kernels;
 *  - metrics: Prometheus text exposition.
 * Functions return 0 or a negative errno; messages are left to the caller.
 */
#ifndef KT_CHECK_H
#define KT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/luo_state.h"
#include "snapshot/snapshot.h"
#include "view/view.h"

/* ---- facts ------------------------------------------------------------------ */

/*
 * The number of kexec reboots that led to this kernel: in/kexec-metadata's count
 * (what the previous kernel sent), else out's count minus one (out carries what
 * the next kernel will receive). -ENODATA when neither blob is usable.
 */
int kt_fact_kexec_count(const struct kt_snapshot *s, uint64_t *n);
/* This kernel's live-update number: a valid in/ LUO header's, else out's minus one. */
int kt_fact_liveupdate_number(const struct kt_snapshot *s, uint64_t *n);
/*
 * Bytes of preserved memory: the out tree when out/fdt exists (before the kexec),
 * else the in tree. *dir says which. -errno with why when it cannot be walked.
 */
int kt_fact_preserved(struct kt_view_ctx *c, uint64_t *bytes, enum kt_dirn *dir, char *why, size_t whylen);
/* Whether LUO exists here: a LUO sub-blob in either direction, or (live) /dev/liveupdate. */
bool kt_fact_luo_present(const struct kt_snapshot *s);
/*
 * The LUO state, when both its outgoing and incoming halves are known; NULL with
 * why otherwise (no kcore or BTF, a stale incoming header before the kernel has
 * deserialized the sessions, a snapshot saved without it).
 */
const struct kt_luo_state *kt_fact_luo(struct kt_view_ctx *c, char *why, size_t whylen);

/* ---- assert ------------------------------------------------------------------- */

struct kt_assert_expr;

struct kt_assert {
	struct kt_assert_expr *exprs;
	size_t n;
};

struct kt_assert_result {
	char *expr; /* as typed, words joined by one space */
	bool ok;
	char *seen; /* what was found, in the expression's own terms */
};

/*
 * Parse the command's arguments. An argument holding several words is one whole
 * expression; single-word arguments are joined: subtree/session/handler/flb take
 * the next word as NAME and then the following words that are conditions of that
 * subject. -EINVAL with a one-line reason naming the expression.
 */
int kt_assert_parse(int argc, char *const *argv, struct kt_assert *a, char *err, size_t errlen);
/*
 * Evaluate every expression; res[i] belongs to a->exprs[i]. -errno with a reason
 * when a needed part of the state cannot be read (nothing in res then).
 */
int kt_assert_eval(const struct kt_assert *a, struct kt_view_ctx *c, struct kt_assert_result **res, char *err,
		   size_t errlen);
void kt_assert_results_free(struct kt_assert_result *res, size_t n);
void kt_assert_free(struct kt_assert *a);

/* ---- preflight ---------------------------------------------------------------- */

enum kt_check_status { KT_CHECK_OK, KT_CHECK_WARN, KT_CHECK_FAIL, KT_CHECK_UNKNOWN, KT_CHECK_NR };
extern const char *const kt_check_status_name[KT_CHECK_NR];

struct kt_check {
	const char *name;
	enum kt_check_status status;
	char *msg;
};

struct kt_preflight {
	struct kt_check *checks;
	size_t n;
	size_t count[KT_CHECK_NR];
};

/* Where the system is read; NULL members take the real paths (tests point them elsewhere). */
struct kt_preflight_env {
	const char *proc;	  /* /proc */
	const char *kexec_loaded; /* /sys/kernel/kexec_loaded */
	const char *liveupdate;	  /* /dev/liveupdate (never opened: one open at a time) */
};

/* Run every check on the running system (debugfs as KHO_TOOLS_DEBUGFS may redirect it). */
void kt_preflight_run(const struct kt_preflight_env *env, struct kt_preflight *p);
/* 0 go, 1 no-go (a check failed), 2 cannot tell (a check could not be made, none failed). */
int kt_preflight_verdict(const struct kt_preflight *p);
void kt_preflight_free(struct kt_preflight *p);

/* The systemd unit (".service" or ".scope") of a process from PROC/PID/cgroup; NULL if none. */
char *kt_proc_unit(const char *proc, int pid);
/* The comm is one of the usual shells. */
bool kt_is_shell(const char *comm);

/* ---- manifest ----------------------------------------------------------------- */

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
};

struct kt_mf_region {
	char *name;
	uint64_t start, size;
};

struct kt_mf_blob {
	char *name;
	uint64_t size;
	char sha256[65];
	bool content; /* false: rewritten at the reboot (LUO serializes then), presence only */
};

struct kt_manifest {
	char *release, *taken;
	struct kt_mf_session *sessions;
	size_t nr_sessions;
	struct kt_mf_region *regions;
	size_t nr_regions;
	struct kt_mf_blob *blobs;
	size_t nr_blobs;
};

/* What should survive the reboot, from the outgoing state. -errno with err. */
int kt_manifest_build(struct kt_view_ctx *c, struct kt_manifest *m, char *err, size_t errlen);
void kt_manifest_write(const struct kt_manifest *m, FILE *f);
/* Write to path (never over an existing file) through a temporary name. */
int kt_manifest_save(const struct kt_manifest *m, const char *path, char *err, size_t errlen);
/* Strict reader of exactly what kt_manifest_write writes (unknown keys ignored). */
int kt_manifest_parse(const uint8_t *buf, size_t len, struct kt_manifest *m, char *err, size_t errlen);
void kt_manifest_free(struct kt_manifest *m);

enum kt_mf_kind { KT_MF_STATE, KT_MF_SESSION, KT_MF_FILE, KT_MF_REGION, KT_MF_BLOB };
extern const char *const kt_mf_kind_name[];

struct kt_verify_ops {
	/* One missing or changed item: kind, its name ("vm-0", "vm-0/1"), "missing"/"changed", a line. */
	void (*problem)(void *ctx, enum kt_mf_kind kind, const char *name, const char *change,
			const char *msg);
};

struct kt_verify_counts {
	size_t sessions, files, regions, blobs, problems;
	size_t sizes_unknown; /* files whose incoming size could not be read: compared by token only */
};

/* Compare the manifest with the incoming state. -errno with err when it cannot be told. */
int kt_manifest_verify(const struct kt_manifest *m, struct kt_view_ctx *c, const struct kt_verify_ops *ops,
		       void *ctx, struct kt_verify_counts *n, char *err, size_t errlen);

/* ---- finalize / abort --------------------------------------------------------- */

struct kt_finalize_plan {
	char *path;   /* ROOT/out/finalize */
	int current;  /* 0/1 */
	int target;   /* 1 finalize, 0 abort */
	bool is_619;  /* LUO-era control: finalize only */
	char *reason; /* for -ENOTSUP: why the action is not possible here */
};

/*
 * What finalize (target 1) or abort (target 0) would do on the live snapshot s:
 * -ENOTSUP with reason when the kernel has no such control (7.x) or no abort
 * (6.19); -EBADMSG when the control's value cannot be read.
 */
int kt_finalize_plan(const struct kt_snapshot *s, int target, struct kt_finalize_plan *p);
/* Write the target, read it back into *now. -errno of the write or read. */
int kt_finalize_apply(const struct kt_finalize_plan *p, int *now);
void kt_finalize_plan_free(struct kt_finalize_plan *p);

/* ---- metrics ------------------------------------------------------------------ */

/* Prometheus text exposition of c's snapshot; c NULL: KHO is not enabled here. */
void kt_metrics_write(FILE *f, struct kt_view_ctx *c);

#endif
