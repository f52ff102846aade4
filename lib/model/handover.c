// SPDX-License-Identifier: GPL-2.0-only
/* What this kernel hands over, by the strings the next kernel matches (see handover.h). */
#include "model/handover.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/abi.h"
#include "base/util.h"
#include "decode/fdt.h"

const char *const kt_ho_holder_name[KT_HO_NR] = {"root",	 "sub-blob", "sub-FDT", "LUO",
						 "file handler", "FLB",	     "config"};

/*
 * The option that builds each file handler, from linux-source-7.3: mm/Makefile builds
 * memfd_luo.o (MEMFD_LUO_FH_COMPATIBLE, include/linux/kho/abi/memfd.h) under
 * CONFIG_LIVEUPDATE_MEMFD (kernel/liveupdate/Kconfig). A new handler is one more line.
 */
static const struct {
	const char *handler, *option;
} handler_options[] = {
    {"memfd-v2", "CONFIG_LIVEUPDATE_MEMFD"},
};

/* Takes object (malloc'ed). */
static struct kt_ho_obj *add(struct kt_handover *h, enum kt_ho_holder holder, const char *compat,
			     bool required, char *object)
{
	struct kt_ho_obj *o;

	KT_GROW(h->v, h->cap, h->n + 1);
	o = &h->v[h->n++];
	o->holder = holder;
	o->compat = compat ? kt_strdup(compat) : NULL;
	o->required = required;
	o->object = object;
	return o;
}

static struct kt_ho_obj *add_unread(struct kt_handover *h, enum kt_ho_holder holder, bool required,
				    char *object, const char *why)
{
	struct kt_ho_obj *o = add(h, holder, NULL, required, object);

	o->note = kt_strdup(why);
	return o;
}

static void add_root(struct kt_state *st, struct kt_handover *h)
{
	const struct kt_kho_root *r;
	const char *why;

	r = kt_state_root(st, KT_OUT, &why);
	if (r && r->compat) {
		add(h, KT_HO_ROOT, r->compat, true, kt_strdup("out/fdt"));
		return;
	}
	/*
	 * 7.x builds out/fdt only during the kexec once it has booted by one, and a kernel
	 * accepts exactly the root format it writes: the one it booted from is its own.
	 */
	if (!st->snap->dir[KT_OUT].has_fdt && (r = kt_state_root(st, KT_IN, NULL)) && r->compat) {
		add(h, KT_HO_ROOT, r->compat, true, kt_strdup("in/fdt"))->note =
		    kt_strdup("no out/fdt yet: this kernel's root format is the one it booted from");
		return;
	}
	add_unread(h, KT_HO_ROOT, true, kt_strdup("out/fdt"), r ? "no compatible" : why);
}

struct sub_fdt {
	struct kt_handover *h;
	const char *name;
};

static void on_compat(void *ctx, const char *node, const char *compat)
{
	struct sub_fdt *c = ctx;
	bool root = !strcmp(node, "/");

	add(c->h, KT_HO_SUBFDT, compat, false,
	    kt_asprintf("out/sub_fdts/%s%s%s", c->name, root ? "" : "/", root ? "" : node));
}

static void add_luo(const struct kt_state *st, struct kt_handover *h)
{
	const struct kt_luo_hdr *l = &st->luo_hdr[KT_OUT];
	char *object = kt_strdup("out/sub_fdts/" LUO_SUBTREE_NAME);

	if (l->compat[0])
		add(h, KT_HO_LUO, l->compat, true, object);
	else
		add_unread(h, KT_HO_LUO, true, object, l->why ? l->why : "no LUO compatible string");
}

static void add_subs(struct kt_state *st, struct kt_handover *h)
{
	const struct kt_kho_dir *d = &st->snap->dir[KT_OUT];
	size_t i;

	for (i = 0; i < d->nr_subs; i++) {
		const struct kt_blob *b = &d->subs[i];
		bool luo = !strcmp(b->name, LUO_SUBTREE_NAME);
		struct sub_fdt c = {h, b->name};

		/* The next kernel finds each sub-blob by its name; LUO's carries every session. */
		add(h, KT_HO_SUBBLOB, b->name, luo, kt_asprintf("out/sub_fdts/%s", b->name));
		if (luo)
			add_luo(st, h);
		else if (kt_fdt_is(b) && kt_fdt_compats(b, on_compat, &c))
			add_unread(h, KT_HO_SUBFDT, false, kt_asprintf("out/sub_fdts/%s", b->name),
				   "not a usable FDT");
	}
}

