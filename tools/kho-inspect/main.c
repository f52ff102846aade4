// SPDX-License-Identifier: GPL-2.0-only
/*
 * kho-inspect: decode, save and compare the Kexec HandOver state in debugfs.
 * Options before the command apply to every command (-J -p -R -v); each command then
 * takes its own options, listed with its columns by `kho-inspect COMMAND --help`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kho-inspect.h"
#include "base/util.h"
#include "check/assert.h"
#include "check/compat.h"
#include "check/preflight.h"
#include "render/table.h"
#include "view/diff.h"

/* Option groups: which commands take an option. */
enum {
	G_COMMON = 1u << 0, /* every command */
	G_DIRS = 1u << 1,   /* --out, --in */
	G_BYTES = 1u << 2,  /* -r: the stored bytes of properties */
	G_TABLE = 1u << 3,  /* -o LIST, --output-all, -n, -r, -P, -b, -s */
	G_TREE = 1u << 4,   /* --list */
	G_FOLIOS = 1u << 5,
	G_RANGES = 1u << 6,
	G_SAVE = 1u << 7,  /* -o DEST, --manifest */
	G_OVI = 1u << 8,   /* --out-vs-in */
	G_WRITE = 1u << 9, /* --dry-run, --yes */
	G_LOSS = 1u << 10, /* --accept-loss, --target */
};

enum opt_id {
	O_JSON,
	O_PRETTY,
	O_ROOT,
	O_VERBOSE,
	O_HELP,
	O_OUT,
	O_IN,
	O_RAWBYTES,
	O_COLUMNS,
	O_OUTPUT_ALL,
	O_NOHEADINGS,
	O_RAW,
	O_PAIRS,
	O_BYTES,
	O_SORT,
	O_LIST,
	O_FOLIOS,
	O_RANGES,
	O_DEST,
	O_MANIFEST,
	O_OUT_VS_IN,
	O_DRY_RUN,
	O_YES,
	O_ACCEPT_LOSS,
	O_TARGET,
	O_NR
};

static const struct optdef {
	const char *name;
	int has_arg;
	char short_name; /* 0: long only */
	unsigned int groups;
	const char *arg, *help;
} optdefs[O_NR] = {
    [O_JSON] = {"json", no_argument, 'J', G_COMMON, NULL, "JSON output (schema_version 1)"},
    [O_PRETTY] = {"pretty", no_argument, 'p', G_COMMON, NULL, "indented JSON (implies --json)"},
    [O_ROOT] = {"root", required_argument, 'R', G_COMMON, "SRC",
		"a saved snapshot: DIR, FILE.tar[.gz|.xz|.zst], 'live'"},
    [O_VERBOSE] = {"verbose", no_argument, 'v', G_COMMON, NULL, "more detail"},
    [O_HELP] = {"help", no_argument, 'h', G_COMMON, NULL, "this help"},
    [O_OUT] = {"out", no_argument, 0, G_DIRS, NULL, "only the outgoing direction (kho/out)"},
    [O_IN] = {"in", no_argument, 0, G_DIRS, NULL, "only the incoming direction (kho/in)"},
    [O_RAWBYTES] = {"raw", no_argument, 'r', G_BYTES, NULL, "add the stored bytes of each property"},
    [O_COLUMNS] = {"output", required_argument, 'o', G_TABLE, "LIST",
		   "columns to print (+LIST adds to the defaults)"},
    [O_OUTPUT_ALL] = {"output-all", no_argument, 0, G_TABLE, NULL, "print every column"},
    [O_NOHEADINGS] = {"noheadings", no_argument, 'n', G_TABLE, NULL, "no heading line"},
    [O_RAW] = {"raw", no_argument, 'r', G_TABLE, NULL, "raw output: cells separated by spaces, escaped"},
    [O_PAIRS] = {"pairs", no_argument, 'P', G_TABLE, NULL, "KEY=\"value\" pairs"},
    [O_BYTES] = {"bytes", no_argument, 'b', G_TABLE, NULL, "sizes in bytes, not in human units"},
    [O_SORT] = {"sort", required_argument, 's', G_TABLE, "COLUMN", "sort the rows by COLUMN"},
    [O_LIST] = {"list", no_argument, 'l', G_TREE, NULL, "a flat list, not a tree"},
    [O_FOLIOS] = {"folios", no_argument, 0, G_FOLIOS, NULL, "every preserved memfd folio"},
    [O_RANGES] = {"ranges", no_argument, 0, G_RANGES, NULL, "every coalesced preserved range"},
    [O_DEST] = {"output", required_argument, 'o', G_SAVE, "DEST", "DIR, or FILE.tar[.gz|.xz|.zst]"},
    [O_MANIFEST] = {"manifest", required_argument, 0, G_SAVE, "FILE",
		    "what must survive the reboot (for verify)"},
    [O_OUT_VS_IN] = {"out-vs-in", no_argument, 0, G_OVI, NULL, "A's outgoing against B's incoming"},
    [O_DRY_RUN] = {"dry-run", no_argument, 0, G_WRITE, NULL, "say what would be written"},
    [O_YES] = {"yes", no_argument, 0, G_WRITE, NULL, "really write to the kernel"},
    [O_ACCEPT_LOSS] = {"accept-loss", required_argument, 0, G_LOSS, "UNIT[:FDNAME]",
		       "a systemd fd store entry whose loss is expected (repeatable)"},
    [O_TARGET] = {"target", required_argument, 0, G_LOSS, "IMAGE",
		  "also check the kernel image to be kexec'd (as compat)"},
};

