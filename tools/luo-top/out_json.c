// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON: one object per frame (NDJSON with -b), one object per traced call (--trace -J)
 * and a closing summary, the probe list. Every object has schema_version; numbers are
 * exact, unknown values null, physical addresses "0x..." strings.
 */
#include <stdio.h>
#include <string.h>

#include "base/json_write.h"
#include "luo-top.h"
#include "render/json_tree.h"
#include "view/view.h"

#define JSON_EVENTS 1000 /* newest events per frame */

static void str_or_null(struct kt_json *j, const char *key, const char *s)
{
	if (s)
		kt_json_str(j, key, s);
	else
		kt_json_null(j, key);
}

static void num_or_null(struct kt_json *j, const char *key, int64_t v)
{
	if (v < 0)
		kt_json_null(j, key);
	else
		kt_json_i64(j, key, v);
}

static void tracing_obj(struct kt_json *j, const struct lt_frame *f)
{
	size_t attached = 0;
	int i;

	if (f->probes)
		for (i = 0; i < KT_FN_MAX; i++)
			attached += f->probes[i].attached;
	kt_json_obj_begin(j, "tracing");
	kt_json_bool(j, "active", f->tracing);
	str_or_null(j, "status", f->trace_status);
	kt_json_u64(j, "probes_attached", attached);
	kt_json_u64(j, "probes_total", KT_FN_MAX);
	kt_json_bool(j, "per_page", f->pages);
	kt_json_u64(j, "events", f->total_events);
	kt_json_u64(j, "events_dropped", f->dropped);
	kt_json_bool(j, "loading", f->loading);
	/* Milliseconds, as uptime_ms: from the start until the probes loaded in the background were on. */
	if (f->attached_after)
		kt_json_u64(j, "attached_after_ms", (uint64_t)(f->attached_after * 1000));
	else
		kt_json_null(j, "attached_after_ms");
	kt_json_obj_end(j);
}

static void event_fields(struct kt_json *j, const struct kt_event *e)
{
	const char *key = lt_event_name_key(e);

	kt_json_u64(j, "time_ns", e->ts_ns);
	kt_json_str(j, "function", e->fn < KT_FN_MAX ? kt_fn_info[e->fn].name : "?");
	kt_json_u64(j, "pid", e->pid);
	kt_json_u64(j, "tid", e->tid);
	kt_json_strn(j, "comm", e->comm, strnlen(e->comm, KT_COMM_LEN));
	if (key)
		kt_json_strn(j, key, e->name, strnlen(e->name, KT_NAME_LEN));
	if (e->handler[0])
		kt_json_strn(j, "handler", e->handler, strnlen(e->handler, KT_COMPAT_LEN));
	else
		kt_json_null(j, "handler");
	if (e->flags & KT_EV_TOKEN)
		kt_json_u64(j, "token", e->token);
	else
		kt_json_null(j, "token");
	kt_json_u64(j, "bytes", e->bytes);
	kt_json_u64(j, "kho_bytes", e->kho_bytes);
	kt_json_u64(j, "kho_calls", e->kho_calls);
	if (e->fn < KT_FN_MAX && kt_fn_info[e->fn].ret == KT_RET_INT)
		kt_json_i64(j, "ret", e->ret);
	else if (e->fn < KT_FN_MAX && kt_fn_info[e->fn].ret == KT_RET_PTR)
		kt_json_addr(j, "ret", e->ret);
	else
		kt_json_null(j, "ret");
	kt_json_bool(j, "error", e->flags & KT_EV_ERROR);
	if (e->flags & KT_EV_NOENTRY)
		kt_json_null(j, "latency_ns");
	else
		kt_json_u64(j, "latency_ns", e->lat_ns);
	if (e->flags & KT_EV_ADDR)
		kt_json_addr(j, "phys", e->addr);
	if (e->order)
		kt_json_u64(j, "order", e->order);
	if (e->name_kind == KT_NAME_SESSION || (e->flags & KT_EV_FLB))
		kt_json_u64(j, "files", e->nr);
	if (e->flags & KT_EV_FLB)
		kt_json_str(j, "flb_step", lt_flb_step(e));
}

static void op_obj(struct kt_json *j, const char *key, const struct kt_op_stat *o)
{
	kt_json_obj_begin(j, key);
	kt_json_u64(j, "count", o->count);
	kt_json_u64(j, "errors", o->errors);
	kt_json_u64(j, "bytes", o->bytes);
	kt_json_u64(j, "kho_bytes", o->kho_bytes);
	if (o->lat_n)
		kt_json_u64(j, "avg_latency_ns", o->lat_sum / o->lat_n);
	else
		kt_json_null(j, "avg_latency_ns");
	kt_json_obj_end(j);
}

