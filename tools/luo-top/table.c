// SPDX-License-Identifier: GPL-2.0-only
/* A frame as the rows of one view: cells as shown, sort keys, filter, sort. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo-top.h"
#include "base/size.h"
#include "base/util.h"
#include "render/table.h"

const char *const lt_view_name[LT_NR_VIEWS] = {"sessions", "handlers", "global", "functions", "events"};

/* OWNER: the systemd unit (with the fd-store name) where known, else the holder's command. */
static const struct lt_col sessions_cols[] = {
    {"SESSION", 12, true, false}, {"PID", 6, false, true},   {"OWNER", 8, true, false},
    {"FD", 4, false, true},	  {"FILES", 5, false, true}, {"BYTES", 9, false, true},
    {"STATE", 10, true, false},	  {"CALLS", 6, false, true}, {"ERR", 4, false, true},
};

/* What the LUO state says of each handler, then (tracing) its calls. */
static const struct lt_col handlers_cols[] = {
    {"HANDLER", 10, true, false}, {"SESSIONS", 8, false, true},	 {"FILES", 5, false, true},
    {"BYTES", 9, false, true},	  {"FLBS", 4, true, false},	 {"PRESERVED", 9, false, true},
    {"P_BYTES", 9, false, true},  {"KHO_BYTES", 9, false, true}, {"RETRIEVED", 9, false, true},
    {"R_BYTES", 9, false, true},  {"FREEZE", 6, false, true},	 {"FINISH", 6, false, true},
    {"UNPRES", 6, false, true},	  {"ERR", 4, false, true},	 {"AVG", 8, false, true},
    {"P99", 8, false, true},
};

/* Global state: every FLB, registered here or handed over. */
static const struct lt_col flbs_cols[] = {
    {"FLB", 12, true, false},  {"DIR", 3, true, false},	     {"STATE", 10, true, false},
    {"FILES", 5, false, true}, {"HANDED", 6, false, true},   {"DATA", 18, true, false},
    {"OBJ", 3, true, false},   {"HANDLERS", 8, true, false},
};

static const struct lt_col functions_cols[] = {
    {"FUNCTION", 27, true, false}, {"PROBE", 6, true, false}, {"CALLS", 7, false, true},
    {"ERR", 4, false, true},	   {"BYTES", 9, false, true}, {"KHO_BYTES", 9, false, true},
    {"AVG", 8, false, true},	   {"MAX", 8, false, true},   {"P99", 8, false, true},
};

static const struct lt_col events_cols[] = {
    {"TIME(s)", 10, false, true},  {"PID", 6, false, true},	 {"COMM", 8, true, false},
    {"FUNCTION", 24, true, false}, {"SESSION", 10, true, false}, {"HANDLER", 8, true, false},
    {"TOKEN", 6, false, true},	   {"BYTES", 9, false, true},	 {"KHO_BYTES", 9, false, true},
    {"RET", 4, false, true},	   {"LAT", 8, false, true},
};

static const struct {
	const struct lt_col *cols;
	int n;
	int sort;
	bool desc;
} views[LT_NR_VIEWS] = {
    [LT_V_SESSIONS] = {sessions_cols, KT_ARRAY_SIZE(sessions_cols), 0, false},
    [LT_V_HANDLERS] = {handlers_cols, KT_ARRAY_SIZE(handlers_cols), 0, false},
    [LT_V_GLOBAL] = {flbs_cols, KT_ARRAY_SIZE(flbs_cols), -1, false},
    [LT_V_FUNCTIONS] = {functions_cols, KT_ARRAY_SIZE(functions_cols), -1, false},
    [LT_V_EVENTS] = {events_cols, KT_ARRAY_SIZE(events_cols), -1, false},
};

int lt_view_default_sort(enum lt_view v, bool *desc)
{
	*desc = views[v].desc;
	return views[v].sort;
}

const char *lt_fmt_bytes(int64_t v, char buf[32])
{
	if (v < 0)
		return strcpy(buf, "-");
	return kt_fmt_size(v, buf);
}

