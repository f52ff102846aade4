/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef KHO_INSPECT_H
#define KHO_INSPECT_H

#include <stdbool.h>

#include "json.h"
#include "snapshot.h"

/* Exit codes of every kho-tools command. */
enum { KT_EXIT_OK = 0, KT_EXIT_CHECK = 1, KT_EXIT_ERROR = 2 };

struct opts {
	bool json;
	bool pretty;
	bool raw;
	bool verbose;
	unsigned int dirs; /* KT_VIEW_OUT | KT_VIEW_IN */
	bool out_vs_in;
	const char *root;   /* --root: NULL = live */
	const char *output; /* save -o */
};

/* Load --root (or live); on failure print the one-line reason (JSON in -J mode). */
int load_snapshot(const struct opts *o, const char *spec, struct kt_snapshot *s);
/* Report an error once: stderr, and a JSON error object on stdout in -J mode. */
void report_error(const struct opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start a JSON document with schema_version and the snapshot's source. */
void json_begin(struct kt_json *j, const struct opts *o, const struct kt_snapshot *s);

int cmd_show(const struct opts *o, int argc, char **argv);
int cmd_status(const struct opts *o, int argc, char **argv);
int cmd_save(const struct opts *o, int argc, char **argv);
int cmd_diff(const struct opts *o, int argc, char **argv);
int cmd_get(const struct opts *o, int argc, char **argv);

#endif