/* A handler: its files and FLBs from the LUO state (null when unknown), its traced calls. */
static void handler_obj(struct kt_json *j, const struct lt_handler *x)
{
	const struct kt_handler_stat *h = x->traced;
	const char *p, *end;
	uint64_t n = 0;
	int k;

	kt_json_obj_begin(j, NULL);
	kt_json_str(j, "handler", x->name);
	num_or_null(j, "sessions", x->sessions);
	num_or_null(j, "files", x->files);
	num_or_null(j, "bytes", x->bytes);
	kt_json_arr_begin(j, "flbs");
	for (p = x->flbs; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ',');
		kt_json_strn(j, NULL, p, end - p);
	}
	kt_json_arr_end(j);
	if (!h) {
		kt_json_null(j, "ops");
		kt_json_obj_end(j);
		return;
	}
	kt_json_obj_begin(j, "ops");
	for (k = 0; k < KT_OP_NR; k++) {
		n += h->op[k].lat_n;
		if (h->op[k].count)
			op_obj(j, kt_op_name[k], &h->op[k]);
	}
	kt_json_obj_end(j);
	if (n) {
		kt_json_u64(j, "p50_ns", kt_hist_quantile(h->hist, 0.5));
		kt_json_u64(j, "p99_ns", kt_hist_quantile(h->hist, 0.99));
	}
	kt_json_obj_end(j);
}

/* An FLB as lib's LUO state holds it (kho-inspect global -J names the same fields). */
static void flb_obj(struct kt_json *j, const struct kt_luo_flb *x)
{
	size_t k;

	kt_json_obj_begin(j, NULL);
	kt_json_str(j, "name", x->name);
	kt_json_str(j, "direction", x->incoming ? "incoming" : "outgoing");
	kt_json_str(j, "state", kt_flb_state_name[x->state]);
	kt_json_addr(j, "data", x->data);
	kt_json_u64(j, "files", x->count);
	if (x->handed_over)
		kt_json_u64(j, "files_handed_over", x->handed_over_count);
	else
		kt_json_null(j, "files_handed_over");
	kt_json_bool(j, "object", x->object);
	kt_json_arr_begin(j, "handlers");
	for (k = 0; x->handlers && k <= x->handlers_len; k += strlen(x->handlers + k) + 1)
		kt_json_str(j, NULL, x->handlers + k);
	kt_json_arr_end(j);
	kt_json_obj_end(j);
}

