/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * luo-top: live view of LUO sessions, file handlers, KHO state and KHO/LUO calls.
 *
 * Data flows one way: sources (src_kho.c: debugfs or a saved snapshot; src_luo.c: the
 * LUO state of lib/model; src_bpf.c: lib/trace, its probes loaded in the background by
 * src_load.c in the frame modes) fill one frame (struct lt_frame);
 * table.c turns a frame into the rows of a view; the renderers (out_text.c batch and
 * trace lines, out_json.c, tui.c) print rows or frames. No renderer reads a source.
 */
#ifndef LUO_TOP_H
#define LUO_TOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/luo_state.h"
#include "snapshot/snapshot.h"
#include "trace/trace.h"

#define LT_PROG "luo-top"
enum { LT_EXIT_OK = 0, LT_EXIT_CHECK = 1, LT_EXIT_ERROR = 2 };

enum lt_view { LT_V_SESSIONS, LT_V_HANDLERS, LT_V_GLOBAL, LT_V_FUNCTIONS, LT_V_EVENTS, LT_NR_VIEWS };
extern const char *const lt_view_name[LT_NR_VIEWS];

struct lt_opts {
	bool batch, json, trace, probes, leftovers;
	bool no_color, no_bpf, force_kprobe, pages, verbose;
	double delay;	   /* seconds between frames */
	long frames;	   /* -n: frames to show, 0 = until q/SIGINT/SIGTERM */
	uint32_t pid;	   /* -p: only this process's calls */
	const char *root;  /* --root: a saved snapshot instead of live debugfs */
	enum lt_view view; /* first view of the TUI */
};

/*
 * The Sessions view's interface: one row per LUO session. Filled from /proc (session
 * fds, owner) and, when tracing, from the BPF session totals; other sources (kernel
 * structures through kcore) can fill the same rows. Unknown numbers are -1.
 */
struct lt_session {
	char name[KT_NAME_LEN];
	int pid; /* holder of the session fd, or last caller from tracing */
	char comm[KT_COMM_LEN + 1];
	int fd;
	int64_t files;
	int64_t bytes;
	char state[16]; /* "open" (fd held), or the last lifecycle step traced */
	/*
	 * The systemd unit it belongs to and its name in that unit's fd store, NULL when none:
	 * the LUO state's strings, valid until it is gathered again.
	 */
	const char *unit, *fdname;
	uint64_t calls, errors; /* traced LUO calls about this session */
	unsigned int src;	/* LT_SRC_* */
};
#define LT_SRC_LUO 0x1
#define LT_SRC_BPF 0x2

struct lt_sessions {
	struct lt_session *v;
	size_t n, cap;
};

/* One row per session of lib's LUO state. */
void lt_sessions_from_luo(const struct kt_luo_state *st, struct lt_sessions *s);
/*
 * Merge the traced per-session totals (by name); sessions only traced get a row too,
 * but a live one only when its last traced call (CLOCK_MONOTONIC ns) is at since_ns or
 * later: from before, the LUO read that began then would have listed it, were it open
 * (its close went untraced: probes attach one by one). A released one stays for
 * LT_RELEASED_NS after its release (now_ns: the time now), then goes.
 */
#define LT_RELEASED_NS (10 * 1000000000ULL)
void lt_sessions_merge_bpf(struct lt_sessions *s, const struct kt_trace_session *v, size_t n,
			   uint64_t since_ns, uint64_t now_ns);
void lt_sessions_free(struct lt_sessions *s);

/*
 * The Handlers view's interface: one row per file handler, from the LUO state (its
 * sessions, files and bytes, the FLBs registered with it) and, when tracing, its traced
 * totals. Unknown numbers are -1.
 */
struct lt_handler {
	char name[KT_COMPAT_LEN + 1];
	int64_t sessions, files, bytes;
	char flbs[256];			      /* comma-separated, "" when none */
	const struct kt_handler_stat *traced; /* into lt_frame.traced, NULL when not traced */
};

struct lt_handlers {
	struct lt_handler *v;
	size_t n, cap;
};

/* One row per handler of lib's LUO state; then the traced ones merged in (by name). */
void lt_handlers_from_luo(const struct kt_luo_state *st, struct lt_handlers *h);
void lt_handlers_merge_bpf(struct lt_handlers *h, const struct kt_trace_handler *v, size_t n);
void lt_handlers_free(struct lt_handlers *h);

/* One sub-blob of the KHO state, for the Global view. */
struct lt_blob {
	const char *dir; /* "out" / "in" */
	const char *name;
	const char *format;
	uint64_t size;
};

/* Everything one frame shows. */
struct lt_frame {
	uint64_t seq;
	double uptime;		  /* seconds since luo-top started */
	double collect_ms;	  /* what collecting this frame took */
	struct kt_snapshot *snap; /* NULL when the KHO state could not be read */
	char kho_error[512];	  /* why snap is NULL */
	char *status_text;	  /* kt_view_status rendered as text lines */
	struct lt_blob *blobs;
	size_t nr_blobs;
	struct lt_sessions sessions;
	struct lt_handlers handlers;
	const struct kt_luo_state *luo; /* FLBs for the Global view; owned by the source */
	/* The kernel's lists changed on every read of the last refresh: the rows are frame luo_seq's. */
	bool luo_changing;
	char luo_changing_note[512];	 /* how often they were read */
	uint64_t luo_seq;		 /* the frame whose read held (0: none) */
	struct kt_trace_handler *traced; /* per-handler traced totals */
	size_t nr_traced;
	struct kt_fn_stat fn[KT_FN_MAX];
	bool tracing;
	bool loading;	       /* the probes are still loading in the background */
	double attached_after; /* seconds from the start until they were attached; 0: not */
	const char *trace_status;
	const struct kt_probe *probes; /* KT_FN_MAX entries, NULL when tracing was not tried */
	bool pages;		       /* per-page probes attached: KHO bytes are known */
	uint64_t dropped;
	/* Events: the newest ones kept in memory, and those that arrived since the last frame. */
	const struct kt_event *events; /* oldest first */
	size_t nr_events;
	size_t new_events;
	uint64_t total_events;
};

