// SPDX-License-Identifier: GPL-2.0-only
/* Plain text: batch frames (like top -b), one line per traced call, the probe list. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo-top.h"
#include "base/util.h"
#include "render/table.h"

#define BATCH_EVENTS 100 /* newest events printed per batch frame */

static void print_row(FILE *out, const struct lt_col *cols, int ncols, const int *w, const char *const *cells)
{
	int c;

	for (c = 0; c < ncols; c++) {
		const char *sep = c + 1 < ncols ? " " : "";

		if (cols[c].left && c + 1 == ncols)
			fprintf(out, "%s", cells[c]);
		else if (cols[c].left)
			fprintf(out, "%-*s%s", w[c], cells[c], sep);
		else
			fprintf(out, "%*s%s", w[c], cells[c], sep);
	}
	fputc('\n', out);
}

/* A table's text (lt_table_text, lt_blobs_text: no newline after its last line), freed. */
static void put_table(FILE *out, char *text)
{
	fprintf(out, "%s\n", text);
	free(text);
}

static void header(FILE *out, const struct lt_frame *f)
{
	fprintf(out, "luo-top - %.3fs  frame %" PRIu64 "  sessions %zu  tracing %s", f->uptime, f->seq,
		f->sessions.n, f->trace_status ? f->trace_status : "off");
	if (f->tracing)
		fprintf(out, "  events %" PRIu64 "  dropped %" PRIu64, f->total_events, f->dropped);
	fputc('\n', out);
	if (!f->snap)
		fprintf(out, "KHO: %s\n", f->kho_error);
	if (f->luo_changing)
		fprintf(out, "sessions as of frame %" PRIu64 ": %s\n", f->luo_seq, f->luo_changing_note);
}

void lt_text_frame(FILE *out, const struct lt_frame *f, const struct lt_opts *o)
{
	struct lt_table t = {0};
	bool desc;
	int sort;

	(void)o;
	header(out, f);

	fprintf(out, "\n[sessions]\n");
	sort = lt_view_default_sort(LT_V_SESSIONS, &desc);
	lt_table_build(f, LT_V_SESSIONS, NULL, sort, desc, &t);
	put_table(out, lt_table_text(&t, 0, t.nrows, NULL, 0));

	fprintf(out, "\n[handlers]\n");
	sort = lt_view_default_sort(LT_V_HANDLERS, &desc);
	lt_table_build(f, LT_V_HANDLERS, NULL, sort, desc, &t);
	put_table(out, lt_table_text(&t, 0, t.nrows, NULL, 0));

	fprintf(out, "\n[global]\n");
	if (f->status_text)
		fputs(f->status_text, out);
	put_table(out, lt_blobs_text(f, 0));
	sort = lt_view_default_sort(LT_V_GLOBAL, &desc);
	lt_table_build(f, LT_V_GLOBAL, NULL, sort, desc, &t);
	put_table(out, lt_table_text(&t, 0, t.nrows, NULL, 0));

	fprintf(out, "\n[functions]\n");
	if (f->tracing) {
		sort = lt_view_default_sort(LT_V_FUNCTIONS, &desc);
		lt_table_build(f, LT_V_FUNCTIONS, NULL, sort, desc, &t);
		put_table(out, lt_table_text(&t, 0, t.nrows, NULL, 0));
	} else {
		fprintf(out, "(tracing %s)\n", f->trace_status ? f->trace_status : "off");
	}

	fprintf(out, "\n[events] %zu new\n", f->new_events);
	if (f->tracing) {
		size_t show = f->new_events < BATCH_EVENTS ? f->new_events : BATCH_EVENTS;
		struct lt_frame last = *f;

		/* Rows for the events shown only: thousands are kept for the full screen. */
		last.events = f->events + f->nr_events - show;
		last.nr_events = show;
		lt_table_build(&last, LT_V_EVENTS, NULL, -1, false, &t);
		if (f->new_events > show)
			fprintf(out, "(%zu earlier events of this interval not shown)\n",
				f->new_events - show);
		put_table(out, lt_table_text(&t, 0, t.nrows, NULL, 0));
	}
	fputc('\n', out);
	lt_table_free(&t);
	fflush(out);
}

static int trace_w[LT_MAX_COLS];

void lt_text_trace_header(FILE *out)
{
	const char *cells[LT_MAX_COLS];
	const struct lt_col *cols;
	int n, c;

	cols = lt_event_cols(&n);
	for (c = 0; c < n; c++) {
		trace_w[c] =
		    cols[c].width > (int)strlen(cols[c].title) ? cols[c].width : (int)strlen(cols[c].title);
		cells[c] = cols[c].title;
	}
	/* The trace prints exact numbers and whole command names: make room for them. */
	trace_w[2] = KT_COMM_LEN - 1;
	trace_w[7] = trace_w[8] = 10;
	trace_w[10] = 10;
	cells[10] = "LAT(us)";
	print_row(out, cols, n, trace_w, cells);
	fflush(out);
}

void lt_text_event(FILE *out, const struct kt_event *e)
{
	const char *cells[LT_MAX_COLS];
	const struct lt_col *cols;
	struct lt_row r;
	int n, c;

	cols = lt_event_cols(&n);
	lt_event_row(e, true, &r);
	for (c = 0; c < n; c++)
		cells[c] = r.cell[c];
	print_row(out, cols, n, trace_w, cells);
}

int lt_text_probes(FILE *out, struct kt_trace *t)
{
	static const struct kt_colspec cols[] = {
	    {"FUNCTION", "", 0}, {"PROBE", "", 0}, {"STATE", "", 0}, {"REASON", "", 0}};
	static const struct kt_table_def def = {cols, KT_ARRAY_SIZE(cols), "FUNCTION,PROBE,STATE,REASON"};
	const struct kt_table_opts o = {0};
	const struct kt_probe *p;
	size_t i, row, n = kt_trace_probes(t, &p);
	struct kt_rows r;
	char err[128];

	fprintf(out, "fentry: %s\nkprobe: %s\ntracing %s\n", kt_trace_fentry_state(t),
		kt_trace_kprobe_state(t), kt_trace_status(t));
	kt_rows_init(&r, &def);
	for (i = 0; i < n; i++) {
		row = kt_rows_add(&r, KT_ROW_NONE);
		kt_rows_str(&r, row, "FUNCTION", "%s", p[i].func);
		kt_rows_str(&r, row, "PROBE", "%s",
			    p[i].kind == KT_PROBE_OFF ? "-" : kt_probe_kind_name(p[i].kind));
		kt_rows_str(&r, row, "STATE", "%s", p[i].attached ? "on" : "off");
		kt_rows_str(&r, row, "REASON", "%s", p[i].reason);
	}
	kt_table_print(&r, &o, out, err, sizeof(err));
	kt_rows_free(&r);
	fflush(out);
	return kt_trace_active(t) ? LT_EXIT_OK : LT_EXIT_CHECK;
}