void lt_json_frame(FILE *out, const struct lt_frame *f, const struct lt_opts *o)
{
	struct kt_json j;
	size_t i, first;
	int k;

	(void)o;
	kt_json_init(&j, out, false);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_u64(&j, "frame", f->seq);
	kt_json_i64(&j, "uptime_ms", (int64_t)(f->uptime * 1000));
	kt_json_u64(&j, "collect_us", (uint64_t)(f->collect_ms * 1000));
	tracing_obj(&j, f);
	/* The kernel's session lists changed on every read: the sessions are those of frame sessions_frame.
	 */
	kt_json_bool(&j, "sessions_changing", f->luo_changing);
	kt_json_u64(&j, "sessions_frame", f->luo_seq);

	kt_json_obj_begin(&j, "kho");
	kt_json_bool(&j, "available", f->snap != NULL);
	if (f->snap) {
		const struct kt_view_opts vo = {.mask = KT_VIEW_OUT | KT_VIEW_IN};
		struct kt_json_sink js;
		struct kt_state c;

		kt_json_obj_begin(&j, "source");
		kt_json_str(&j, "kind", kt_src_kind_name[f->snap->kind]);
		kt_json_str(&j, "path", f->snap->origin);
		str_or_null(&j, "kernel_release", f->snap->release);
		kt_json_obj_end(&j);
		kt_json_arr_begin(&j, "status");
		kt_json_sink_init(&js, &j, false);
		kt_state_init(&c, f->snap);
		kt_view_status(&c, &vo, &js.sink);
		kt_state_free(&c);
		kt_json_arr_end(&j);
		kt_json_arr_begin(&j, "blobs");
		for (i = 0; i < f->nr_blobs; i++) {
			kt_json_obj_begin(&j, NULL);
			kt_json_str(&j, "dir", f->blobs[i].dir);
			kt_json_str(&j, "name", f->blobs[i].name);
			kt_json_str(&j, "format", f->blobs[i].format);
			kt_json_u64(&j, "size", f->blobs[i].size);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
	} else {
		kt_json_str(&j, "error", f->kho_error);
	}
	kt_json_obj_end(&j);

	kt_json_arr_begin(&j, "sessions");
	for (i = 0; i < f->sessions.n; i++) {
		const struct lt_session *s = &f->sessions.v[i];

		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", s->name);
		num_or_null(&j, "pid", s->pid);
		str_or_null(&j, "comm", s->comm[0] ? s->comm : NULL);
		str_or_null(&j, "unit", s->unit);
		str_or_null(&j, "fdname", s->fdname);
		num_or_null(&j, "fd", s->fd);
		num_or_null(&j, "files", s->files);
		num_or_null(&j, "bytes", s->bytes);
		kt_json_str(&j, "state", s->state);
		num_or_null(&j, "calls", s->src & LT_SRC_BPF ? (int64_t)s->calls : -1);
		num_or_null(&j, "errors", s->src & LT_SRC_BPF ? (int64_t)s->errors : -1);
		kt_json_arr_begin(&j, "sources");
		if (s->src & LT_SRC_LUO)
			kt_json_str(&j, NULL, "luo");
		if (s->src & LT_SRC_BPF)
			kt_json_str(&j, NULL, "bpf");
		kt_json_arr_end(&j);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);

	kt_json_arr_begin(&j, "handlers");
	for (i = 0; i < f->handlers.n; i++)
		handler_obj(&j, &f->handlers.v[i]);
	kt_json_arr_end(&j);

	kt_json_arr_begin(&j, "flbs");
	for (i = 0; f->luo && i < f->luo->nr_flbs; i++)
		flb_obj(&j, &f->luo->flbs[i]);
	kt_json_arr_end(&j);

	kt_json_arr_begin(&j, "functions");
	for (k = 0; f->tracing && k < KT_FN_MAX; k++) {
		const struct kt_fn_stat *s = &f->fn[k];

		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "function", kt_fn_info[k].name);
		kt_json_str(&j, "probe",
			    f->probes && f->probes[k].attached ? kt_probe_kind_name(f->probes[k].kind)
							       : "off");
		kt_json_u64(&j, "count", s->count);
		kt_json_u64(&j, "errors", s->errors);
		kt_json_u64(&j, "bytes", s->bytes);
		kt_json_u64(&j, "kho_bytes", s->kho_bytes);
		if (s->lat_n) {
			kt_json_u64(&j, "avg_latency_ns", s->lat_sum / s->lat_n);
			kt_json_u64(&j, "max_latency_ns", s->lat_max);
			kt_json_u64(&j, "p99_latency_ns", kt_hist_quantile(s->hist, 0.99));
		}
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);

	kt_json_u64(&j, "new_events", f->new_events);
	kt_json_arr_begin(&j, "events");
	first = f->nr_events - (f->new_events < JSON_EVENTS ? f->new_events : JSON_EVENTS);
	for (i = first; i < f->nr_events; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "type", lt_event_is_flb_step(&f->events[i]) ? "flb_step" : "event");
		event_fields(&j, &f->events[i]);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

void lt_json_event(FILE *out, const struct kt_event *e)
{
	struct kt_json j;

	kt_json_init(&j, out, false);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_str(&j, "type", lt_event_is_flb_step(e) ? "flb_step" : "event");
	event_fields(&j, e);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

void lt_json_trace_summary(FILE *out, struct kt_trace *t, uint64_t events, uint64_t flb_steps)
{
	struct kt_fn_stat fn[KT_FN_MAX];
	struct kt_json j;
	int k;

	kt_trace_fn_totals(t, fn);
	kt_json_init(&j, out, false);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_str(&j, "type", "summary");
	kt_json_u64(&j, "events", events);
	kt_json_u64(&j, "flb_steps", flb_steps);
	kt_json_u64(&j, "events_dropped", kt_trace_dropped(t));
	kt_json_arr_begin(&j, "functions");
	for (k = 0; k < KT_FN_MAX; k++) {
		if (!fn[k].count)
			continue;
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "function", kt_fn_info[k].name);
		kt_json_u64(&j, "count", fn[k].count);
		kt_json_u64(&j, "errors", fn[k].errors);
		kt_json_u64(&j, "bytes", fn[k].bytes);
		kt_json_u64(&j, "kho_bytes", fn[k].kho_bytes);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

int lt_json_probes(FILE *out, struct kt_trace *t)
{
	const struct kt_probe *p;
	size_t i, n = kt_trace_probes(t, &p);
	struct kt_json j;

	kt_json_init(&j, out, false);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_bool(&j, "active", kt_trace_active(t));
	kt_json_str(&j, "status", kt_trace_status(t));
	kt_json_str(&j, "fentry", kt_trace_fentry_state(t));
	kt_json_str(&j, "kprobe", kt_trace_kprobe_state(t));
	kt_json_arr_begin(&j, "probes");
	for (i = 0; i < n; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "function", p[i].func);
		if (p[i].kind == KT_PROBE_OFF)
			kt_json_null(&j, "kind");
		else
			kt_json_str(&j, "kind", kt_probe_kind_name(p[i].kind));
		kt_json_bool(&j, "attached", p[i].attached);
		if (p[i].reason[0])
			kt_json_str(&j, "reason", p[i].reason);
		else
			kt_json_null(&j, "reason");
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
	return kt_trace_active(t) ? LT_EXIT_OK : LT_EXIT_CHECK;
}