static char *describe_file(const struct kt_luo_session *s, const struct kt_luo_file *f)
{
	if (f->unit)
		return kt_asprintf("session %s token %" PRIu64 " (%s fd %s)", s->name, f->token, f->unit,
				   f->fdname ? f->fdname : "?");
	return kt_asprintf("session %s token %" PRIu64, s->name, f->token);
}

static void add_files(const struct kt_luo_state *l, struct kt_handover *h)
{
	size_t i, k;

	for (i = 0; i < l->nr_sessions; i++) {
		const struct kt_luo_session *s = &l->sessions[i];

		if (s->state != KT_SESS_OUTGOING)
			continue;
		if (!s->files_known) {
			add_unread(h, KT_HO_FILE, true, kt_asprintf("session %s", s->name),
				   "its files are unknown: only procfs saw it")
			    ->session = kt_strdup(s->name);
			continue;
		}
		for (k = 0; k < s->nr_files; k++) {
			struct kt_ho_obj *o =
			    add(h, KT_HO_FILE, s->files[k].handler, true, describe_file(s, &s->files[k]));

			o->session = kt_strdup(s->name);
			o->token = s->files[k].token;
			o->has_token = true;
		}
	}
}

static void add_flbs(const struct kt_luo_state *l, struct kt_handover *h)
{
	size_t i;

	if (!l->flbs_ok) {
		add_unread(h, KT_HO_FLB, true, kt_strdup("FLBs"),
			   l->flb_note ? l->flb_note : "the kernel's FLBs were not read");
		return;
	}
	/* Only an FLB some preserved file depends on is serialized; the others are listed. */
	for (i = 0; i < l->nr_flbs; i++)
		if (!l->flbs[i].incoming)
			add(h, KT_HO_FLB, l->flbs[i].name, l->flbs[i].state == KT_FLB_PRESERVED,
			    kt_asprintf("%s FLB, %" PRIu64 " dependent file(s)",
					kt_flb_state_name[l->flbs[i].state], l->flbs[i].count));
}

void kt_handover_list(struct kt_state *st, struct kt_handover *h)
{
	memset(h, 0, sizeof(*h));
	add_root(st, h);
	add_subs(st, h);
	if (st->luo_hdr[KT_OUT].fmt != KT_LUO_ABSENT) {
		const struct kt_luo_state *l = kt_state_luo(st);

		if (!l->kernel_ok) {
			add_unread(h, KT_HO_FILE, true, kt_strdup("outgoing sessions and FLBs"),
				   l->kernel_note ? l->kernel_note
						  : "the kernel's session lists were not read");
			return;
		}
		add_files(l, h);
		add_flbs(l, h);
	}
}

/* An option, how many listed objects need it, the first of them, and whether one is required. */
struct need {
	const char *option;
	size_t n, first;
	bool required;
};

static void need(struct need *nd, const struct kt_handover *h, size_t i)
{
	if (!nd->n++)
		nd->first = i;
	nd->required |= h->v[i].required;
}

void kt_handover_config(struct kt_handover *h)
{
	/* kernel/liveupdate/Kconfig: KHO is CONFIG_KEXEC_HANDOVER, LUO CONFIG_LIVEUPDATE. */
	struct need nd[2 + KT_ARRAY_SIZE(handler_options)] = {{.option = "CONFIG_KEXEC_HANDOVER"},
							      {.option = "CONFIG_LIVEUPDATE"}};
	size_t listed = h->n, i, k;

	for (i = 0; i < listed; i++) {
		const struct kt_ho_obj *o = &h->v[i];

		need(&nd[0], h, i);
		if (o->holder == KT_HO_LUO || o->holder == KT_HO_FILE || o->holder == KT_HO_FLB)
			need(&nd[1], h, i);
		for (k = 0; o->holder == KT_HO_FILE && o->compat && k < KT_ARRAY_SIZE(handler_options); k++)
			if (!strcmp(o->compat, handler_options[k].handler)) {
				nd[2 + k].option = handler_options[k].option;
				need(&nd[2 + k], h, i);
			}
	}
	for (k = 0; k < KT_ARRAY_SIZE(nd); k++)
		if (nd[k].n)
			add(h, KT_HO_CONFIG, nd[k].option, nd[k].required,
			    nd[k].n == 1 ? kt_asprintf("needed by %s", h->v[nd[k].first].object)
					 : kt_asprintf("needed by %s and %zu more", h->v[nd[k].first].object,
						       nd[k].n - 1));
}

void kt_handover_free(struct kt_handover *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].compat);
		free(h->v[i].object);
		free(h->v[i].session);
		free(h->v[i].note);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}