/* ---- sources --------------------------------------------------------------------------- */

struct lt_src;
/* Open the sources; returns LT_EXIT_* (2 with a message when there is no KHO at all). */
int lt_src_open(const struct lt_opts *o, struct lt_src **src);
void lt_src_close(struct lt_src *src, int *links_detached);
struct kt_trace *lt_src_trace(struct lt_src *src);
/* Collect one frame (the previous one's memory is reused). */
int lt_src_collect(struct lt_src *src, struct lt_frame *f);
void lt_frame_free(struct lt_frame *f);
/* Wait up to ms for events, taking them into the in-memory ring; false on EINTR. */
void lt_src_wait(struct lt_src *src, int ms);
/* Events go here as they arrive, too (trace mode). */
void lt_src_on_event(struct lt_src *src, void (*fn)(void *, const struct kt_event *), void *ctx);
int lt_src_event_fd(struct lt_src *src);
void lt_src_consume(struct lt_src *src);
/* clock.c: seconds since the start (lt_clock_start), and its CLOCK_MONOTONIC time for event times. */
void lt_clock_start(void);
double lt_now(void);
extern uint64_t lt_t0_ns;
/* SIGINT and SIGTERM set lt_exiting; SIGWINCH (winch) lt_resized. */
void lt_install_signals(bool winch);

/* src_kho.c */
int lt_kho_load(const char *root, struct lt_frame *f);
void lt_kho_free(struct lt_frame *f);

/* ---- views as tables -------------------------------------------------------------------- */

#define LT_MAX_COLS 16
#define LT_CELL	    72

struct lt_col {
	const char *title;
	int width; /* minimum */
	bool left; /* left-aligned text, else right-aligned number */
	bool numeric;
};

struct lt_row {
	char cell[LT_MAX_COLS][LT_CELL];
	double key[LT_MAX_COLS];
};

struct lt_table {
	enum lt_view view;
	const struct lt_col *cols;
	int ncols;
	struct lt_row *rows;
	size_t nrows, cap;
};

/* Build the rows of a view, filtered (substring of the first column) and sorted. */
int lt_table_build(const struct lt_frame *f, enum lt_view v, const char *filter, int sort_col, bool sort_desc,
		   struct lt_table *t);
void lt_table_free(struct lt_table *t);
int lt_view_default_sort(enum lt_view v, bool *desc);
/* One event as a row of the Events view; exact: plain numbers (bytes, latency in us). */
void lt_event_row(const struct kt_event *e, bool exact, struct lt_row *r);
const struct lt_col *lt_event_cols(int *n);
/*
 * Rows [first, first + n) of t as text through libsmartcols (render/table.c): the title
 * line, then a line a row; titles (NULL: the columns') name the columns; width 0: as wide as
 * the cells, else exactly that many columns (a screen). Malloc'ed.
 */
char *lt_table_text(const struct lt_table *t, size_t first, size_t n, const char *const *titles,
		    size_t width);
/* The frame's blobs (DIR, BLOB, FORMAT, SIZE) the same way. */
char *lt_blobs_text(const struct lt_frame *f, size_t width);

/* ---- renderers ----------------------------------------------------------------------- */

void lt_text_frame(FILE *out, const struct lt_frame *f, const struct lt_opts *o);
void lt_text_trace_header(FILE *out);
void lt_text_event(FILE *out, const struct kt_event *e);
int lt_text_probes(FILE *out, struct kt_trace *t);
void lt_fmt_event_time(char *buf, size_t len, const struct kt_event *e);

void lt_json_frame(FILE *out, const struct lt_frame *f, const struct lt_opts *o);
void lt_json_event(FILE *out, const struct kt_event *e);
void lt_json_trace_summary(FILE *out, struct kt_trace *t, uint64_t events, uint64_t flb_steps);
int lt_json_probes(FILE *out, struct kt_trace *t);

int lt_tui_run(struct lt_src *src, const struct lt_opts *o);

/* Formatting helpers shared by renderers. */
const char *lt_fmt_bytes(int64_t v, char buf[32]);
const char *lt_fmt_ns(uint64_t ns, char buf[32]);
const char *lt_event_name_key(const struct kt_event *e); /* "session", "subtree", "flb" */
/* An FLB event's step: create, update, destroy, finish, restore, get; NULL for other events. */
const char *lt_flb_step(const struct kt_event *e);
/* An event of its own for one FLB after a handler's file call, not a call itself. */
bool lt_event_is_flb_step(const struct kt_event *e);

/* Set by SIGINT/SIGTERM (and SIGWINCH for the TUI). */
extern volatile sig_atomic_t lt_exiting;
extern volatile sig_atomic_t lt_resized;

#endif
