// SPDX-License-Identifier: GPL-2.0-only
/* luo-top: a top for Live Update sessions, file handlers, KHO state and KHO/LUO calls. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_write.h"
#include "luo-top.h"
#include "base/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: luo-top [OPTIONS]\n\n"
		"Live view of Live Update Orchestrator (LUO) sessions, file handlers, Kexec\n"
		"HandOver (KHO) state and the KHO/LUO calls the kernel makes (BPF tracing).\n\n"
		"Modes:\n"
		"  (default)           full screen: views Sessions, Handlers, Global, Events\n"
		"  -b, --batch         plain text frames, like top -b\n"
		"      --trace         one line per traced call, until SIGINT/SIGTERM\n"
		"      --probes        every probe: attached or not, and why\n"
		"      --leftovers     BPF programs in the kernel; exit 1 if any of luo-top's remain\n"
		"\nOptions:\n"
		"  -d, --delay SECS    seconds between frames (default 1)\n"
		"  -n, --iterations N  stop after N frames\n"
		"  -J, --json          JSON: one object per frame or per call (NDJSON), schema_version 1\n"
		"  -R, --root SRC      KHO state from a saved snapshot (DIR or FILE.tar) instead of debugfs\n"
		"      --pid PID       trace only the calls of this process\n"
		"      --no-bpf        no tracing: debugfs and /proc data only\n"
		"      --kprobe        trace with kprobes even where fentry works\n"
		"      --pages         also trace every folio and page range (slows large preserves)\n"
		"      --no-color      no colors (also when NO_COLOR is set)\n"
		"  -v, --verbose       libbpf's messages on standard error\n"
		"  -h, --help          this help\n"
		"  -V, --version       version\n"
		"\nKeys: Tab or 1-4 switch views, s sort column, r reverse, / filter, p pause,\n"
		"h or ? help, q quit.\n"
		"\nExit status: 0 ok, 1 tracing unavailable (--trace, --probes) or luo-top programs\n"
		"left in the kernel (--leftovers), 2 usage error or no KHO in this kernel.\n");
}

static void error_out(const struct lt_opts *o, const char *msg)
{
	kt_errmsg("%s", msg);
	if (o->json)
		kt_json_error(stdout, msg);
}

static void wait_until(struct lt_src *src, double deadline)
{
	double left;

	while (!lt_exiting && (left = deadline - lt_now()) > 0)
		lt_src_wait(src, left > 0.2 ? 200 : (int)(left * 1000) + 1);
}

static int run_batch(struct lt_src *src, const struct lt_opts *o)
{
	struct lt_frame f = {0};
	double next = lt_now();
	long i;

	for (i = 0; !lt_exiting && (!o->frames || i < o->frames); i++) {
		if (i) {
			next += o->delay;
			wait_until(src, next);
			if (lt_exiting)
				break;
		}
		lt_src_collect(src, &f);
		if (f.luo_changing)
			kt_errmsg("frame %ld: %s", i + 1, f.luo_changing_note);
		if (o->json)
			lt_json_frame(stdout, &f, o);
		else
			lt_text_frame(stdout, &f, o);
	}
	lt_frame_free(&f);
	return LT_EXIT_OK;
}

struct trace_out {
	const struct lt_opts *o;
	uint64_t n, steps; /* calls, FLB steps */
};

static void print_event(void *ctx, const struct kt_event *e)
{
	struct trace_out *t = ctx;

	if (lt_event_is_flb_step(e))
		t->steps++;
	else
		t->n++;
	if (t->o->json)
		lt_json_event(stdout, e);
	else
		lt_text_event(stdout, e);
}

static int run_trace(struct lt_src *src, const struct lt_opts *o)
{
	struct kt_trace *t = lt_src_trace(src);
	struct trace_out out = {.o = o};
	double secs[3];
	char msg[600];

	if (!kt_trace_active(t)) {
		snprintf(msg, sizeof(msg), "tracing %s", t ? kt_trace_status(t) : "off: disabled (--no-bpf)");
		error_out(o, msg);
		return LT_EXIT_CHECK;
	}
	kt_trace_timing(t, &secs[0], &secs[1], &secs[2]);
	kt_errmsg("probes decided in %.2f s, loaded in %.2f s, attached in %.2f s", secs[0], secs[1],
		  secs[2]);
	/* Said once tracing is live: scripts wait for this line before starting work. */
	kt_errmsg("tracing %s", kt_trace_status(t));
	if (!o->json)
		lt_text_trace_header(stdout);
	lt_src_on_event(src, print_event, &out);
	while (!lt_exiting) {
		lt_src_wait(src, 200);
		fflush(stdout);
	}
	lt_src_consume(src);
	if (o->json)
		lt_json_trace_summary(stdout, t, out.n, out.steps);
	fflush(stdout);
	return LT_EXIT_OK;
}

static int run_probes(struct lt_src *src, const struct lt_opts *o)
{
	struct kt_trace *t = lt_src_trace(src);

	if (!t) {
		error_out(o, "tracing off: disabled (--no-bpf)");
		return LT_EXIT_CHECK;
	}
	return o->json ? lt_json_probes(stdout, t) : lt_text_probes(stdout, t);
}

