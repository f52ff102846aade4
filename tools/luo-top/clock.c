// SPDX-License-Identifier: GPL-2.0-only
/* luo-top's time and signals: the start of the run, and the flags SIGINT, SIGTERM and SIGWINCH set. */
#include <signal.h>
#include <time.h>

#include "luo-top.h"

uint64_t lt_t0_ns;
volatile sig_atomic_t lt_exiting;
volatile sig_atomic_t lt_resized;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void lt_clock_start(void)
{
	lt_t0_ns = mono_ns();
}

double lt_now(void)
{
	return (double)(mono_ns() - lt_t0_ns) / 1e9;
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		lt_resized = 1;
	else
		lt_exiting = 1;
}

void lt_install_signals(bool winch)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal ends the wait in poll at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (winch)
		sigaction(SIGWINCH, &sa, NULL);
}
