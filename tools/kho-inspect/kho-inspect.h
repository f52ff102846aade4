/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef KHO_INSPECT_H
#define KHO_INSPECT_H

#include <stdbool.h>

#include "base/json_write.h"
#include "decode/vmlinux.h"
#include "render/table.h"
#include "snapshot/snapshot.h"
#include "view/view.h"

/* Exit codes of every kho-tools command. */
enum { KT_EXIT_OK = 0, KT_EXIT_CHECK = 1, KT_EXIT_ERROR = 2 };

struct opts {
	bool json;
	bool pretty;
	bool raw;
	bool verbose;
	unsigned int dirs; /* KT_VIEW_OUT | KT_VIEW_IN */
	bool out_vs_in;
	bool folios;		    /* sessions --folios */
	bool ranges;		    /* mem --ranges */
	kt_view_fn view;	    /* the selected view command's view */
	kt_rows_fn rows;	    /* its text output as a table, if it has one */
	bool view_too;		    /* the view's text before that table */
	struct kt_table_opts table; /* -o, -n, -r, -P, -b, -s, --list */
	const char *root;	    /* --root: NULL = live */
	const char *output;	    /* save -o */
	const char *manifest;	    /* save --manifest */
	bool dry_run;		    /* finalize/abort: say what would be written */
	bool yes;		    /* finalize/abort: really write */
	const char **accept_loss;   /* preflight --accept-loss UNIT[:FDNAME], repeated */
	size_t nr_accept_loss;
	const char *target; /* preflight --target IMAGE */
};

/* Load --root (or live); on failure print the one-line reason (JSON in -J mode). */
int load_snapshot(const struct opts *o, const char *spec, struct kt_snapshot *s);
/* Report an error once: stderr, and a JSON error object on stdout in -J mode. */
void report_error(const struct opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print rows r as o asks (table options), its notes on stderr; 0, or KT_EXIT_ERROR when a note
 * is an error or the columns are wrong (reported). */
int print_rows(const struct opts *o, const struct kt_rows *r);
/* Start a JSON document with schema_version and the snapshot's source. */
void json_begin(struct kt_json *j, const struct opts *o, const struct kt_snapshot *s);

/* show, status, sessions, handlers, global, mem: o->view rendered. */
int cmd_view(const struct opts *o, int argc, char **argv);
/* cmd_view with a step before any output; prepare reports its own error and fails with non-zero. */
int run_view(const struct opts *o, int argc, char **argv,
	     int (*prepare)(const struct opts *o, struct kt_state *c));
/* mem: o->view, but one line and exit 2 when physical memory cannot be read. */
int cmd_mem(const struct opts *o, int argc, char **argv);
int cmd_save(const struct opts *o, int argc, char **argv);
int cmd_diff(const struct opts *o, int argc, char **argv);
int cmd_get(const struct opts *o, int argc, char **argv);
/* Upgrade-script commands (logic in lib/check.c). */
int cmd_assert(const struct opts *o, int argc, char **argv);
int cmd_preflight(const struct opts *o, int argc, char **argv);
int cmd_verify(const struct opts *o, int argc, char **argv);
int cmd_finalize(const struct opts *o, int argc, char **argv);
int cmd_abort(const struct opts *o, int argc, char **argv);
int cmd_metrics(const struct opts *o, int argc, char **argv);
int cmd_compat(const struct opts *o, int argc, char **argv);
/* Read the kernel image at path (compat IMAGE, preflight --target); reports its own error. */
int load_target(const struct opts *o, const char *path, struct kt_vmlinux *t);
/* save --manifest: write o->manifest from s; reports its own error. */
int save_manifest(const struct opts *o, const struct kt_snapshot *s);

#endif