#define G_VIEW	(G_COMMON | G_DIRS)
#define G_LISTS (G_VIEW | G_TABLE)

static const struct cmd {
	const char *name;
	int (*fn)(const struct opts *o, int argc, char **argv);
	kt_view_fn view;
	kt_rows_fn rows; /* the text output as a table (after the view's text with view_too) */
	bool view_too;
	const struct kt_table_def *table;
	unsigned int groups;
	const char *args;
	const char *help;
} cmds[] = {
    {"show", cmd_view, kt_view_tree, NULL, false, NULL, G_VIEW | G_BYTES, "",
     "both directions as a decoded tree (default)"},
    {"status", cmd_view, kt_view_status, kt_rows_blobs, true, &kt_blobs_table, G_LISTS, "",
     "one screen: enabled, directions, scratch, finalize control; the blobs"},
    {"sessions", cmd_view, kt_view_sessions, kt_rows_sessions, false, &kt_sessions_table,
     G_LISTS | G_TREE | G_FOLIOS, "", "LUO sessions and their files (outgoing, incoming)"},
    {"handlers", cmd_view, kt_view_handlers, kt_rows_handlers, false, &kt_handlers_table, G_LISTS, "",
     "per file handler: sessions, files, bytes, FLBs"},
    {"flbs", cmd_view, kt_view_flbs, kt_rows_flbs, false, &kt_flbs_table, G_LISTS, "",
     "LUO global state: every FLB, registered here or handed over"},
    {"global", cmd_view, kt_view_global, NULL, false, NULL, G_VIEW, "",
     "KHO and LUO totals: scratch, preserved memory, kexec, LUO"},
    {"mem", cmd_mem, kt_view_mem, NULL, false, NULL, G_VIEW | G_RANGES, "",
     "preserved memory: blocks by order, ranges, scratch/RAM checks"},
    {"save", cmd_save, NULL, NULL, false, NULL, G_COMMON | G_SAVE, "",
     "write a snapshot with a checksummed MANIFEST"},
    {"diff", cmd_diff, NULL, NULL, false, &kt_diff_table, G_LISTS | G_OVI, "A B",
     "compare two snapshots (live, DIR or FILE.tar)"},
    {"get", cmd_get, NULL, NULL, false, NULL, G_COMMON | G_BYTES, "PATH [PROP]",
     "one node or property of a blob, like fdtget"},
    {"assert", cmd_assert, NULL, NULL, false, &kt_assert_table, G_COMMON | G_TABLE, "EXPR...",
     "check predicates (session NAME files>=1, preserved>=1G, ...)"},
    {"preflight", cmd_preflight, NULL, NULL, false, &kt_checks_table, G_COMMON | G_TABLE | G_LOSS, "",
     "go/no-go checks of this system before a live-update reboot"},
    {"compat", cmd_compat, NULL, NULL, false, &kt_compat_table, G_COMMON | G_TABLE, "IMAGE",
     "will the kernel in IMAGE accept what this one hands over?"},
    {"verify", cmd_verify, NULL, NULL, false, NULL, G_COMMON, "FILE",
     "after the reboot: all in save --manifest FILE arrived?"},
    {"finalize", cmd_finalize, NULL, NULL, false, NULL, G_COMMON | G_WRITE, "",
     "6.16-6.19: write 1 to kho/out/finalize"},
    {"abort", cmd_abort, NULL, NULL, false, NULL, G_COMMON | G_WRITE, "",
     "6.16-6.18: write 0 to kho/out/finalize"},
    {"metrics", cmd_metrics, NULL, NULL, false, NULL, G_COMMON, "",
     "Prometheus text exposition (node_exporter textfile)"},
};

