// SPDX-License-Identifier: GPL-2.0-only
/* handlers: per file handler, its sessions, files and bytes; FLBs. */
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
