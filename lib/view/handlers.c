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
		kt_node_begin(s, h[i].name, NULL, NULL);
		kt_field_u64(s, "sessions", h[i].sessions);
		kt_field_u64(s, "files_outgoing", h[i].files[KT_OUT]);
		kt_field_size(s, "bytes_outgoing", h[i].bytes[KT_OUT]);
		kt_field_u64(s, "files_incoming", h[i].files[KT_IN]);
		kt_field_size(s, "bytes_incoming", h[i].bytes[KT_IN]);
		kt_node_end(s);
	}
	kt_node_begin(s, "flbs", NULL, NULL);
	kt_field_u64(s, "count", luo->nr_flbs);
	for (i = 0; i < luo->nr_flbs; i++) {
		kt_node_begin(s, luo->flbs[i].name, NULL, NULL);
		kt_field_str(s, "direction", luo->flbs[i].incoming ? "incoming" : "outgoing");
		kt_field_addr(s, "data", luo->flbs[i].data);
		kt_field_u64(s, "files", luo->flbs[i].count);
		kt_node_end(s);
	}
	kt_node_end(s);
}
