// SPDX-License-Identifier: GPL-2.0-only
/* metrics: Prometheus text exposition of one snapshot's state (see metrics.h). */
#include "check/metrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "base/util.h"
#include "model/facts.h"

/*
 * Names follow Prometheus' conventions: the kho_ prefix, base units (_bytes),
 * _total on counters, one HELP and TYPE line before a family's samples, every
 * series once, label values escaped (backslash, double quote, newline).
 */
static void m_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void m_label_value(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

/* name{k1="v1",k2="v2"} value; labels as NULL-terminated key, value pairs. */
static void m_sample(FILE *f, const char *name, uint64_t v, ...)
{
	const char *k;
	bool first = true;
	va_list ap;

	fputs(name, f);
	va_start(ap, v);
	while ((k = va_arg(ap, const char *))) {
		fprintf(f, "%c%s=", first ? '{' : ',', k);
		m_label_value(f, va_arg(ap, const char *));
		first = false;
	}
	va_end(ap);
	fprintf(f, "%s %" PRIu64 "\n", first ? "" : "}", v);
}

/* Each series once: the first FLB of a name in a direction. */
static bool first_flb(const struct kt_luo_state *st, size_t i)
{
	return kt_luo_find_flb(st, st->flbs[i].name, st->flbs[i].incoming) == &st->flbs[i];
}

static void m_luo(FILE *f, struct kt_state *c, const struct kt_luo_state *st)
{
	uint64_t n[KT_SESS_NR_STATES] = {0};
	const struct kt_luo_handler *h;
	size_t nh, i;
	int d;

	for (i = 0; i < st->nr_sessions; i++)
		n[st->sessions[i].state]++;
	m_family(f, "kho_luo_sessions", "gauge", "LUO sessions by state.");
	for (i = 0; i < KT_SESS_NR_STATES; i++)
		m_sample(f, "kho_luo_sessions", n[i], "state", kt_sess_state_name[i], NULL);
	h = kt_state_handlers(c, &nh);
	m_family(f, "kho_luo_files", "gauge", "Preserved files per file handler and direction.");
	for (i = 0; i < nh; i++)
		for (d = 0; d < KT_NR_DIRS; d++)
			m_sample(f, "kho_luo_files", h[i].files[d], "handler", h[i].name, "direction",
				 kt_dirn_name[d], NULL);
	m_family(f, "kho_luo_file_bytes", "gauge",
		 "Bytes of preserved files per file handler and direction.");
	for (i = 0; i < nh; i++)
		for (d = 0; d < KT_NR_DIRS; d++)
			m_sample(f, "kho_luo_file_bytes", h[i].bytes[d], "handler", h[i].name, "direction",
				 kt_dirn_name[d], NULL);
	m_family(f, "kho_luo_flbs", "gauge", "LUO file-lifecycle-bound global objects, both directions.");
	m_sample(f, "kho_luo_flbs", st->nr_flbs, NULL);
	m_family(f, "kho_luo_flb_files", "gauge", "Files depending on each FLB, per direction.");
	for (i = 0; i < st->nr_flbs; i++)
		if (first_flb(st, i))
			m_sample(f, "kho_luo_flb_files", st->flbs[i].count, "flb", st->flbs[i].name,
				 "direction", st->flbs[i].incoming ? "in" : "out", NULL);
	m_family(f, "kho_luo_flb_state", "gauge", "Each FLB's state (1), per direction.");
	for (i = 0; i < st->nr_flbs; i++)
		if (first_flb(st, i))
			m_sample(f, "kho_luo_flb_state", 1, "flb", st->flbs[i].name, "direction",
				 st->flbs[i].incoming ? "in" : "out", "state",
				 kt_flb_state_name[st->flbs[i].state], NULL);
}

void kt_metrics_write(FILE *f, struct kt_state *c)
{
	const struct kt_snapshot *s = c ? c->snap : NULL;
	const struct kt_luo_state *st;
	const struct kt_areas *areas;
	uint64_t v;
	enum kt_dirn dir;
	size_t i;
	char why[512];
	int d;

	m_family(f, "kho_enabled", "gauge", "Whether Kexec HandOver is enabled (kho/ in debugfs).");
	m_sample(f, "kho_enabled", s != NULL, NULL);
	if (!s)
		return;
	m_family(f, "kho_incoming", "gauge",
		 "Whether this kernel was started by a KHO kexec (kho/in present).");
	m_sample(f, "kho_incoming", s->dir[KT_IN].present, NULL);
	areas = kt_snapshot_areas(s);
	m_family(f, "kho_scratch_areas", "gauge",
		 "Boot areas the next kernel boots in (scratch; bootmem from 7.4).");
	m_sample(f, "kho_scratch_areas", areas->n, NULL);
	m_family(f, "kho_scratch_bytes", "gauge", "Bytes of the boot areas (scratch; bootmem from 7.4).");
	m_sample(f, "kho_scratch_bytes", areas->total, NULL);
	if (areas->present) {
		m_family(f, "kho_boot_areas_layout", "gauge",
			 "The kernel's word for its boot areas: scratch (up to 7.3) or bootmem (7.4).");
		m_sample(f, "kho_boot_areas_layout", 1, "word", areas->word, NULL);
	}
	m_family(f, "kho_subtrees", "gauge", "Sub-blobs registered, per direction.");
	for (d = 0; d < KT_NR_DIRS; d++)
		m_sample(f, "kho_subtrees", s->dir[d].nr_subs, "direction", kt_dirn_name[d], NULL);
	m_family(f, "kho_subtree_bytes", "gauge", "Size of each sub-blob, per direction.");
	for (d = 0; d < KT_NR_DIRS; d++)
		for (i = 0; i < s->dir[d].nr_subs; i++)
			m_sample(f, "kho_subtree_bytes", s->dir[d].subs[i].len, "direction", kt_dirn_name[d],
				 "name", s->dir[d].subs[i].name, NULL);
	m_family(f, "kho_preserved_memory_up", "gauge",
		 "Whether the preserved-memory tree could be walked (kcore readable, tree well formed).");
	if (kt_fact_preserved(c, &v, &dir, why, sizeof(why))) {
		m_sample(f, "kho_preserved_memory_up", 0, NULL);
	} else {
		m_sample(f, "kho_preserved_memory_up", 1, NULL);
		m_family(f, "kho_preserved_bytes", "gauge",
			 "Bytes of preserved memory (out before the kexec; in after a 7.x kexec).");
		m_sample(f, "kho_preserved_bytes", v, "direction", kt_dirn_name[dir], NULL);
	}
	if (!kt_fact_kexec_count(c, &v)) {
		m_family(f, "kho_kexecs_total", "counter",
			 "Kexec reboots that led to this kernel (kexec-metadata).");
		m_sample(f, "kho_kexecs_total", v, NULL);
	}
	if (!kt_fact_liveupdate_number(c, &v)) {
		m_family(f, "kho_luo_live_updates_total", "counter", "This kernel's LUO live-update number.");
		m_sample(f, "kho_luo_live_updates_total", v, NULL);
	}
	st = kt_fact_luo_present(c) ? kt_fact_luo(c, why, sizeof(why)) : NULL;
	m_family(f, "kho_luo_state_up", "gauge", "Whether the LUO sessions could be read.");
	m_sample(f, "kho_luo_state_up", st != NULL, NULL);
	if (st)
		m_luo(f, c, st);
}