const char *lt_fmt_ns(uint64_t ns, char buf[32])
{
	if (ns < 1000)
		snprintf(buf, 32, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, 32, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, 32, "%.1fms", ns / 1e6);
	else
		snprintf(buf, 32, "%.2fs", ns / 1e9);
	return buf;
}

const char *lt_event_name_key(const struct kt_event *e)
{
	switch (e->name_kind) {
	case KT_NAME_SESSION:
		return "session";
	case KT_NAME_SUBTREE:
		return "subtree";
	case KT_NAME_FLB:
		return "flb";
	default:
		return NULL;
	}
}

const char *lt_flb_step(const struct kt_event *e)
{
	if (!(e->flags & KT_EV_FLB))
		return NULL;
	if (e->flags & KT_EV_FLB_CREATED)
		return "create";
	if (e->flags & KT_EV_FLB_DESTROYED)
		return e->fn == KT_FN_LUO_FLB_FILE_FINISH ? "finish" : "destroy";
	if (e->flags & KT_EV_FLB_RESTORED)
		return "restore";
	return e->fn == KT_FN_LIVEUPDATE_FLB_GET_INCOMING ? "get" : "update";
}

bool lt_event_is_flb_step(const struct kt_event *e)
{
	return (e->flags & KT_EV_FLB) && e->fn != KT_FN_LIVEUPDATE_FLB_GET_INCOMING;
}

void lt_fmt_event_time(char *buf, size_t len, const struct kt_event *e)
{
	double t =
	    e->ts_ns >= lt_t0_ns ? (double)(e->ts_ns - lt_t0_ns) / 1e9 : -(double)(lt_t0_ns - e->ts_ns) / 1e9;

	snprintf(buf, len, "%.6f", t);
}

static struct lt_row *add_row(struct lt_table *t)
{
	struct lt_row *r;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct lt_row *v = realloc(t->rows, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->rows = v;
		t->cap = cap;
	}
	r = &t->rows[t->nrows++];
	memset(r->key, 0, sizeof(r->key));
	return r;
}

static void cell(struct lt_row *r, int c, double key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cell(struct lt_row *r, int c, double key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->cell[c], LT_CELL, fmt, ap);
	va_end(ap);
	r->key[c] = key;
}

static void cell_num(struct lt_row *r, int c, int64_t v)
{
	if (v < 0)
		cell(r, c, -1, "-");
	else
		cell(r, c, (double)v, "%" PRId64, v);
}

static void cell_bytes(struct lt_row *r, int c, int64_t v)
{
	char b[32];

	cell(r, c, (double)v, "%s", lt_fmt_bytes(v, b));
}

static void cell_ns(struct lt_row *r, int c, uint64_t ns, bool known)
{
	char b[32];

	if (!known)
		cell(r, c, -1, "-");
	else
		cell(r, c, (double)ns, "%s", lt_fmt_ns(ns, b));
}

static void rows_sessions(const struct lt_frame *f, struct lt_table *t)
{
	size_t i;

	for (i = 0; i < f->sessions.n; i++) {
		const struct lt_session *s = &f->sessions.v[i];
		struct lt_row *r = add_row(t);

		if (!r)
			return;
		cell(r, 0, 0, "%s", s->name);
		cell_num(r, 1, s->pid);
		if (s->unit && s->fdname)
			cell(r, 2, 0, "%s:%s", s->unit, s->fdname);
		else
			cell(r, 2, 0, "%s", s->unit ? s->unit : s->comm[0] ? s->comm : "-");
		cell_num(r, 3, s->fd);
		cell_num(r, 4, s->files);
		cell_bytes(r, 5, s->bytes);
		cell(r, 6, 0, "%s", s->state);
		cell_num(r, 7, s->src & LT_SRC_BPF ? (int64_t)s->calls : -1);
		cell_num(r, 8, s->src & LT_SRC_BPF ? (int64_t)s->errors : -1);
	}
}

