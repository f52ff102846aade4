// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "kho-inspect.h"
#include "render.h"
#include "view.h"

static void text_header(const struct kt_snapshot *s)
{
	static const char *const kind[] = { "live", "saved directory", "saved tarball" };

	printf("# %s %s", kind[s->kind], s->origin);
	if (s->release)
		printf(", kernel %s", s->release);
	if (s->taken)
		printf(", taken %s", s->taken);
	printf("\n");
}

/* show and status share everything but the view. */
static int run_view(const struct opts *o, int argc, bool status)
{
	struct kt_snapshot s;
	struct kt_sink *sink;
	struct kt_text_sink t;
	struct kt_json_sink js;
	struct kt_json j;

	if (argc) {
		report_error(o, "%s takes no arguments", status ? "status" : "show");
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, o->root, &s))
		return KT_EXIT_ERROR;
	if (o->json) {
		json_begin(&j, o, &s);
		kt_json_arr_begin(&j, "tree");
		kt_json_sink_init(&js, &j, o->raw);
		sink = &js.sink;
	} else {
		text_header(&s);
		kt_text_sink_init(&t, stdout, o->raw);
		sink = &t.sink;
	}
	if (status)
		kt_view_status(&s, sink);
	else
		kt_view_tree(&s, o->dirs, o->raw, sink);
	if (o->json) {
		kt_json_arr_end(&j);
		kt_json_u64(&j, "errors", sink->errors);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	}
	kt_snapshot_free(&s);
	return sink->errors ? KT_EXIT_ERROR : KT_EXIT_OK;
}

int cmd_show(const struct opts *o, int argc, char **argv)
{
	(void)argv;
	return run_view(o, argc, false);
}

int cmd_status(const struct opts *o, int argc, char **argv)
{
	(void)argv;
	return run_view(o, argc, true);
}
