// SPDX-License-Identifier: GPL-2.0-only
/* Progress lines on a terminal (progress.h). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/size.h"

#define STEP_NS 100000000ull /* redraw at most every 100 ms */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void kt_progress_begin(struct kt_progress *p, const char *what, uint64_t total, bool bytes)
{
	*p = (struct kt_progress){
	    .what = what, .total = total, .bytes = bytes, .on = isatty(STDERR_FILENO) == 1};
	p->last_ns = now_ns();
}

void kt_progress_step(struct kt_progress *p, uint64_t done)
{
	char a[32], b[32];
	uint64_t t;

	if (!p->on || !p->total)
		return;
	t = now_ns();
	if (t - p->last_ns < STEP_NS)
		return;
	p->last_ns = t;
	if (p->bytes)
		fprintf(stderr, "\r%s: %s of %s (%u%%)\033[K", p->what, kt_fmt_size(done, a),
			kt_fmt_size(p->total, b), (unsigned int)(done * 100 / p->total));
	else
		fprintf(stderr, "\r%s: %llu of %llu (%u%%)\033[K", p->what, (unsigned long long)done,
			(unsigned long long)p->total, (unsigned int)(done * 100 / p->total));
	p->shown = true;
}

void kt_progress_end(struct kt_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}
