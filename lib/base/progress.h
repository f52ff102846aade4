/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Progress of long work on the terminal: "what: done/total (P%)" rewritten in place on stderr
 * at most ten times a second, cleared at the end. Silent when stderr is not a terminal, so
 * scripts and logs never see it.
 */
#ifndef KT_PROGRESS_H
#define KT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct kt_progress {
	const char *what;
	uint64_t total;
	bool bytes; /* done and total are bytes: shown in units */
	bool on;    /* stderr is a terminal */
	bool shown; /* a line is on the screen */
	uint64_t last_ns;
};

void kt_progress_begin(struct kt_progress *p, const char *what, uint64_t total, bool bytes);
void kt_progress_step(struct kt_progress *p, uint64_t done);
void kt_progress_end(struct kt_progress *p);

#endif
