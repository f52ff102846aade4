// SPDX-License-Identifier: GPL-2.0-only
/* Every read-only view command: load the snapshot, run the view, render it. */
#include <stdio.h>

#include "kho-inspect.h"
#include "render/json_tree.h"
#include "render/text.h"
#include "base/util.h"

static void text_header(const struct kt_snapshot *s)
{
	printf("# %s %s", kt_src_kind_name[s->kind], s->origin);
	if (s->release)
		printf(", kernel %s", s->release);
	if (s->taken)
		printf(", taken %s", s->taken);
	printf("\n");
}

static int rows_out(const struct opts *o, struct kt_state *c, const struct kt_view_opts *vo)
{
	struct kt_rows r;
	int ret;

	o->rows(c, vo, &r);
	ret = print_rows(o, &r);
	kt_rows_free(&r);
	return ret;
}

int run_view(const struct opts *o, int argc, char **argv,
	     int (*prepare)(const struct opts *o, struct kt_state *c))
{
	struct kt_snapshot s;
	struct kt_sink *sink;
	struct kt_text_sink t;
	struct kt_json_sink js;
	struct kt_json j;
	struct kt_state c;
	const struct kt_view_opts vo = {
	    .mask = o->dirs, .raw = o->raw, .folios = o->folios, .ranges = o->ranges};
	int ret;

	if (argc) {
		report_error(o, "unexpected argument '%s'", argv[0]);
		return KT_EXIT_ERROR;
	}
	if (load_snapshot(o, o->root, &s))
		return KT_EXIT_ERROR;
	kt_state_init(&c, &s);
	if (prepare && prepare(o, &c)) {
		kt_state_free(&c);
		kt_snapshot_free(&s);
		return KT_EXIT_ERROR;
	}
	if (o->rows && !o->json && !o->view_too) {
		ret = rows_out(o, &c, &vo);
		goto out;
	}
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
	o->view(&c, &vo, sink);
	if (o->json) {
		kt_json_arr_end(&j);
		kt_json_u64(&j, "errors", sink->errors);
		kt_json_obj_end(&j);
		kt_json_finish(&j);
	}
	if (sink->errors)
		kt_errmsg("%s%s", sink->first_error,
			  sink->errors > 1 ? " (and more errors in the output)" : "");
	ret = sink->errors ? KT_EXIT_ERROR : KT_EXIT_OK;
	if (o->rows && !o->json) {
		printf("\n");
		ret = rows_out(o, &c, &vo) ?: ret;
	}
out:
	kt_state_free(&c);
	kt_snapshot_free(&s);
	return ret;
}

int cmd_view(const struct opts *o, int argc, char **argv)
{
	return run_view(o, argc, argv, NULL);
}