static void rows_handlers(const struct lt_frame *f, struct lt_table *t)
{
	size_t i;
	int k;

	for (i = 0; i < f->handlers.n; i++) {
		const struct lt_handler *x = &f->handlers.v[i];
		const struct kt_handler_stat *h = x->traced;
		uint64_t errors = 0, lat = 0, n = 0;
		struct lt_row *r = add_row(t);

		if (!r)
			return;
		cell(r, 0, 0, "%s", x->name[0] ? x->name : "?");
		cell_num(r, 1, x->sessions);
		cell_num(r, 2, x->files);
		cell_bytes(r, 3, x->bytes);
		cell(r, 4, 0, "%s", x->flbs[0] ? x->flbs : "-");
		for (k = 0; h && k < KT_OP_NR; k++) {
			errors += h->op[k].errors;
			lat += h->op[k].lat_sum;
			n += h->op[k].lat_n;
		}
		cell_num(r, 5, h ? (int64_t)h->op[KT_OP_PRESERVE].count : -1);
		cell_bytes(r, 6, h ? (int64_t)h->op[KT_OP_PRESERVE].bytes : -1);
		cell_bytes(r, 7, h && f->pages ? (int64_t)h->op[KT_OP_PRESERVE].kho_bytes : -1);
		cell_num(r, 8, h ? (int64_t)h->op[KT_OP_RETRIEVE].count : -1);
		cell_bytes(r, 9, h ? (int64_t)h->op[KT_OP_RETRIEVE].bytes : -1);
		cell_num(r, 10, h ? (int64_t)h->op[KT_OP_FREEZE].count : -1);
		cell_num(r, 11, h ? (int64_t)h->op[KT_OP_FINISH].count : -1);
		cell_num(r, 12, h ? (int64_t)h->op[KT_OP_UNPRESERVE].count : -1);
		cell_num(r, 13, h ? (int64_t)errors : -1);
		cell_ns(r, 14, n ? lat / n : 0, n);
		cell_ns(r, 15, h ? kt_hist_quantile(h->hist, 0.99) : 0, n);
	}
}

static void rows_flbs(const struct lt_frame *f, struct lt_table *t)
{
	size_t i, k;

	for (i = 0; f->luo && i < f->luo->nr_flbs; i++) {
		const struct kt_luo_flb *x = &f->luo->flbs[i];
		struct lt_row *r = add_row(t);
		char handlers[256] = "";

		if (!r)
			return;
		for (k = 0; k < x->handlers_len && k + 1 < sizeof(handlers); k++)
			handlers[k] = x->handlers[k] ? x->handlers[k] : ',';
		cell(r, 0, 0, "%s", x->name);
		cell(r, 1, 0, "%s", x->incoming ? "in" : "out");
		cell(r, 2, x->state, "%s", kt_flb_state_name[x->state]);
		cell_num(r, 3, (int64_t)x->count);
		cell_num(r, 4, x->handed_over ? (int64_t)x->handed_over_count : -1);
		cell(r, 5, (double)x->data, "0x%" PRIx64, x->data);
		cell(r, 6, x->object, "%s", x->object ? "yes" : "no");
		cell(r, 7, 0, "%s", handlers[0] ? handlers : "-");
	}
}

static void rows_functions(const struct lt_frame *f, struct lt_table *t)
{
	const struct kt_probe *probes = f->probes;
	int fn;

	for (fn = 0; fn < KT_FN_MAX; fn++) {
		const struct kt_fn_stat *s = &f->fn[fn];
		struct lt_row *r = add_row(t);
		const char *probe = "-";

		if (!r)
			return;
		if (probes)
			probe = probes[fn].attached ? kt_probe_kind_name(probes[fn].kind) : "off";
		cell(r, 0, fn, "%s", kt_fn_info[fn].name);
		cell(r, 1, 0, "%s", probe);
		cell_num(r, 2, s->count);
		cell_num(r, 3, s->errors);
		cell_bytes(r, 4, s->bytes);
		cell_bytes(r, 5, f->pages || (kt_fn_info[fn].flags & KT_F_LEAF) ? (int64_t)s->kho_bytes : -1);
		cell_ns(r, 6, s->lat_n ? s->lat_sum / s->lat_n : 0, s->lat_n);
		cell_ns(r, 7, s->lat_max, s->lat_n);
		cell_ns(r, 8, kt_hist_quantile(s->hist, 0.99), s->lat_n);
	}
}

