// SPDX-License-Identifier: GPL-2.0-only
/* handlers: per file handler, its sessions, files and bytes; FLBs. */
#include "base/util.h"
#include "view/view.h"

void kt_view_handlers(struct kt_state *st, const struct kt_view_opts *o, struct kt_sink *s)
{
	const struct kt_luo_state *luo = kt_state_luo(st);
	const struct kt_luo_handler *h;
	size_t n, i;

	(void)o;
	kt_view_luo_sources(luo, s);
	h = kt_state_handlers(st, &n);
	for (i = 0; i < n; i++) {
		char flbs[1024];
		struct kt_val v = {.type = KT_V_STRLIST, .s = flbs};

		kt_node_begin(s, h[i].name, NULL, NULL);
		kt_field_u64(s, "sessions", h[i].sessions);
		kt_field_u64(s, "files_outgoing", h[i].files[KT_OUT]);
		kt_field_size(s, "bytes_outgoing", h[i].bytes[KT_OUT]);
		kt_field_u64(s, "files_incoming", h[i].files[KT_IN]);
		kt_field_size(s, "bytes_incoming", h[i].bytes[KT_IN]);
		v.n = kt_luo_handler_flbs(luo, h[i].name, false, flbs, sizeof(flbs));
		kt_field(s, "flbs", &v);
		v.n = kt_luo_handler_flbs(luo, h[i].name, true, flbs, sizeof(flbs));
		kt_field(s, "flbs_incoming", &v);
		kt_node_end(s);
	}
	kt_view_flbs_node(st, s);
}

static const struct kt_colspec handler_cols[] = {
    {"HANDLER", "file handler compatible", 0},
    {"SESSIONS", "sessions with a file of it", KT_COL_NUM},
    {"FILES_OUT", "outgoing files", KT_COL_NUM},
    {"SIZE_OUT", "their bytes", KT_COL_SIZE},
    {"FILES_IN", "incoming files (handed over)", KT_COL_NUM},
    {"SIZE_IN", "their bytes", KT_COL_SIZE},
    {"FLBS", "FLBs registered with it", KT_COL_TRUNC},
    {"FLBS_IN", "FLBs handed over to it", KT_COL_TRUNC},
};
const struct kt_table_def kt_handlers_table = {handler_cols, KT_ARRAY_SIZE(handler_cols),
					       "HANDLER,SESSIONS,FILES_OUT,SIZE_OUT,FILES_IN,SIZE_IN,FLBS"};

void kt_rows_handlers(struct kt_state *st, const struct kt_view_opts *o, struct kt_rows *r)
{
	const struct kt_luo_state *luo = kt_state_luo(st);
	const struct kt_luo_handler *h;
	size_t n, i;

	(void)o;
	kt_rows_init(r, &kt_handlers_table);
	kt_rows_luo_notes(luo, r);
	h = kt_state_handlers(st, &n);
	for (i = 0; i < n; i++) {
		size_t row = kt_rows_add(r, KT_ROW_NONE);

		kt_rows_str(r, row, "HANDLER", "%s", h[i].name);
		kt_rows_u64(r, row, "SESSIONS", h[i].sessions);
		kt_rows_u64(r, row, "FILES_OUT", h[i].files[KT_OUT]);
		kt_rows_size(r, row, "SIZE_OUT", h[i].bytes[KT_OUT]);
		kt_rows_u64(r, row, "FILES_IN", h[i].files[KT_IN]);
		kt_rows_size(r, row, "SIZE_IN", h[i].bytes[KT_IN]);
		kt_rows_handler_flbs(luo, h[i].name, false, r, row, "FLBS");
		kt_rows_handler_flbs(luo, h[i].name, true, r, row, "FLBS_IN");
	}
}