static void print_options(unsigned int groups, FILE *f)
{
	char left[64];
	size_t i;

	for (i = 0; i < O_NR; i++) {
		const struct optdef *d = &optdefs[i];

		if (!(d->groups & groups))
			continue;
		snprintf(left, sizeof(left), "%c%c%c --%s%s%s", d->short_name ? '-' : ' ',
			 d->short_name ? d->short_name : ' ', d->short_name ? ',' : ' ', d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-26s %s\n", left, d->help);
	}
}

static const char exit_status[] =
    "\nExit status: 0 ok, 1 a check failed (diff found differences, an assert or\n"
    "verify failed, preflight says no-go), 2 usage error or input that cannot be\n"
    "read or decoded (assert, verify, preflight: the state cannot be told).\n";

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: kho-inspect [OPTIONS] [COMMAND] [COMMAND OPTIONS] [ARGS]\n\n"
		   "Decode Kexec HandOver (KHO) and Live Update Orchestrator (LUO) state from\n"
		   "/sys/kernel/debug/kho, live or from a saved snapshot.\n\nCommands:\n");
	for (i = 0; i < KT_ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-9s %-11s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	fprintf(f, "\nOptions (every command; 'kho-inspect COMMAND --help' lists its own):\n");
	print_options(G_COMMON, f);
	fprintf(f, "  -V, --version              version\n\nOptions of show, also before it:\n");
	print_options(cmds[0].groups & ~G_COMMON, f);
	fprintf(f, "%s", exit_status);
}

static void cmd_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "Usage: kho-inspect %s [OPTIONS]%s%s\n\n%s.\n\nOptions:\n", c->name, *c->args ? " " : "",
		c->args, c->help);
	print_options(c->groups, f);
	if (c->table)
		kt_table_help(c->table->cols, c->table->ncols, c->table->defaults, f);
	fprintf(f, "%s", exit_status);
}

static const struct cmd *select_cmd(const char *name)
{
	const struct cmd *found = NULL;
	size_t i, n = strlen(name);

	for (i = 0; i < KT_ARRAY_SIZE(cmds); i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (!strncmp(cmds[i].name, name, n)) {
			if (found)
				return NULL; /* ambiguous prefix */
			found = &cmds[i];
		}
	}
	return found;
}

/* What -h, -V or a bad option asks of main: go on, or exit with this status. */
enum { PARSE_GO = -1 };

/*
 * Parse the options of groups into o (the getopt tables are built from optdefs), adding the
 * groups of those given to *used.
 */