void lt_event_row(const struct kt_event *e, bool exact, struct lt_row *r)
{
	const char *key = lt_event_name_key(e);
	char ts[32];

	memset(r->key, 0, sizeof(r->key));
	lt_fmt_event_time(ts, sizeof(ts), e);
	cell(r, 0, (double)e->ts_ns, "%s", ts);
	cell_num(r, 1, e->pid);
	cell(r, 2, 0, "%.*s", KT_COMM_LEN, e->comm);
	cell(r, 3, e->fn, "%s", e->fn < KT_FN_MAX ? kt_fn_info[e->fn].name : "?");
	if (e->flags & KT_EV_FLB)
		cell(r, 4, 0, "flb:%.*s %s(%u)", KT_NAME_LEN, e->name, lt_flb_step(e), e->nr);
	else if (key && e->name_kind != KT_NAME_SESSION)
		cell(r, 4, 0, "%s:%.*s", key, KT_NAME_LEN, e->name);
	else
		cell(r, 4, 0, "%.*s", KT_NAME_LEN, key ? e->name : "-");
	cell(r, 5, 0, "%.*s", KT_COMPAT_LEN, e->handler[0] ? e->handler : "-");
	cell_num(r, 6, e->flags & KT_EV_TOKEN ? (int64_t)e->token : -1);
	if (exact) {
		cell_num(r, 7, e->bytes);
		cell_num(r, 8, e->kho_bytes);
	} else {
		cell_bytes(r, 7, e->bytes);
		cell_bytes(r, 8, e->kho_bytes);
	}
	switch (e->fn < KT_FN_MAX ? kt_fn_info[e->fn].ret : KT_RET_VOID) {
	case KT_RET_INT:
		cell(r, 9, (double)e->ret, "%" PRId64, (int64_t)e->ret);
		break;
	case KT_RET_PTR:
		if (!(e->flags & KT_EV_ERROR))
			cell(r, 9, 0, "ok");
		else if (!e->ret)
			cell(r, 9, -1, "NULL");
		else
			cell(r, 9, (double)e->ret, "%" PRId64, (int64_t)e->ret);
		break;
	default:
		cell(r, 9, 0, "-");
	}
	if (exact) {
		if (e->flags & KT_EV_NOENTRY)
			cell(r, 10, -1, "-");
		else
			cell(r, 10, e->lat_ns, "%.3f", e->lat_ns / 1e3);
	} else {
		cell_ns(r, 10, e->lat_ns, !(e->flags & KT_EV_NOENTRY));
	}
}

static void rows_events(const struct lt_frame *f, struct lt_table *t)
{
	size_t i;

	for (i = 0; i < f->nr_events; i++) {
		struct lt_row *r = add_row(t);

		if (!r)
			return;
		lt_event_row(&f->events[i], false, r);
	}
}

const struct lt_col *lt_event_cols(int *n)
{
	*n = KT_ARRAY_SIZE(events_cols);
	return events_cols;
}

static bool row_matches(const struct lt_row *r, int ncols, const char *filter)
{
	int c;

	for (c = 0; c < ncols; c++)
		if (strcasestr(r->cell[c], filter))
			return true;
	return false;
}

static int sort_col;
static bool sort_desc, sort_numeric;

static int cmp_rows(const void *a, const void *b)
{
	const struct lt_row *x = a, *y = b;
	int d;

	if (sort_numeric)
		d = x->key[sort_col] < y->key[sort_col] ? -1 : x->key[sort_col] > y->key[sort_col];
	else
		d = strcmp(x->cell[sort_col], y->cell[sort_col]);
	return sort_desc ? -d : d;
}

