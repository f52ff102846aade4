// SPDX-License-Identifier: GPL-2.0-only
/* kho-inspect: decode, save and compare the Kexec HandOver state in debugfs. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kho-inspect.h"
#include "base/util.h"
#include "view/view.h"

static const struct cmd {
	const char *name;
	int (*fn)(const struct opts *o, int argc, char **argv);
	kt_view_fn view;
	const char *args;
	const char *help;
} cmds[] = {
    {"show", cmd_view, kt_view_tree, "", "both directions as a decoded tree (default)"},
    {"status", cmd_view, kt_view_status, "", "one screen: enabled, directions, scratch, finalize control"},
    {"sessions", cmd_view, kt_view_sessions, "[--folios]",
     "LUO sessions, owners and files (outgoing, incoming)"},
    {"handlers", cmd_view, kt_view_handlers, "", "per file handler: sessions, files, bytes; FLBs"},
    {"global", cmd_view, kt_view_global, "", "KHO and LUO totals: scratch, preserved memory, kexec, LUO"},
    {"mem", cmd_mem, kt_view_mem, "[--ranges]",
     "preserved memory: blocks by order, ranges, scratch/RAM checks"},
    {"save", cmd_save, NULL, "[-o DIR|FILE.tar]", "write a snapshot with a checksummed MANIFEST"},
    {"diff", cmd_diff, NULL, "A B", "compare two snapshots (live, DIR or FILE.tar)"},
    {"get", cmd_get, NULL, "PATH [PROP]", "one node or property of a blob, like fdtget"},
    {"assert", cmd_assert, NULL, "EXPR...", "check predicates (session NAME files>=1, preserved>=1G, ...)"},
    {"preflight", cmd_preflight, NULL, "[--accept-loss UNIT[:FDNAME]]... [--target IMAGE]",
     "go/no-go checks of this system before a live-update reboot"},
    {"compat", cmd_compat, NULL, "IMAGE", "will the kernel in IMAGE accept what this one hands over?"},
    {"verify", cmd_verify, NULL, "FILE", "after the reboot: all in save --manifest FILE arrived?"},
    {"finalize", cmd_finalize, NULL, "[--dry-run|--yes]", "6.16-6.19: write 1 to kho/out/finalize"},
    {"abort", cmd_abort, NULL, "[--dry-run|--yes]", "6.16-6.18: write 0 to kho/out/finalize"},
    {"metrics", cmd_metrics, NULL, "", "Prometheus text exposition (node_exporter textfile)"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: kho-inspect [OPTIONS] [COMMAND] [ARGS]\n\n"
		   "Decode Kexec HandOver (KHO) and Live Update Orchestrator (LUO) state from\n"
		   "/sys/kernel/debug/kho, live or from a saved snapshot.\n\nCommands:\n");
	for (i = 0; i < KT_ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-9s %-18s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	fprintf(f, "\nOptions:\n"
		   "  -J, --json          JSON output (schema_version 1)\n"
		   "  -p, --pretty        indented JSON (implies --json)\n"
		   "  -R, --root SRC      read a saved snapshot: DIR, FILE.tar, or 'live'\n"
		   "      --out           only the outgoing direction (kho/out)\n"
		   "      --in            only the incoming direction (kho/in)\n"
		   "  -r, --raw           add the stored bytes of each property\n"
		   "  -o, --output PATH   where save writes (DIR, or FILE.tar)\n"
		   "      --out-vs-in     diff: A's out against B's in\n"
		   "      --folios        sessions: every preserved memfd folio\n"
		   "      --ranges        mem: every coalesced preserved range\n"
		   "      --manifest FILE save: write what must survive the reboot (for verify)\n"
		   "      --dry-run       finalize, abort: say what would be written\n"
		   "      --yes           finalize, abort: really write to the kernel\n"
		   "      --target IMAGE  preflight: also check the kernel image to be kexec'd\n"
		   "  -v, --verbose       more detail\n"
		   "  -h, --help          this help\n"
		   "  -V, --version       version\n"
		   "\nExit status: 0 ok, 1 a check failed (diff found differences, an assert or\n"
		   "verify failed, preflight says no-go), 2 usage error or input that cannot be\n"
		   "read or decoded (assert, verify, preflight: the state cannot be told).\n");
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

int main(int argc, char **argv)
{
	enum {
		OPT_OUT = 256,
		OPT_IN,
		OPT_OUT_VS_IN,
		OPT_FOLIOS,
		OPT_RANGES,
		OPT_MANIFEST,
		OPT_DRY_RUN,
		OPT_YES,
		OPT_ACCEPT_LOSS,
		OPT_TARGET
	};
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'J'},
	    {"pretty", no_argument, NULL, 'p'},
	    {"root", required_argument, NULL, 'R'},
	    {"out", no_argument, NULL, OPT_OUT},
	    {"in", no_argument, NULL, OPT_IN},
	    {"raw", no_argument, NULL, 'r'},
	    {"output", required_argument, NULL, 'o'},
	    {"out-vs-in", no_argument, NULL, OPT_OUT_VS_IN},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"folios", no_argument, NULL, OPT_FOLIOS},
	    {"ranges", no_argument, NULL, OPT_RANGES},
	    {"manifest", required_argument, NULL, OPT_MANIFEST},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"yes", no_argument, NULL, OPT_YES},
	    {"accept-loss", required_argument, NULL, OPT_ACCEPT_LOSS},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {NULL, 0, NULL, 0},
	};
	const char *accept_loss[argc > 0 ? argc : 1]; /* no more than the arguments */
	struct opts o = {.accept_loss = accept_loss};
	const struct cmd *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "JpR:ro:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			o.json = true;
			break;
		case 'p':
			o.json = o.pretty = true;
			break;
		case 'R':
			o.root = optarg;
			break;
		case OPT_OUT:
			o.dirs |= KT_VIEW_OUT;
			break;
		case OPT_IN:
			o.dirs |= KT_VIEW_IN;
			break;
		case 'r':
			o.raw = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_OUT_VS_IN:
			o.out_vs_in = true;
			break;
		case OPT_FOLIOS:
			o.folios = true;
			break;
		case OPT_RANGES:
			o.ranges = true;
			break;
		case OPT_MANIFEST:
			o.manifest = optarg;
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case OPT_YES:
			o.yes = true;
			break;
		case OPT_ACCEPT_LOSS:
			accept_loss[o.nr_accept_loss++] = optarg;
			break;
		case OPT_TARGET:
			o.target = optarg;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return KT_EXIT_OK;
		case 'V':
			printf("kho-inspect %s\n", KT_VERSION);
			return KT_EXIT_OK;
		default:
			fprintf(stderr, "Try 'kho-inspect --help' for more information.\n");
			return KT_EXIT_ERROR;
		}
	}
	if (!o.dirs)
		o.dirs = KT_VIEW_OUT | KT_VIEW_IN;
	if (optind >= argc) {
		o.view = kt_view_tree;
		return cmd_view(&o, 0, argv + optind);
	}
	cmd = select_cmd(argv[optind]);
	if (!cmd) {
		report_error(&o, "unknown or ambiguous command '%s' (see --help)", argv[optind]);
		return KT_EXIT_ERROR;
	}
	o.view = cmd->view;
	return cmd->fn(&o, argc - optind - 1, argv + optind + 1);
}
