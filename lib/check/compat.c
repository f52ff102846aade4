// SPDX-License-Identifier: GPL-2.0-only
/* compat: the next kernel's image against what this one hands over (see compat.h). */
#include "check/compat.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static char *message(const struct kt_compat_item *it)
{
	const struct kt_ho_obj *o = it->obj;
	const char *holder = kt_ho_holder_name[o->holder];

	switch (it->status) {
	case KT_CHECK_OK:
		return kt_asprintf("%s %s (%s): known to the target", holder, o->compat, o->object);
	case KT_CHECK_UNKNOWN:
		return kt_asprintf("%s (%s): cannot tell: %s", holder, o->object, o->note);
	default:
		if (!o->compat)
			return kt_asprintf("%s (%s): not read: %s", holder, o->object, o->note);
		return kt_asprintf("%s %s (%s): unknown to the target%s%s%s: %s", holder, o->compat,
				   o->object, it->other[0] ? " (it knows " : "", it->other,
				   it->other[0] ? ")" : "",
				   o->required ? "its state is lost" : "it will be ignored");
	}
}

#define NOT_SET "not set"

static char *config_message(const struct kt_compat_item *it, const struct kt_ikconfig *cfg)
{
	const struct kt_ho_obj *o = it->obj;
	const char *then = "";

	if (!it->value)
		return kt_asprintf("config %s (%s): cannot tell: %s", o->compat, o->object, cfg->why);
	if (it->status == KT_CHECK_UNKNOWN)
		then = ": cannot tell: not y, m or n";
	else if (it->known && it->status == KT_CHECK_WARN)
		then = ": its module must be loaded before the handover is retrieved";
	else if (!it->known)
		then = o->required ? ": its state is lost" : ": it will be ignored";
	return kt_asprintf("config %s (%s): %s%s in the target%s", o->compat, o->object,
			   strcmp(it->value, NOT_SET) ? "=" : "", it->value, then);
}

/* An option the objects need, by its value in the target's config. */
static void judge_config(const struct kt_ikconfig *cfg, const struct kt_ho_obj *o, struct kt_compat_item *it)
{
	if (cfg->state == KT_IKCONFIG_READ) {
		it->value = kt_ikconfig_get(cfg, o->compat);
		if (!it->value || !strcmp(it->value, "n"))
			it->value = NOT_SET;
		it->known = !strcmp(it->value, "y") || !strcmp(it->value, "m");
	}
	if (!it->value)
		it->status = KT_CHECK_UNKNOWN;
	else if (!strcmp(it->value, "y"))
		it->status = KT_CHECK_OK;
	else if (!strcmp(it->value, "m"))
		it->status = KT_CHECK_WARN;
	else if (!strcmp(it->value, NOT_SET))
		it->status = o->required ? KT_CHECK_FAIL : KT_CHECK_WARN;
	else
		it->status = KT_CHECK_UNKNOWN;
	it->msg = config_message(it, cfg);
}

static void judge(const struct kt_vmlinux *t, const struct kt_ho_obj *o, struct kt_compat_item *it)
{
	it->obj = o;
	if (o->holder == KT_HO_CONFIG) {
		judge_config(&t->config, o, it);
		return;
	}
	if (!o->compat) {
		it->status = o->required ? KT_CHECK_UNKNOWN : KT_CHECK_WARN;
	} else {
		it->known = kt_vmlinux_knows(t, o->compat);
		if (!it->known)
			kt_vmlinux_other_version(t, o->compat, it->other, sizeof(it->other));
		it->status = it->known ? KT_CHECK_OK : o->required ? KT_CHECK_FAIL : KT_CHECK_WARN;
	}
	it->msg = message(it);
}

void kt_compat_run(struct kt_state *st, const struct kt_vmlinux *target, struct kt_compat *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	kt_handover_list(st, &c->ho);
	if (target->config.state != KT_IKCONFIG_ABSENT)
		kt_handover_config(&c->ho);
	c->items = kt_calloc(c->ho.n ? c->ho.n : 1, sizeof(*c->items));
	for (i = 0; i < c->ho.n; i++) {
		judge(target, &c->ho.v[i], &c->items[i]);
		c->count[c->items[i].status]++;
	}
}

void kt_compat_free(struct kt_compat *c)
{
	size_t i;

	for (i = 0; i < c->ho.n; i++)
		free(c->items[i].msg);
	free(c->items);
	kt_handover_free(&c->ho);
	memset(c, 0, sizeof(*c));
}

static const struct kt_colspec compat_cols[] = {
    {"STATUS", "ok, warn, fail or unknown", 0},
    {"HOLDER", "root, sub-blob, sub-FDT, LUO, file handler, FLB or config", 0},
    {"COMPATIBLE", "the string the next kernel matches, or the kernel option it needs", 0},
    {"TARGET", "known or unknown to the target image, an option's y, m or not set (- when not read)", 0},
    {"OBJECT", "what is handed over, with what the target knows instead", KT_COL_TRUNC},
    {"SESSION", "a file's session", 0},
    {"TOKEN", "a file's token", KT_COL_NUM},
    {"REQUIRED", "yes: its state is lost if the target does not know it", 0},
    {"MESSAGE", "the finding in words", KT_COL_WRAP},
};
const struct kt_table_def kt_compat_table = {compat_cols, KT_ARRAY_SIZE(compat_cols),
					     "STATUS,HOLDER,COMPATIBLE,TARGET,OBJECT"};

/* The TARGET column: what the target says of the object. */
static const char *target_word(const struct kt_compat_item *it)
{
	if (it->obj->holder == KT_HO_CONFIG || !it->obj->compat)
		return it->value ? it->value : "-";
	return it->known ? "known" : "unknown";
}

void kt_compat_rows(const struct kt_compat *c, struct kt_rows *r)
{
	size_t i, row;

	kt_rows_init(r, &kt_compat_table);
	for (i = 0; i < c->ho.n; i++) {
		const struct kt_compat_item *it = &c->items[i];
		const struct kt_ho_obj *x = it->obj;

		row = kt_rows_add(r, KT_ROW_NONE);
		kt_rows_str(r, row, "STATUS", "%s", kt_check_status_name[it->status]);
		kt_rows_str(r, row, "HOLDER", "%s", kt_ho_holder_name[x->holder]);
		kt_rows_str(r, row, "COMPATIBLE", "%s", x->compat ? x->compat : "-");
		kt_rows_str(r, row, "TARGET", "%s", target_word(it));
		kt_rows_str(r, row, "OBJECT", "%s%s%s%s%s%s%s", x->object,
			    it->other[0] ? " (the target knows " : "", it->other, it->other[0] ? ")" : "",
			    x->note ? " (" : "", x->note ? x->note : "", x->note ? ")" : "");
		if (x->session)
			kt_rows_str(r, row, "SESSION", "%s", x->session);
		if (x->has_token)
			kt_rows_u64(r, row, "TOKEN", x->token);
		kt_rows_str(r, row, "REQUIRED", "%s", x->required ? "yes" : "no");
		kt_rows_str(r, row, "MESSAGE", "%s", it->msg);
	}
}