int lt_table_build(const struct lt_frame *f, enum lt_view v, const char *filter, int sort, bool desc,
		   struct lt_table *t)
{
	t->view = v;
	t->cols = views[v].cols;
	t->ncols = views[v].n;
	t->nrows = 0;
	switch (v) {
	case LT_V_SESSIONS:
		rows_sessions(f, t);
		break;
	case LT_V_HANDLERS:
		rows_handlers(f, t);
		break;
	case LT_V_GLOBAL:
		rows_flbs(f, t);
		break;
	case LT_V_FUNCTIONS:
		rows_functions(f, t);
		break;
	case LT_V_EVENTS:
		rows_events(f, t);
		break;
	default:
		break;
	}
	if (filter && *filter) {
		size_t i, k = 0;

		for (i = 0; i < t->nrows; i++)
			if (row_matches(&t->rows[i], t->ncols, filter))
				t->rows[k++] = t->rows[i];
		t->nrows = k;
	}
	if (sort >= 0 && sort < t->ncols && t->nrows > 1) {
		sort_col = sort;
		sort_desc = desc;
		sort_numeric = t->cols[sort].numeric;
		qsort(t->rows, t->nrows, sizeof(*t->rows), cmp_rows);
	}
	return 0;
}

void lt_table_free(struct lt_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* Every column of r through render/table.c, then r freed; the columns are r's own, so no error. */
static char *render(struct kt_rows *r, size_t width)
{
	const struct kt_table_opts o = {.all = true, .width = width};
	char *out, err[128];

	if (kt_table_string(r, &o, &out, err, sizeof(err)))
		out = kt_strdup("");
	kt_rows_free(r);
	return out;
}

char *lt_table_text(const struct lt_table *t, size_t first, size_t n, const char *const *titles, size_t width)
{
	struct kt_colspec spec[LT_MAX_COLS];
	const struct kt_table_def def = {spec, (size_t)t->ncols, NULL};
	struct kt_rows r;
	size_t i, row;
	int c;

	for (c = 0; c < t->ncols; c++)
		spec[c] = (struct kt_colspec){titles ? titles[c] : t->cols[c].title, "",
					      t->cols[c].numeric ? KT_COL_NUM : KT_COL_TRUNC};
	kt_rows_init(&r, &def);
	for (i = first; i < t->nrows && i - first < n; i++) {
		row = kt_rows_add(&r, KT_ROW_NONE);
		for (c = 0; c < t->ncols; c++)
			if (t->rows[i].cell[c][0])
				kt_rows_str(&r, row, spec[c].name, "%s", t->rows[i].cell[c]);
	}
	if (!r.n) /* libsmartcols prints nothing of a table without rows: keep the titles */
		kt_rows_add(&r, KT_ROW_NONE);
	return render(&r, width);
}

char *lt_blobs_text(const struct lt_frame *f, size_t width)
{
	static const struct kt_colspec cols[] = {{"DIR", "", 0},
						 {"BLOB", "", KT_COL_TRUNC},
						 {"FORMAT", "", KT_COL_TRUNC},
						 {"SIZE", "", KT_COL_SIZE}};
	static const struct kt_table_def def = {cols, KT_ARRAY_SIZE(cols), "DIR,BLOB,FORMAT,SIZE"};
	struct kt_rows r;
	size_t i, row;

	kt_rows_init(&r, &def);
	for (i = 0; i < f->nr_blobs; i++) {
		row = kt_rows_add(&r, KT_ROW_NONE);
		kt_rows_str(&r, row, "DIR", "%s", f->blobs[i].dir);
		kt_rows_str(&r, row, "BLOB", "%s", f->blobs[i].name);
		kt_rows_str(&r, row, "FORMAT", "%s", f->blobs[i].format);
		kt_rows_size(&r, row, "SIZE", f->blobs[i].size);
	}
	return render(&r, width);
}