static int parse(unsigned int groups, const struct cmd *c, int argc, char **argv, struct opts *o,
		 unsigned int *used)
{
	struct option longopts[O_NR + 2];
	enum opt_id ids[O_NR + 1];
	char shortopts[2 * O_NR + 3], *sp = shortopts;
	size_t i, n = 0;
	int ch;

	if (!c)
		*sp++ = '+'; /* the global options stop at the command */
	for (i = 0; i < O_NR; i++) {
		const struct optdef *d = &optdefs[i];

		if (!(d->groups & groups))
			continue;
		longopts[n] = (struct option){d->name, d->has_arg, NULL, (int)(256 + n)};
		ids[n++] = (enum opt_id)i;
		if (d->short_name) {
			*sp++ = d->short_name;
			if (d->has_arg)
				*sp++ = ':';
		}
	}
	if (!c) {
		longopts[n] = (struct option){"version", no_argument, NULL, 'V'};
		ids[n++] = O_NR;
		*sp++ = 'V';
	}
	*sp = '\0';
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		enum opt_id id = O_NR;

		if (ch >= 256) {
			id = ids[ch - 256];
		} else if (ch == 'V') {
			printf("kho-inspect %s\n", KT_VERSION);
			return KT_EXIT_OK;
		} else if (ch != '?') {
			for (i = 0; i < n && id == O_NR; i++)
				if (ids[i] < O_NR && optdefs[ids[i]].short_name == ch)
					id = ids[i];
		}
		if (id < O_NR)
			*used |= optdefs[id].groups;
		switch (id) {
		case O_JSON:
			o->json = true;
			break;
		case O_PRETTY:
			o->json = o->pretty = true;
			break;
		case O_ROOT:
			o->root = optarg;
			break;
		case O_VERBOSE:
			o->verbose = true;
			break;
		case O_HELP:
			if (c)
				cmd_usage(c, stdout);
			else
				usage(stdout);
			return KT_EXIT_OK;
		case O_OUT:
			o->dirs |= KT_VIEW_OUT;
			break;
		case O_IN:
			o->dirs |= KT_VIEW_IN;
			break;
		case O_RAWBYTES:
			o->raw = true;
			break;
		case O_COLUMNS:
			o->table.output = optarg;
			break;
		case O_OUTPUT_ALL:
			o->table.all = true;
			break;
		case O_NOHEADINGS:
			o->table.noheadings = true;
			break;
		case O_RAW:
			o->table.raw = true;
			break;
		case O_PAIRS:
			o->table.pairs = true;
			break;
		case O_BYTES:
			o->table.bytes = true;
			break;
		case O_SORT:
			o->table.sort = optarg;
			break;
		case O_LIST:
			o->table.list = true;
			break;
		case O_FOLIOS:
			o->folios = true;
			break;
		case O_RANGES:
			o->ranges = true;
			break;
		case O_DEST:
			o->output = optarg;
			break;
		case O_MANIFEST:
			o->manifest = optarg;
			break;
		case O_OUT_VS_IN:
			o->out_vs_in = true;
			break;
		case O_DRY_RUN:
			o->dry_run = true;
			break;
		case O_YES:
			o->yes = true;
			break;
		case O_ACCEPT_LOSS:
			o->accept_loss[o->nr_accept_loss++] = optarg;
			break;
		case O_TARGET:
			o->target = optarg;
			break;
		case O_NR:
			fprintf(stderr, "Try 'kho-inspect %s%s--help' for more information.\n",
				c ? c->name : "", c ? " " : "");
			return KT_EXIT_ERROR;
		}
	}
	return PARSE_GO;
}

/* The columns -o and -s name exist: said before anything is read. */
static int check_columns(const struct kt_table_def *def, const struct opts *o)
{
	struct kt_rows r;
	char err[256];
	int ret;

	kt_rows_init(&r, def);
	ret = kt_table_check(&r, &o->table, err, sizeof(err));
	if (ret)
		report_error(o, "%s", err);
	kt_rows_free(&r);
	return ret;
}

int main(int argc, char **argv)
{
	const char *accept_loss[argc > 0 ? argc : 1]; /* no more than the arguments */
	struct opts o = {.accept_loss = accept_loss};
	const struct cmd *cmd = &cmds[0]; /* show */
	unsigned int used = 0;
	char prog[64];
	int ret;

	/* Before a command: every command's options, and show's (the command without a name). */
	ret = parse(cmd->groups, NULL, argc, argv, &o, &used);
	if (ret != PARSE_GO)
		return ret;
	if (optind < argc) {
		cmd = select_cmd(argv[optind]);
		if (!cmd) {
			report_error(&o, "unknown or ambiguous command '%s' (see --help)", argv[optind]);
			return KT_EXIT_ERROR;
		}
		/*
		 * The command's own options, after its name; getopt restarts on the rest, and
		 * names "kho-inspect COMMAND" in its messages.
		 */
		argc -= optind;
		argv += optind;
		optind = 0;
		snprintf(prog, sizeof(prog), "kho-inspect %s", cmd->name);
		argv[0] = prog;
		if (used & ~cmd->groups) {
			report_error(&o,
				     "%s does not take the options of show given before it (see %s --help)",
				     cmd->name, cmd->name);
			return KT_EXIT_ERROR;
		}
		ret = parse(cmd->groups, cmd, argc, argv, &o, &used);
		if (ret != PARSE_GO)
			return ret;
	} else {
		optind = argc;
	}
	if (!o.dirs)
		o.dirs = KT_VIEW_OUT | KT_VIEW_IN;
	if (cmd->table && !o.json && check_columns(cmd->table, &o))
		return KT_EXIT_ERROR;
	o.view = cmd->view;
	o.rows = cmd->rows;
	o.view_too = cmd->view_too;
	return cmd->fn(&o, argc - optind, argv + optind);
}