static int run_leftovers(const struct lt_opts *o)
{
	struct kt_bpf_prog *v = NULL;
	size_t n = 0, i, ours = 0;
	char msg[256];
	int err = kt_trace_list_progs(&v, &n);

	if (err) {
		snprintf(msg, sizeof(msg), "cannot list BPF programs: %s", strerror(-err));
		error_out(o, msg);
		return LT_EXIT_ERROR;
	}
	for (i = 0; i < n; i++)
		ours += v[i].ours;
	if (o->json) {
		struct kt_json j;

		kt_json_init(&j, stdout, false);
		kt_json_obj_begin(&j, NULL);
		kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
		kt_json_u64(&j, "programs", n);
		kt_json_u64(&j, "luo_top_programs", ours);
		kt_json_arr_begin(&j, "list");
		for (i = 0; i < n; i++) {
			kt_json_obj_begin(&j, NULL);
			kt_json_u64(&j, "id", v[i].id);
			kt_json_str(&j, "type", v[i].type);
			kt_json_str(&j, "name", v[i].name);
			kt_json_bool(&j, "luo_top", v[i].ours);
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	} else {
		printf("%-6s %-14s %-16s %s\n", "ID", "TYPE", "NAME", "LUO-TOP");
		for (i = 0; i < n; i++)
			printf("%-6u %-14s %-16s %s\n", v[i].id, v[i].type, v[i].name,
			       v[i].ours ? "yes" : "no");
		printf("%zu programs, %zu of luo-top\n", n, ours);
	}
	free(v);
	return ours ? LT_EXIT_CHECK : LT_EXIT_OK;
}

static int parse_opts(int argc, char **argv, struct lt_opts *o)
{
	enum {
		OPT_TRACE = 256,
		OPT_PROBES,
		OPT_LEFTOVERS,
		OPT_PID,
		OPT_NO_BPF,
		OPT_KPROBE,
		OPT_PAGES,
		OPT_NO_COLOR
	};
	static const struct option longopts[] = {
	    {"batch", no_argument, NULL, 'b'},
	    {"trace", no_argument, NULL, OPT_TRACE},
	    {"probes", no_argument, NULL, OPT_PROBES},
	    {"leftovers", no_argument, NULL, OPT_LEFTOVERS},
	    {"delay", required_argument, NULL, 'd'},
	    {"iterations", required_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'J'},
	    {"root", required_argument, NULL, 'R'},
	    {"pid", required_argument, NULL, OPT_PID},
	    {"no-bpf", no_argument, NULL, OPT_NO_BPF},
	    {"kprobe", no_argument, NULL, OPT_KPROBE},
	    {"pages", no_argument, NULL, OPT_PAGES},
	    {"no-color", no_argument, NULL, OPT_NO_COLOR},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	int c, modes;

	o->delay = 1.0;
	while ((c = getopt_long(argc, argv, "bd:n:JR:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->batch = true;
			break;
		case OPT_TRACE:
			o->trace = true;
			break;
		case OPT_PROBES:
			o->probes = true;
			break;
		case OPT_LEFTOVERS:
			o->leftovers = true;
			break;
		case 'd':
			errno = 0;
			o->delay = strtod(optarg, &end);
			if (errno || *end || !isfinite(o->delay) || o->delay < 0.05 || o->delay > 86400) {
				kt_errmsg("-d %s: seconds between 0.05 and 86400", optarg);
				return -1;
			}
			break;
		case 'n':
			errno = 0;
			o->frames = strtol(optarg, &end, 10);
			if (errno || *end || o->frames < 1) {
				kt_errmsg("-n %s: a number of frames, at least 1", optarg);
				return -1;
			}
			break;
		case 'J':
			o->json = true;
			break;
		case 'R':
			o->root = optarg;
			break;
		case OPT_PID: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 0x7fffffff) {
				kt_errmsg("--pid %s: a process id", optarg);
				return -1;
			}
			o->pid = v;
			break;
		}
		case OPT_NO_BPF:
			o->no_bpf = true;
			break;
		case OPT_KPROBE:
			o->force_kprobe = true;
			break;
		case OPT_PAGES:
			o->pages = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(LT_EXIT_OK);
		case 'V':
			printf("luo-top %s\n", KT_VERSION);
			exit(LT_EXIT_OK);
		default:
			return -1;
		}
	}
	if (optind < argc) {
		kt_errmsg("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	modes = o->batch + o->trace + o->probes + o->leftovers;
	if (modes > 1) {
		kt_errmsg("-b, --trace, --probes and --leftovers exclude each other");
		return -1;
	}
	if (o->json && !modes) {
		kt_errmsg("-J needs -b, --trace, --probes or --leftovers");
		return -1;
	}
	if (o->no_bpf && (o->trace || o->probes)) {
		kt_errmsg("--no-bpf leaves --trace and --probes nothing to do");
		return -1;
	}
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o->no_color = true;
	return 0;
}

int main(int argc, char **argv)
{
	struct lt_opts o = {0};
	struct lt_src *src;
	int rc, links;

	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr, "Try 'luo-top --help' for more information.\n");
		return LT_EXIT_ERROR;
	}
	if (o.leftovers)
		return run_leftovers(&o);
	if (!o.batch && !o.trace && !o.probes && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		kt_errmsg("the full screen needs a terminal: use -b for batch frames");
		return LT_EXIT_ERROR;
	}
	lt_install_signals(!o.batch && !o.trace && !o.probes);
	rc = lt_src_open(&o, &src);
	if (rc)
		return rc;
	if (o.probes)
		rc = run_probes(src, &o);
	else if (o.trace)
		rc = run_trace(src, &o);
	else if (o.batch)
		rc = run_batch(src, &o);
	else
		rc = lt_tui_run(src, &o);
	lt_src_close(src, &links);
	if (o.trace && rc == LT_EXIT_OK)
		kt_errmsg("detached %d links", links);
	return rc;
}
