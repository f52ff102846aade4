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

static void judge(const struct kt_vmlinux *t, const struct kt_ho_obj *o, struct kt_compat_item *it)
{
	it->obj = o;
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
