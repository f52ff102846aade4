// SPDX-License-Identifier: GPL-2.0-only
/*
 * The upgrade-script commands' logic: facts, assert, preflight, manifest,
 * finalize/abort and metrics (see check.h). Everything is read from one
 * snapshot through the view context, so each command sees one consistent state.
 */
#include "check/check.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/abi.h"
#include "decode/decoders.h"
#include "base/json_write.h"
#include "decode/kho_radix.h"
#include "base/util.h"

#define MAX_PHYS (1ULL << 52)

/* ==== facts ==================================================================== */

/* A luo-v5 header that is what it claims (the incoming copy can be freed memory). */
static bool luo_v5(const struct kt_blob *b, struct luo_ser *l)
{
	if (!b || b->len < sizeof(*l))
		return false;
	memcpy(l, b->data, sizeof(*l));
	return !strncmp(l->compatible, LUO_V5_COMPATIBLE, sizeof(l->compatible)) &&
	       l->sessions_pa < MAX_PHYS && l->flbs_pa < MAX_PHYS && !(l->sessions_pa % KT_PAGE_SIZE) &&
	       !(l->flbs_pa % KT_PAGE_SIZE);
}

/* 6.19's LUO sub-tree: an FDT "luo-v1" with a native u64 liveupdate-number. */
static bool luo_v1(const struct kt_blob *b, uint64_t *num)
{
	void *owned = NULL;
	const void *fdt;
	const char *compat;
	bool ok = false;
	int len;

	if (!b || !kt_fdt_is(b))
		return false;
	fdt = kt_fdt_usable(b, &owned, NULL, NULL);
	if (fdt) {
		compat = fdt_getprop(fdt, 0, "compatible", &len);
		ok = compat && len == sizeof("luo-v1") && !memcmp(compat, "luo-v1", len);
		if (ok && num && !kt_fdt_u64(fdt, 0, "liveupdate-number", num))
			ok = false;
	}
	free(owned);
	return ok;
}

static bool kexec_meta(const struct kt_snapshot *s, enum kt_dirn d, uint64_t *count)
{
	const struct kt_blob *b = kt_snapshot_sub(s, d, KEXEC_METADATA_NAME);
	struct kho_kexec_metadata m;

	if (!b || b->len < sizeof(m))
		return false;
	memcpy(&m, b->data, sizeof(m));
	*count = m.kexec_count;
	return m.version == KEXEC_METADATA_VERSION;
}

static bool luo_number(const struct kt_snapshot *s, enum kt_dirn d, uint64_t *n)
{
	const struct kt_blob *b = kt_snapshot_sub(s, d, LUO_SUBTREE_NAME);
	struct luo_ser l;

	if (luo_v5(b, &l)) {
		*n = l.liveupdate_num;
		return true;
	}
	return luo_v1(b, n);
}

/*
 * This kernel's value of a counter the kernels hand on: what the previous one sent
 * (in), else what this one will send (out) less one; 0 after a cold boot.
 */
static int this_kernel(const struct kt_snapshot *s, bool (*get)(const struct kt_snapshot *, enum kt_dirn, uint64_t *),
		       uint64_t *n)
{
	uint64_t v;

	if (get(s, KT_IN, &v)) {
		*n = v;
		return 0;
	}
	if (get(s, KT_OUT, &v) && v) {
		*n = v - 1;
		return 0;
	}
	return -ENODATA;
}

int kt_fact_kexec_count(const struct kt_snapshot *s, uint64_t *n)
{
	return this_kernel(s, kexec_meta, n);
}

int kt_fact_liveupdate_number(const struct kt_snapshot *s, uint64_t *n)
{
	return this_kernel(s, luo_number, n);
}

/* Walk direction d's preserved-memory tree; a malformed tree is an error here. */
static int walk_dir(struct kt_view_ctx *c, enum kt_dirn d, struct kt_radix_result *r, char *why,
		    size_t whylen)
{
	struct kt_physmem *pm;
	uint64_t root;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = kt_radix_root(c->snap, d, &root, why, whylen);
	if (ret)
		return ret;
	pm = kt_view_physmem(c);
	if (!pm)
		return kt_fail(why, whylen, -ENODATA, "no physical memory access: %s",
			     c->pm_note ? c->pm_note : "unknown reason");
	ret = kt_radix_walk(pm, root, NULL, NULL, r);
	if (ret)
		return kt_fail(why, whylen, ret, "walking the %s preserved-memory tree: %s", kt_dirn_name[d],
			     strerror(-ret));
	if (r->errors) {
		ret = kt_fail(why, whylen, -EBADMSG, "the %s preserved-memory tree is malformed (%u errors)",
			    kt_dirn_name[d], r->errors);
		kt_radix_result_free(r);
	}
	return ret;
}

int kt_fact_preserved(struct kt_view_ctx *c, uint64_t *bytes, enum kt_dirn *dir, char *why, size_t whylen)
{
	struct kt_radix_result r;
	int ret;

	/* The tree the next kernel gets; after a 7.x kexec (out/fdt gone) the one this kernel got. */
	*dir = c->snap->dir[KT_OUT].has_fdt ? KT_OUT : KT_IN;
	ret = walk_dir(c, *dir, &r, why, whylen);
	if (ret)
		return ret;
	*bytes = r.bytes;
	kt_radix_result_free(&r);
	return 0;
}

bool kt_fact_luo_present(const struct kt_snapshot *s)
{
	struct stat st;

	return kt_snapshot_sub(s, KT_OUT, LUO_SUBTREE_NAME) || kt_snapshot_sub(s, KT_IN, LUO_SUBTREE_NAME) ||
	       (s->kind == KT_SRC_LIVE && !stat(LIVEUPDATE_DEV, &st));
}

const struct kt_luo_state *kt_fact_luo(struct kt_view_ctx *c, char *why, size_t whylen)
{
	const struct kt_snapshot *s = c->snap;
	const struct kt_luo_state *st = kt_view_luo(c);
	const struct kt_blob *in;
	struct luo_ser l;
	size_t i;

	if (s->kind == KT_SRC_LIVE ? !st->kernel_ok : !st->saved) {
		kt_fail(why, whylen, 0, "LUO state unavailable: %s",
		      st->kernel_note ? st->kernel_note : "no source could be read");
		return NULL;
	}
	if (!s->dir[KT_IN].present)
		return st;
	for (i = 0; i < st->nr_sessions; i++)
		if (st->sessions[i].state != KT_SESS_OUTGOING)
			return st;
	if (st->serialized_ok || st->incoming_settled)
		return st;
	in = kt_snapshot_sub(s, KT_IN, LUO_SUBTREE_NAME);
	/*
	 * No incoming LUO blob: the previous kernel handed none over. A valid one
	 * with no session left anywhere: none was sent, or all were finished.
	 */
	if (!in || luo_v5(in, &l) || luo_v1(in, NULL))
		return st;
	kt_fail(why, whylen, 0,
	      "incoming LUO sessions unknown: in/sub_fdts/LUO is stale and the kernel lists none yet "
	      "(it deserializes them when an agent first opens " LIVEUPDATE_DEV ")");
	return NULL;
}

/* ==== assert =================================================================== */

enum subj { S_NONE, S_SUBTREE, S_SESSION, S_HANDLER, S_FLB, S_INCOMING };
enum key { K_PRESERVED, K_SCRATCH, K_SESSIONS, K_FILES, K_FLBS, K_KEXEC, K_LUNUM, K_BYTES, K_STATE, K_SIZE };
enum vtype { V_COUNT, V_SIZE, V_STATE };
enum op { OP_EQ, OP_NE, OP_GE, OP_LE, OP_GT, OP_LT };

#define IN_TOP	   (1u << S_NONE)
#define IN_SUBTREE (1u << S_SUBTREE)
#define IN_SESSION (1u << S_SESSION)
#define IN_HANDLER (1u << S_HANDLER)
#define IN_FLB	   (1u << S_FLB)

static const struct keydef {
	const char *name;
	enum key key;
	enum vtype type;
	unsigned int where;
} keydefs[] = {
	{ "preserved", K_PRESERVED, V_SIZE, IN_TOP },
	{ "scratch", K_SCRATCH, V_SIZE, IN_TOP },
	{ "sessions", K_SESSIONS, V_COUNT, IN_TOP | IN_HANDLER },
	{ "files", K_FILES, V_COUNT, IN_TOP | IN_SESSION | IN_HANDLER | IN_FLB },
	{ "flbs", K_FLBS, V_COUNT, IN_TOP },
	{ "kexec-count", K_KEXEC, V_COUNT, IN_TOP },
	{ "liveupdate-number", K_LUNUM, V_COUNT, IN_TOP },
	{ "bytes", K_BYTES, V_SIZE, IN_SESSION | IN_HANDLER },
	{ "state", K_STATE, V_STATE, IN_SESSION },
	{ "size", K_SIZE, V_SIZE, IN_SUBTREE },
};

static const char *const subj_name[] = { "", "subtree", "session", "handler", "flb", "incoming" };
/* Longest first, so ">=" is not read as ">". */
static const struct {
	const char *text;
	enum op op;
} ops[] = { { ">=", OP_GE }, { "<=", OP_LE }, { "!=", OP_NE }, { "==", OP_EQ },
	    { "=", OP_EQ },  { ">", OP_GT },  { "<", OP_LT } };

struct cond {
	const struct keydef *k;
	enum op op;
	uint64_t v;
};

struct kt_assert_expr {
	char *text;
	bool neg;
	enum subj subj;
	char *name;
	int dir; /* subtree: KT_OUT, KT_IN, or -1 for either */
	struct cond *conds;
	size_t nconds;
};

/* The operator a word starts with at p, or NULL. */
static const char *op_at(const char *p, enum op *op)
{
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(ops); i++)
		if (!strncmp(p, ops[i].text, strlen(ops[i].text))) {
			if (op)
				*op = ops[i].op;
			return ops[i].text;
		}
	return NULL;
}

/*
 * "KEY OP VALUE" for a subject: 0, -ENOENT when the word is no comparison at
 * all, -EINVAL (with err) when it is one but wrong here.
 */
static int parse_cond(const char *w, enum subj subj, struct cond *c, char *err, size_t errlen)
{
	size_t klen = strcspn(w, "<>=!"), i;
	const char *optext;
	const char *v;

	if (!w[klen] || !klen)
		return -ENOENT;
	optext = op_at(w + klen, &c->op);
	if (!optext)
		return kt_fail(err, errlen, -EINVAL, "'%s': unknown operator (use = != >= <= > <)", w);
	v = w + klen + strlen(optext);
	c->k = NULL;
	for (i = 0; i < KT_ARRAY_SIZE(keydefs); i++)
		if (strlen(keydefs[i].name) == klen && !strncmp(keydefs[i].name, w, klen))
			c->k = &keydefs[i];
	if (!c->k || !(c->k->where & (1u << subj)))
		return kt_fail(err, errlen, c->k ? -EDOM : -EINVAL, "'%s': no '%.*s' %s%s", w, (int)klen, w,
			     subj == S_NONE ? "predicate" : "condition for ", subj_name[subj]);
	if (!*v)
		return kt_fail(err, errlen, -EINVAL, "'%s': no value after '%s'", w, optext);
	if (c->k->type == V_STATE) {
		if (c->op != OP_EQ && c->op != OP_NE)
			return kt_fail(err, errlen, -EINVAL, "'%s': a state compares only with = or !=", w);
		for (i = 0; i < KT_SESS_NR_STATES; i++)
			if (!strcmp(v, kt_sess_state_name[i]))
				break;
		if (i == KT_SESS_NR_STATES)
			return kt_fail(err, errlen, -EINVAL,
				     "'%s': unknown state '%s' (outgoing, serialized, incoming, retrieved)",
				     w, v);
		c->v = i;
		return 0;
	}
	if (kt_parse_size(v, &c->v))
		return kt_fail(err, errlen, -EINVAL, "'%s': '%s' is not a number%s", w, v,
			     c->k->type == V_SIZE ? " or size (K, M, G, T suffixes)" : "");
	return 0;
}

/* A word and the argument it came from: words of one multi-word argument share a group. */
struct word {
	char *w;
	int group; /* -1: a single-word argument */
};

static void words_free(struct word *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i].w);
	free(w);
}

static bool same_group(const struct word *a, const struct word *b)
{
	return a->group == b->group;
}

/* Split arguments into words; an operator standing alone ("files", ">=", "2") is joined to its neighbours. */
static struct word *split_words(int argc, char *const *argv, size_t *nw)
{
	struct word *w = NULL;
	size_t n = 0, cap = 0, i;
	int a;

	for (a = 0; a < argc; a++) {
		char *copy = kt_strdup(argv[a]), *save = NULL, *tok;
		bool multi = strpbrk(argv[a], " \t\n") != NULL;

		for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				w = realloc(w, cap * sizeof(*w));
				if (!w) {
					kt_errmsg("out of memory");
					exit(2);
				}
			}
			w[n++] = (struct word){ kt_strdup(tok), multi ? a : -1 };
		}
		free(copy);
	}
	/* "files" ">=" "2" and "files" ">=2" and "files>=" "2" are all "files>=2". */
	for (i = 1; i < n;) {
		const char *prev = w[i - 1].w;
		char *j;

		if (!same_group(&w[i - 1], &w[i]) || !((op_at(w[i].w, NULL) && !strpbrk(prev, "<>=!")) ||
						       strchr("<>=", prev[strlen(prev) - 1]))) {
			i++;
			continue;
		}
		j = kt_asprintf("%s%s", prev, w[i].w);
		free(w[i - 1].w);
		free(w[i].w);
		w[i - 1].w = j;
		memmove(&w[i], &w[i + 1], (n - i - 1) * sizeof(*w));
		n--;
	}
	*nw = n;
	return w;
}

static void expr_free(struct kt_assert_expr *e)
{
	free(e->text);
	free(e->name);
	free(e->conds);
}

static void add_text(char **text, const char *w)
{
	char *t = *text ? kt_asprintf("%s %s", *text, w) : kt_strdup(w);

	free(*text);
	*text = t;
}

/* One expression from words[*i]; advances *i. */
static int parse_expr(const struct word *w, size_t n, size_t *i, struct kt_assert_expr *e, char *err,
		      size_t errlen)
{
	const struct word *first = &w[*i];
	const char *word;
	size_t s;
	int ret;

	memset(e, 0, sizeof(*e));
	e->dir = -1;
	for (;;) {
		word = w[*i].w;
		if (!strcmp(word, "not") || !strcmp(word, "!")) {
			add_text(&e->text, word);
			e->neg = !e->neg;
			if (++*i == n || (first->group >= 0 && !same_group(first, &w[*i])))
				return kt_fail(err, errlen, -EINVAL, "'%s': nothing to negate", e->text);
			continue;
		}
		break;
	}
	add_text(&e->text, word);
	if (word[0] == '!' && word[1] != '=') {
		e->neg = !e->neg;
		word++;
	}
	(*i)++;
	for (s = S_SUBTREE; s <= S_INCOMING; s++)
		if (!strcmp(word, subj_name[s]))
			break;
	if (s > S_INCOMING) {
		struct cond c;

		ret = parse_cond(word, S_NONE, &c, err, errlen);
		if (ret == -ENOENT)
			return kt_fail(err, errlen, -EINVAL,
				     "'%s': unknown predicate (subtree, session, handler, flb, incoming, or "
				     "KEY OP VALUE)",
				     word);
		if (ret)
			return -EINVAL;
		e->subj = S_NONE;
		e->conds = kt_calloc(1, sizeof(c));
		e->conds[e->nconds++] = c;
		return 0;
	}
	e->subj = s;
	if (s == S_INCOMING)
		return 0;
	if (*i == n || !same_group(&w[*i - 1], &w[*i]))
		return kt_fail(err, errlen, -EINVAL, "'%s': %s needs a NAME", e->text, subj_name[s]);
	{
		struct cond c;
		char ignore[8];

		if (!parse_cond(w[*i].w, s, &c, ignore, sizeof(ignore)))
			return kt_fail(err, errlen, -EINVAL, "'%s %s': %s needs a NAME before its conditions",
				     e->text, w[*i].w, subj_name[s]);
	}
	e->name = kt_strdup(w[*i].w);
	add_text(&e->text, e->name);
	(*i)++;
	if (s == S_SUBTREE && (!strncmp(e->name, "out/", 4) || !strncmp(e->name, "in/", 3))) {
		char *rest = kt_strdup(strchr(e->name, '/') + 1);

		e->dir = e->name[0] == 'o' ? KT_OUT : KT_IN;
		free(e->name);
		e->name = rest;
	}
	while (*i < n && same_group(&w[*i - 1], &w[*i])) {
		struct cond c;

		ret = parse_cond(w[*i].w, s, &c, err, errlen);
		/* In single-word arguments, a word that is not our condition starts the next expression. */
		if ((ret == -ENOENT || ret == -EDOM) && first->group < 0)
			break;
		if (ret == -ENOENT)
			return kt_fail(err, errlen, -EINVAL, "'%s': unexpected '%s'", e->text, w[*i].w);
		if (ret)
			return -EINVAL;
		e->conds = realloc(e->conds, (e->nconds + 1) * sizeof(c));
		if (!e->conds)
			return -ENOMEM;
		e->conds[e->nconds++] = c;
		add_text(&e->text, w[*i].w);
		(*i)++;
	}
	return 0;
}

int kt_assert_parse(int argc, char *const *argv, struct kt_assert *a, char *err, size_t errlen)
{
	size_t nw, i = 0;
	struct word *w = split_words(argc, argv, &nw);
	int ret = 0;

	memset(a, 0, sizeof(*a));
	if (!nw)
		ret = kt_fail(err, errlen, -EINVAL, "assert needs at least one expression");
	while (!ret && i < nw) {
		struct kt_assert_expr e;
		size_t start = i;

		ret = parse_expr(w, nw, &i, &e, err, errlen);
		if (!ret && w[start].group >= 0 && i < nw && w[i].group == w[start].group)
			ret = kt_fail(err, errlen, -EINVAL,
				    "'%s': unexpected '%s' (one expression per quoted argument)", e.text,
				    w[i].w);
		if (!ret) {
			struct kt_assert_expr *ne = realloc(a->exprs, (a->n + 1) * sizeof(*ne));

			if (!ne) {
				ret = -ENOMEM;
			} else {
				a->exprs = ne;
				a->exprs[a->n++] = e;
				continue;
			}
		}
		expr_free(&e);
	}
	words_free(w, nw);
	if (ret)
		kt_assert_free(a);
	return ret;
}

void kt_assert_free(struct kt_assert *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		expr_free(&a->exprs[i]);
	free(a->exprs);
	memset(a, 0, sizeof(*a));
}

void kt_assert_results_free(struct kt_assert_result *res, size_t n)
{
	size_t i;

	for (i = 0; res && i < n; i++) {
		free(res[i].expr);
		free(res[i].seen);
	}
	free(res);
}

static bool compare(enum op op, uint64_t a, uint64_t b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_GE:
		return a >= b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	case OP_LT:
		return a < b;
	}
	return false;
}

/* "4096" for counts, "25165824 (24 MiB)" for sizes, the name for states. */
static char *fmt_val(const struct keydef *k, uint64_t v)
{
	char h[32];

	if (k->type == V_STATE)
		return kt_strdup(v < KT_SESS_NR_STATES ? kt_sess_state_name[v] : "?");
	if (k->type == V_SIZE && v >= 1024)
		return kt_asprintf("%" PRIu64 " (%s)", v, kt_fmt_size(v, h));
	return kt_asprintf("%" PRIu64, v);
}

/* Check the conditions against values[key]; append "key=value" of each to *seen. */
static bool conds_hold(const struct kt_assert_expr *e, const uint64_t *values, char **seen)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < e->nconds; i++) {
		const struct cond *c = &e->conds[i];
		char *v = fmt_val(c->k, values[c->k->key]), *t;

		ok &= compare(c->op, values[c->k->key], c->v);
		t = *seen ? kt_asprintf("%s %s=%s", *seen, c->k->name, v)
			  : kt_asprintf("%s=%s", c->k->name, v);
		free(*seen);
		free(v);
		*seen = t;
	}
	return ok;
}

static uint64_t scratch_total(const struct kt_snapshot *s, size_t *areas)
{
	const struct kt_kho_dir *d = s->dir[KT_OUT].has_scratch ? &s->dir[KT_OUT] : &s->dir[KT_IN];
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < d->nr_scratch; i++)
		t += d->scratch[i].len;
	if (areas)
		*areas = d->nr_scratch;
	return t;
}

static int eval_top(const struct kt_assert_expr *e, struct kt_view_ctx *c, const struct kt_luo_state *st,
		    bool *ok, char **seen, char *err, size_t errlen)
{
	uint64_t values[K_SIZE + 1] = { 0 };
	const struct cond *cd = &e->conds[0];
	enum kt_dirn d;
	size_t i;
	char why[256];

	switch (cd->k->key) {
	case K_PRESERVED:
		if (kt_fact_preserved(c, &values[K_PRESERVED], &d, why, sizeof(why)))
			return kt_fail(err, errlen, -ENODATA, "preserved memory: %s", why);
		break;
	case K_SCRATCH:
		values[K_SCRATCH] = scratch_total(c->snap, NULL);
		break;
	case K_SESSIONS:
		values[K_SESSIONS] = st->nr_sessions;
		break;
	case K_FILES:
		for (i = 0; i < st->nr_sessions; i++)
			values[K_FILES] += st->sessions[i].nr_files;
		break;
	case K_FLBS:
		values[K_FLBS] = st->nr_flbs;
		break;
	case K_KEXEC:
		if (kt_fact_kexec_count(c->snap, &values[K_KEXEC]))
			return kt_fail(err, errlen, -ENODATA,
				     "no usable kexec-metadata sub-blob in either direction");
		break;
	case K_LUNUM:
		if (kt_fact_liveupdate_number(c->snap, &values[K_LUNUM]))
			return kt_fail(err, errlen, -ENODATA, "no valid LUO sub-blob in either direction");
		break;
	default:
		return -EINVAL;
	}
	*ok = conds_hold(e, values, seen);
	return 0;
}

static void eval_session(const struct kt_assert_expr *e, const struct kt_luo_state *st, bool *ok, char **seen)
{
	uint64_t values[K_SIZE + 1] = { 0 };
	char *first = NULL;
	size_t i;

	*ok = false;
	for (i = 0; i < st->nr_sessions && !*ok; i++) {
		const struct kt_luo_session *x = &st->sessions[i];
		char *s = NULL;

		if (strcmp(x->name, e->name))
			continue;
		values[K_FILES] = x->nr_files;
		values[K_BYTES] = kt_luo_session_bytes(x);
		values[K_STATE] = x->state;
		*ok = conds_hold(e, values, &s);
		if (!s)
			s = kt_asprintf("state=%s files=%zu", kt_sess_state_name[x->state], x->nr_files);
		if (*ok || !first) {
			free(first);
			first = s;
		} else {
			free(s);
		}
	}
	*seen = first ? first : kt_strdup("no such session");
}

static void eval_handler(const struct kt_assert_expr *e, const struct kt_luo_state *st, bool *ok, char **seen)
{
	uint64_t values[K_SIZE + 1] = { 0 };
	size_t i, k;

	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];
		bool any = false;

		for (k = 0; k < x->nr_files; k++)
			if (!strcmp(x->files[k].handler, e->name)) {
				values[K_FILES]++;
				values[K_BYTES] += x->files[k].has_size ? x->files[k].size : 0;
				any = true;
			}
		values[K_SESSIONS] += any;
	}
	if (!values[K_FILES]) {
		*ok = false;
		*seen = kt_strdup("no file of this handler");
		return;
	}
	*ok = conds_hold(e, values, seen);
	if (!*seen)
		*seen =
		    kt_asprintf("files=%" PRIu64 " sessions=%" PRIu64, values[K_FILES], values[K_SESSIONS]);
}

static void eval_flb(const struct kt_assert_expr *e, const struct kt_luo_state *st, bool *ok, char **seen)
{
	uint64_t values[K_SIZE + 1] = { 0 };
	size_t i;

	for (i = 0; i < st->nr_flbs; i++)
		if (!strcmp(st->flbs[i].name, e->name)) {
			values[K_FILES] = st->flbs[i].count;
			*ok = conds_hold(e, values, seen);
			if (!*seen)
				*seen = kt_asprintf("files=%" PRIu64, values[K_FILES]);
			return;
		}
	*ok = false;
	*seen = kt_strdup("no such FLB");
}

static void eval_subtree(const struct kt_assert_expr *e, const struct kt_snapshot *s, bool *ok, char **seen)
{
	uint64_t values[K_SIZE + 1] = { 0 };
	int d;

	*ok = false;
	for (d = 0; d < KT_NR_DIRS && !*ok; d++) {
		const struct kt_blob *b;
		char *t = NULL;

		if (e->dir >= 0 && e->dir != d)
			continue;
		b = kt_snapshot_sub(s, d, e->name);
		if (!b)
			continue;
		values[K_SIZE] = b->len;
		*ok = conds_hold(e, values, &t);
		free(*seen);
		*seen = kt_asprintf("%s/sub_fdts/%s%s%s", kt_dirn_name[d], e->name, t ? " " : "", t ? t : "");
		free(t);
	}
	if (!*seen)
		*seen = kt_strdup("absent");
}

static bool needs_luo(const struct kt_assert_expr *e)
{
	if (e->subj == S_SESSION || e->subj == S_HANDLER || e->subj == S_FLB)
		return true;
	return e->subj == S_NONE && (e->conds[0].k->key == K_SESSIONS || e->conds[0].k->key == K_FILES ||
				     e->conds[0].k->key == K_FLBS);
}

int kt_assert_eval(const struct kt_assert *a, struct kt_view_ctx *c, struct kt_assert_result **res, char *err,
		   size_t errlen)
{
	struct kt_assert_result *r = kt_calloc(a->n, sizeof(*r));
	const struct kt_luo_state *st = NULL;
	char why[512];
	size_t i;
	int ret = 0;

	for (i = 0; i < a->n && !ret; i++) {
		const struct kt_assert_expr *e = &a->exprs[i];
		bool ok = false;

		if (needs_luo(e) && !st) {
			st = kt_fact_luo(c, why, sizeof(why));
			if (!st) {
				ret = kt_fail(err, errlen, -ENODATA, "cannot tell '%s': %s", e->text, why);
				break;
			}
		}
		switch (e->subj) {
		case S_NONE:
			ret = eval_top(e, c, st, &ok, &r[i].seen, why, sizeof(why));
			if (ret)
				kt_fail(err, errlen, ret, "cannot tell '%s': %s", e->text, why);
			break;
		case S_INCOMING:
			ok = c->snap->dir[KT_IN].present;
			r[i].seen = kt_strdup(ok ? "in/ present" : "no in/ (not started by a KHO kexec)");
			break;
		case S_SUBTREE:
			eval_subtree(e, c->snap, &ok, &r[i].seen);
			break;
		case S_SESSION:
			eval_session(e, st, &ok, &r[i].seen);
			break;
		case S_HANDLER:
			eval_handler(e, st, &ok, &r[i].seen);
			break;
		case S_FLB:
			eval_flb(e, st, &ok, &r[i].seen);
			break;
		}
		r[i].ok = ok != e->neg;
		r[i].expr = kt_strdup(e->text);
	}
	if (ret) {
		kt_assert_results_free(r, a->n);
		return ret;
	}
	*res = r;
	return 0;
}

/* ==== preflight ================================================================ */

const char *const kt_check_status_name[KT_CHECK_NR] = { "ok", "warn", "fail", "unknown" };

static void add_check(struct kt_preflight *p, const char *name, enum kt_check_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_check(struct kt_preflight *p, const char *name, enum kt_check_status st, const char *fmt, ...)
{
	struct kt_check *c;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	p->checks = realloc(p->checks, (p->n + 1) * sizeof(*p->checks));
	if (!p->checks || !m) {
		kt_errmsg("out of memory");
		exit(2);
	}
	c = &p->checks[p->n++];
	c->name = name;
	c->status = st;
	c->msg = m;
	p->count[st]++;
}

bool kt_is_shell(const char *comm)
{
	static const char *const shells[] = { "sh",   "bash", "dash", "ash",  "zsh",	"ksh",
					      "mksh", "fish", "csh",  "tcsh", "busybox" };
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(shells); i++)
		if (!strcmp(comm, shells[i]))
			return true;
	return false;
}

char *kt_proc_unit(const char *proc, int pid)
{
	char path[256], line[4096], *unit = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc, pid);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	/* cgroup v2 "0::/PATH", or v1's "N:name=systemd:/PATH": the innermost unit on the path. */
	while (fgets(line, sizeof(line), f)) {
		char *p, *comp, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) && !strstr(line, ":name=systemd:"))
			continue;
		p = strchr(strchr(line, ':') + 1, ':') + 1;
		for (comp = strtok_r(p, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
			size_t n = strlen(comp);

			if ((n > 8 && !strcmp(comp + n - 8, ".service")) ||
			    (n > 6 && !strcmp(comp + n - 6, ".scope"))) {
				free(unit);
				unit = kt_strdup(comp);
			}
		}
		if (!strncmp(line, "0::", 3) && unit)
			break;
	}
	fclose(f);
	return unit;
}

struct proc_info {
	char comm[17];
	char state;
	int sid;
	int tty;
};

static int proc_info(const char *proc, int pid, struct proc_info *pi)
{
	char path[256], buf[1024], *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* "pid (comm) S ppid pgrp session tty_nr": comm may hold spaces and parentheses. */
	rp = strrchr(buf, ')');
	if (!rp || !strchr(buf, '(') ||
	    sscanf(rp + 1, " %c %*d %*d %d %d", &pi->state, &pi->sid, &pi->tty) != 3)
		return -EBADMSG;
	kt_cstr(pi->comm, sizeof(pi->comm), strchr(buf, '(') + 1, rp - strchr(buf, '(') - 1);
	return 0;
}

/* Every pid with an fd on the device. Returns how many; *unreadable counts fd dirs we could not list. */
static size_t device_holders(const char *proc, const char *dev, int *pids, size_t max,
			     unsigned int *unreadable)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(proc);

	*unreadable = 0;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[512], link[512];
		struct dirent *fe;
		DIR *fds;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd", proc, de->d_name);
		fds = opendir(path);
		if (!fds) {
			*unreadable += errno == EACCES;
			continue;
		}
		while ((fe = readdir(fds))) {
			char fdp[1024];
			ssize_t l;

			if (!isdigit((unsigned char)fe->d_name[0]))
				continue;
			snprintf(fdp, sizeof(fdp), "%s/%s", path, fe->d_name);
			l = readlink(fdp, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = '\0';
			if (!strcmp(link, dev)) {
				if (n < max)
					pids[n] = atoi(de->d_name);
				n++;
				break;
			}
		}
		closedir(fds);
	}
	closedir(d);
	return n;
}

/* "pid 80 (kho-agent, unit foo.service)" */
static char *describe_pid(const char *proc, int pid, const struct proc_info *pi)
{
	char *unit = kt_proc_unit(proc, pid), *s;

	s = kt_asprintf("pid %d (%s%s%s)", pid, pi->comm, unit ? ", unit " : ", no systemd unit",
			unit ? unit : "");
	free(unit);
	return s;
}

static void check_holder(struct kt_preflight *p, const char *proc, const char *dev,
			 const struct kt_luo_state *st, bool luo)
{
	int pids[8], owners[64];
	size_t nown = 0, i, k, nsess = 0;
	unsigned int unreadable;
	size_t n = device_holders(proc, dev, pids, KT_ARRAY_SIZE(pids), &unreadable);
	bool shell_fail = false, tty_warn = false;
	char *shells = NULL, *ttys = NULL;

	for (i = 0; st && i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];

		if (x->state != KT_SESS_OUTGOING)
			continue;
		nsess++;
		for (k = 0; k < nown && owners[k] != x->pid; k++)
			;
		if (k == nown && x->pid > 0 && nown < KT_ARRAY_SIZE(owners))
			owners[nown++] = x->pid;
	}
	if (!luo) {
		add_check(p, "agent", KT_CHECK_OK, "no LUO: no agent needed");
		return;
	}
	if (n > 1) {
		add_check(p, "agent", KT_CHECK_WARN,
			  "%zu processes hold %s (expected one: it admits one open)", n, dev);
	} else if (n == 1) {
		struct proc_info pi;
		char *d;

		if (proc_info(proc, pids[0], &pi)) {
			add_check(p, "agent", KT_CHECK_WARN, "pid %d holds %s but vanished while being read",
				  pids[0], dev);
		} else {
			d = describe_pid(proc, pids[0], &pi);
			add_check(p, "agent", KT_CHECK_OK, "%s holds %s", d, dev);
			free(d);
			for (k = 0; k < nown && owners[k] != pids[0]; k++)
				;
			if (k == nown && nown < KT_ARRAY_SIZE(owners))
				owners[nown++] = pids[0];
		}
	} else if (unreadable) {
		add_check(p, "agent", KT_CHECK_UNKNOWN, "fds of %u processes unreadable (not root)",
			  unreadable);
	} else if (nsess) {
		add_check(p, "agent", KT_CHECK_WARN,
			  "no process holds %s; the sessions are held by their fds alone", dev);
	} else {
		add_check(p, "agent", KT_CHECK_WARN,
			  "no process holds %s and no session exists: no file will be preserved", dev);
	}

	/* Every session owner alive, and none of them a shell: a closed last fd unpreserves. */
	for (i = 0; i < nown; i++) {
		struct proc_info pi, lead;
		char *d, *t;

		if (proc_info(proc, owners[i], &pi) || pi.state == 'Z' || pi.state == 'X') {
			add_check(p, "owners", KT_CHECK_FAIL,
				  "pid %d holding sessions is gone or a zombie: its sessions "
				  "are unpreserved when its fds close",
				  owners[i]);
			continue;
		}
		d = describe_pid(proc, owners[i], &pi);
		if (pi.state == 'T' || pi.state == 't')
			add_check(p, "owners", KT_CHECK_WARN, "%s is stopped", d);
		if (kt_is_shell(pi.comm)) {
			shell_fail = true;
			t = shells ? kt_asprintf("%s, %s", shells, d) : kt_strdup(d);
			free(shells);
			shells = t;
		} else if (pi.sid > 0 && pi.sid != owners[i] && !proc_info(proc, pi.sid, &lead) && lead.tty &&
			   kt_is_shell(lead.comm)) {
			tty_warn = true;
			t = kt_asprintf("%s%s%s in the terminal session of pid %d (%s)", ttys ? ttys : "",
					ttys ? "; " : "", d, pi.sid, lead.comm);
			free(ttys);
			ttys = t;
		}
		free(d);
	}
	if (st) {
		size_t orphan = 0;

		for (i = 0; i < st->nr_sessions; i++)
			orphan += st->sessions[i].state == KT_SESS_OUTGOING && st->sessions[i].pid < 0;
		if (orphan)
			add_check(p, "owners", unreadable ? KT_CHECK_UNKNOWN : KT_CHECK_WARN,
				  "%zu outgoing session(s) with no visible owner process%s", orphan,
				  unreadable ? " (fds unreadable: not root)" : "");
		else if (nsess)
			add_check(p, "owners", KT_CHECK_OK,
				  "%zu outgoing session(s) held by %zu live process(es)", nsess, nown);
		else
			add_check(p, "owners", KT_CHECK_OK, "no outgoing session");
	}
	if (shell_fail)
		add_check(
		    p, "shell", KT_CHECK_FAIL,
		    "%s: a shell holds LUO fds; when it exits or closes them the sessions are unpreserved",
		    shells);
	else if (tty_warn)
		add_check(p, "shell", KT_CHECK_WARN,
			  "%s: a terminal hangup would end it and unpreserve its sessions", ttys);
	else
		add_check(p, "shell", KT_CHECK_OK, "no LUO fd is held by a shell or a terminal session");
	free(shells);
	free(ttys);
}

static void check_sessions(struct kt_preflight *p, const struct kt_luo_state *st, const char *why, bool luo)
{
	size_t i, files = 0, nsess = 0, empty = 0;
	char *names = NULL;

	if (!luo) {
		add_check(p, "sessions", KT_CHECK_OK, "no LUO on this kernel: no session to preserve");
		return;
	}
	if (!st) {
		add_check(p, "sessions", KT_CHECK_WARN, "cannot list sessions: %s", why);
		return;
	}
	for (i = 0; i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];

		if (x->state != KT_SESS_OUTGOING)
			continue;
		nsess++;
		files += x->nr_files;
		if (x->files_known && !x->nr_files) {
			char *t;

			if (++empty <= 8) {
				t = names ? kt_asprintf("%s, %s", names, x->name) : kt_strdup(x->name);
				free(names);
				names = t;
			}
		}
	}
	if (empty)
		add_check(p, "sessions", KT_CHECK_WARN, "%zu of %zu session(s) hold no file: %s%s", empty,
			  nsess, names, empty > 8 ? ", ..." : "");
	else
		add_check(p, "sessions", KT_CHECK_OK, "%zu outgoing session(s), %zu file(s)", nsess, files);
	free(names);
}

static void check_memory(struct kt_preflight *p, struct kt_view_ctx *c)
{
	const struct kt_snapshot *s = c->snap;
	const struct kt_kho_dir *out = &s->dir[KT_OUT];
	struct kt_radix_result r;
	char why[512], h[32], h2[32];
	uint64_t bad, sb;
	size_t areas;
	int ret;

	sb = scratch_total(s, &areas);
	if (!out->has_scratch || !out->nr_scratch)
		add_check(p, "scratch", KT_CHECK_FAIL,
			  "no scratch areas in out/scratch_phys: the next kernel has "
			  "nowhere to boot (kho_scratch= / kho=on at boot)");
	else
		add_check(p, "scratch", KT_CHECK_OK, "%zu area(s), %s", areas, kt_fmt_size(sb, h));

	ret = walk_dir(c, KT_OUT, &r, why, sizeof(why));
	if (ret) {
		add_check(p, "overlap", KT_CHECK_WARN, "not checked: %s", why);
		return;
	}
	bad = kt_radix_check_scratch(r.ranges, r.nr_ranges, out->scratch, out->nr_scratch, NULL, NULL);
	if (bad)
		add_check(p, "overlap", KT_CHECK_FAIL, "%s of preserved memory lies inside scratch areas",
			  kt_fmt_size(bad, h));
	else
		add_check(p, "overlap", KT_CHECK_OK, "%s preserved in %zu range(s), none inside scratch",
			  kt_fmt_size(r.bytes, h2), r.nr_ranges);
	kt_radix_result_free(&r);
}

static void check_kexec(struct kt_preflight *p, const char *path)
{
	uint8_t *buf;
	size_t len;
	int ret = kt_read_file(path, 64, &buf, &len);

	if (ret == -ENOENT) {
		add_check(p, "kexec", KT_CHECK_FAIL, "%s absent: this kernel has no kexec support", path);
		return;
	}
	if (ret) {
		add_check(p, "kexec", KT_CHECK_UNKNOWN, "%s: %s", path, strerror(-ret));
		return;
	}
	if (len && buf[0] == '1')
		add_check(p, "kexec", KT_CHECK_OK, "a kexec image is loaded");
	else
		add_check(
		    p, "kexec", KT_CHECK_FAIL,
		    "no kexec image loaded: load one with kexec_file_load (kexec -s -l) before the reboot");
	free(buf);
}

static bool is_619(const struct kt_snapshot *s, const char *dev)
{
	struct stat st;

	return !stat(dev, &st) || luo_v1(kt_snapshot_sub(s, KT_OUT, LUO_SUBTREE_NAME), NULL) ||
	       luo_v1(kt_snapshot_sub(s, KT_IN, LUO_SUBTREE_NAME), NULL);
}

static void check_finalize(struct kt_preflight *p, const struct kt_snapshot *s, const char *dev)
{
	if (!s->has_finalize)
		add_check(p, "finalize", KT_CHECK_OK,
			  "not needed: this kernel finalizes KHO during the kexec reboot");
	else if (s->finalize == 1)
		add_check(p, "finalize", KT_CHECK_OK, "KHO is finalized (out/finalize = 1)");
	else if (s->finalize < 0)
		add_check(p, "finalize", KT_CHECK_UNKNOWN, "out/finalize holds no 0 or 1");
	else if (is_619(s, dev))
		add_check(p, "finalize", KT_CHECK_WARN,
			  "not finalized yet (out/finalize = 0); this LUO-era kernel "
			  "finalizes at the kexec reboot, or run 'kho-inspect finalize --yes'");
	else
		add_check(p, "finalize", KT_CHECK_FAIL,
			  "not finalized (out/finalize = 0): run 'kho-inspect finalize "
			  "--yes' before the reboot");
}

void kt_preflight_run(const struct kt_preflight_env *env, struct kt_preflight *p)
{
	const char *proc = env && env->proc ? env->proc : "/proc";
	const char *loaded = env && env->kexec_loaded ? env->kexec_loaded : "/sys/kernel/kexec_loaded";
	const char *dev = env && env->liveupdate ? env->liveupdate : LIVEUPDATE_DEV;
	const struct kt_luo_state *st;
	struct kt_view_ctx c;
	struct kt_snapshot s;
	struct stat sb;
	char err[1024], why[512];
	bool luo, dev_ok, blob;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = kt_snapshot_load(NULL, &s, err, sizeof(err));
	if (ret == -EACCES) {
		add_check(p, "debugfs", KT_CHECK_UNKNOWN, "%s", err);
	} else if (ret == -ENOENT || ret == -ENODATA) {
		add_check(p, "debugfs", KT_CHECK_OK, "readable");
		add_check(p, "kho", KT_CHECK_FAIL, "%s", err);
	} else if (ret) {
		add_check(p, "debugfs", KT_CHECK_FAIL, "%s", err);
	}
	if (ret) {
		kt_snapshot_free(&s);
		check_kexec(p, loaded);
		return;
	}
	add_check(p, "debugfs", KT_CHECK_OK, "%s readable", s.origin);
	if (s.dir[KT_OUT].present)
		add_check(p, "kho", KT_CHECK_OK, "enabled: out/ holds %zu sub-blob(s)%s",
			  s.dir[KT_OUT].nr_subs,
			  s.dir[KT_IN].present ? "; this kernel came by a KHO kexec" : "");
	else
		add_check(p, "kho", KT_CHECK_FAIL, "%s has no out/: nothing will be handed over", s.origin);
	dev_ok = !stat(dev, &sb);
	blob = kt_snapshot_sub(&s, KT_OUT, LUO_SUBTREE_NAME) != NULL;
	luo = dev_ok || blob;
	if (luo)
		add_check(p, "luo", KT_CHECK_OK, "present (%s%s%s)", dev_ok ? dev : "",
			  dev_ok && blob ? ", " : "", blob ? "out/sub_fdts/LUO" : "");
	else
		add_check(p, "luo", KT_CHECK_WARN,
			  "no LUO (%s, out/sub_fdts/LUO): only KHO memory is handed over", dev);

	c = (struct kt_view_ctx){ .snap = &s, .mask = KT_VIEW_OUT | KT_VIEW_IN };
	if (kt_view_physmem(&c))
		add_check(p, "kcore", KT_CHECK_OK, "physical memory readable");
	else
		add_check(p, "kcore", KT_CHECK_WARN, "%s: sessions and preserved memory cannot be checked",
			  c.pm_note ? c.pm_note : "no physical memory access");
	check_memory(p, &c);
	st = luo ? kt_fact_luo(&c, why, sizeof(why)) : NULL;
	check_sessions(p, st, why, luo);
	check_holder(p, proc, dev, kt_view_luo(&c), luo);
	check_kexec(p, loaded);
	check_finalize(p, &s, dev);
	kt_view_ctx_free(&c);
	kt_snapshot_free(&s);
}

int kt_preflight_verdict(const struct kt_preflight *p)
{
	if (p->count[KT_CHECK_FAIL])
		return 1;
	return p->count[KT_CHECK_UNKNOWN] ? 2 : 0;
}

void kt_preflight_free(struct kt_preflight *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->checks[i].msg);
	free(p->checks);
	memset(p, 0, sizeof(*p));
}

/* ==== manifest: building and writing ============================================ */

const char *const kt_mf_kind_name[] = { "state", "session", "file", "reserve_mem", "subtree" };

/* Each reserve-mem-v1 region of a memblock-v1 blob. -EBADMSG when the blob is no such FDT. */
static int memblock_regions(const struct kt_blob *b,
			    void (*fn)(void *ctx, const char *name, uint64_t start, uint64_t size), void *ctx)
{
	void *owned = NULL;
	const void *fdt = kt_fdt_is(b) ? kt_fdt_usable(b, &owned, NULL, NULL) : NULL;
	const char *compat;
	int node, len;

	if (!fdt)
		return -EBADMSG;
	compat = fdt_getprop(fdt, 0, "compatible", &len);
	if (!compat || len != sizeof(MEMBLOCK_COMPATIBLE) || memcmp(compat, MEMBLOCK_COMPATIBLE, len)) {
		free(owned);
		return -EBADMSG;
	}
	fdt_for_each_subnode (node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		uint64_t start, size;

		compat = fdt_getprop(fdt, node, "compatible", &len);
		if (!name || !compat || len != sizeof(RESERVE_MEM_COMPATIBLE) ||
		    memcmp(compat, RESERVE_MEM_COMPATIBLE, len) || !kt_fdt_u64(fdt, node, "start", &start) ||
		    !kt_fdt_u64(fdt, node, "size", &size))
			continue;
		fn(ctx, name, start, size);
	}
	free(owned);
	return 0;
}

static void *grow(void *v, size_t n, size_t size)
{
	void *nv = realloc(v, (n + 1) * size);

	if (!nv) {
		kt_errmsg("out of memory");
		exit(2);
	}
	memset((char *)nv + n * size, 0, size);
	return nv;
}

static void mf_add_region(void *ctx, const char *name, uint64_t start, uint64_t size)
{
	struct kt_manifest *m = ctx;

	m->regions = grow(m->regions, m->nr_regions, sizeof(*m->regions));
	m->regions[m->nr_regions++] = (struct kt_mf_region){ kt_strdup(name), start, size };
}

int kt_manifest_build(struct kt_view_ctx *c, struct kt_manifest *m, char *err, size_t errlen)
{
	const struct kt_snapshot *s = c->snap;
	const struct kt_kho_dir *out = &s->dir[KT_OUT];
	const struct kt_blob *mb = kt_snapshot_sub(s, KT_OUT, MEMBLOCK_SUBTREE_NAME);
	const struct kt_luo_state *st = NULL;
	char why[512], now[32];
	time_t t = time(NULL);
	size_t i, k;

	memset(m, 0, sizeof(*m));
	if (!out->present)
		return kt_fail(err, errlen, -ENODATA, "%s: no out/ direction: nothing will be handed over",
			     s->origin);
	if (kt_fact_luo_present(s)) {
		st = kt_fact_luo(c, why, sizeof(why));
		if (!st)
			return kt_fail(err, errlen, -ENODATA, "cannot list the LUO sessions to preserve: %s",
				     why);
	}
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	m->release = s->release ? kt_strdup(s->release) : NULL;
	m->taken = kt_strdup(s->kind == KT_SRC_LIVE || !s->taken ? now : s->taken);
	for (i = 0; st && i < st->nr_sessions; i++) {
		const struct kt_luo_session *x = &st->sessions[i];
		struct kt_mf_session *ms;

		if (x->state != KT_SESS_OUTGOING)
			continue;
		if (!x->files_known) {
			kt_manifest_free(m);
			return kt_fail(err, errlen, -ENODATA,
				     "session %s: its files are unknown (only procfs saw it)", x->name);
		}
		m->sessions = grow(m->sessions, m->nr_sessions, sizeof(*m->sessions));
		ms = &m->sessions[m->nr_sessions++];
		ms->name = kt_strdup(x->name);
		ms->files = kt_calloc(x->nr_files, sizeof(*ms->files));
		for (k = 0; k < x->nr_files; k++)
			ms->files[k] = (struct kt_mf_file){ x->files[k].token, kt_strdup(x->files[k].handler),
							    x->files[k].has_size, x->files[k].size };
		ms->nr_files = x->nr_files;
	}
	if (mb && memblock_regions(mb, mf_add_region, m)) {
		kt_manifest_free(m);
		return kt_fail(err, errlen, -EBADMSG, "%s: not a %s FDT", mb->path, MEMBLOCK_COMPATIBLE);
	}
	for (i = 0; i < out->nr_subs; i++) {
		struct kt_mf_blob *b;

		m->blobs = grow(m->blobs, m->nr_blobs, sizeof(*m->blobs));
		b = &m->blobs[m->nr_blobs++];
		b->name = kt_strdup(out->subs[i].name);
		b->size = out->subs[i].len;
		kt_sha256_hex(out->subs[i].data, out->subs[i].len, b->sha256);
		/* LUO writes its header's session and FLB addresses at the reboot. */
		b->content = strcmp(b->name, LUO_SUBTREE_NAME);
	}
	return 0;
}

void kt_manifest_write(const struct kt_manifest *m, FILE *f)
{
	struct kt_json j;
	size_t i, k;

	kt_json_init(&j, f, true);
	kt_json_obj_begin(&j, NULL);
	kt_json_u64(&j, "schema_version", KT_JSON_SCHEMA_VERSION);
	kt_json_str(&j, "kind", KT_MANIFEST_KIND);
	kt_json_str(&j, "kernel_release", m->release);
	kt_json_str(&j, "taken", m->taken);
	kt_json_arr_begin(&j, "sessions");
	for (i = 0; i < m->nr_sessions; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->sessions[i].name);
		kt_json_arr_begin(&j, "files");
		for (k = 0; k < m->sessions[i].nr_files; k++) {
			const struct kt_mf_file *x = &m->sessions[i].files[k];

			kt_json_obj_begin(&j, NULL);
			kt_json_u64(&j, "token", x->token);
			kt_json_str(&j, "handler", x->handler);
			if (x->has_size)
				kt_json_u64(&j, "size", x->size);
			else
				kt_json_null(&j, "size");
			kt_json_obj_end(&j);
		}
		kt_json_arr_end(&j);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "reserve_mem");
	for (i = 0; i < m->nr_regions; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->regions[i].name);
		kt_json_addr(&j, "start", m->regions[i].start);
		kt_json_u64(&j, "size", m->regions[i].size);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_arr_begin(&j, "subtrees");
	for (i = 0; i < m->nr_blobs; i++) {
		kt_json_obj_begin(&j, NULL);
		kt_json_str(&j, "name", m->blobs[i].name);
		kt_json_u64(&j, "size", m->blobs[i].size);
		kt_json_str(&j, "sha256", m->blobs[i].sha256);
		kt_json_bool(&j, "content", m->blobs[i].content);
		kt_json_obj_end(&j);
	}
	kt_json_arr_end(&j);
	kt_json_obj_end(&j);
	kt_json_finish(&j);
}

int kt_manifest_save(const struct kt_manifest *m, const char *path, char *err, size_t errlen)
{
	char *tmp = kt_asprintf("%s.tmp.%d", path, (int)getpid());
	struct stat st;
	FILE *f;
	int ret = 0;

	if (!lstat(path, &st)) {
		free(tmp);
		return kt_fail(err, errlen, -EEXIST, "%s: exists; not overwritten", path);
	}
	f = fopen(tmp, "wx");
	if (!f) {
		ret = kt_fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return ret;
	}
	kt_manifest_write(m, f);
	if (fflush(f) || fsync(fileno(f)))
		ret = kt_fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (fclose(f) && !ret)
		ret = kt_fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (!ret && rename(tmp, path))
		ret = kt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

void kt_manifest_free(struct kt_manifest *m)
{
	size_t i, k;

	for (i = 0; i < m->nr_sessions; i++) {
		for (k = 0; k < m->sessions[i].nr_files; k++)
			free(m->sessions[i].files[k].handler);
		free(m->sessions[i].files);
		free(m->sessions[i].name);
	}
	for (i = 0; i < m->nr_regions; i++)
		free(m->regions[i].name);
	for (i = 0; i < m->nr_blobs; i++)
		free(m->blobs[i].name);
	free(m->sessions);
	free(m->regions);
	free(m->blobs);
	free(m->release);
	free(m->taken);
	memset(m, 0, sizeof(*m));
}

/* ==== manifest: a strict JSON reader ============================================ */

/*
 * RFC 8259 syntax, with the limits of this schema: numbers are non-negative
 * integers that fit a u64, strings are at most JV_MAX_STR bytes without NUL,
 * nesting at most JV_MAX_DEPTH, duplicate keys refused. \u00XX decodes to the
 * byte XX, as kt_json writes bytes it does not trust to be UTF-8.
 */
#define JV_MAX_DEPTH  16
#define JV_MAX_STR    4096
#define JV_MAX_VALUES (1u << 22)

enum jt { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };
static const char *const jt_name[] = { "null", "a boolean", "a number", "a string", "an array", "an object" };

struct jv {
	enum jt t;
	bool b;
	uint64_t u;
	char *s;
	size_t n; /* items */
	struct jv *items;
	char **keys; /* objects */
};

struct jp {
	const uint8_t *p, *start, *end;
	size_t values;
	char *err;
	size_t errlen;
};

static void jv_free(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
}

static int jerr(struct jp *j, const char *what)
{
	return kt_fail(j->err, j->errlen, -EBADMSG, "byte %zu: %s", (size_t)(j->p - j->start), what);
}

static void jws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hex4(struct jp *j, unsigned int *v)
{
	int i;

	*v = 0;
	if (j->end - j->p < 4)
		return jerr(j, "truncated \\u escape");
	for (i = 0; i < 4; i++, j->p++) {
		int c = *j->p;

		if (!isxdigit(c))
			return jerr(j, "bad \\u escape");
		*v = *v << 4 | (unsigned int)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	return 0;
}

static int jstring(struct jp *j, char **out)
{
	char buf[JV_MAX_STR + 4];
	size_t n = 0;

	j->p++; /* the opening quote */
	for (;;) {
		unsigned int c;

		if (j->p >= j->end)
			return jerr(j, "unterminated string");
		c = *j->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return jerr(j, "control character in a string");
		if (c == '\\') {
			if (j->p >= j->end)
				return jerr(j, "unterminated string");
			c = *j->p++;
			switch (c) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				if (hex4(j, &c))
					return -EBADMSG;
				if (!c)
					return jerr(j, "\\u0000 in a string");
				if (c >= 0xd800 && c <= 0xdfff)
					return jerr(j, "surrogate \\u escape");
				if (c > 0xff) {
					/* Hand-written text: UTF-8, two or three bytes. */
					if (n + 3 > JV_MAX_STR)
						return jerr(j, "string too long");
					if (c < 0x800) {
						buf[n++] = (char)(0xc0 | c >> 6);
					} else {
						buf[n++] = (char)(0xe0 | c >> 12);
						buf[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
					}
					c = 0x80 | (c & 0x3f);
				}
				break;
			default:
				j->p--;
				return jerr(j, "unknown escape");
			}
		}
		if (n >= JV_MAX_STR)
			return jerr(j, "string too long");
		buf[n++] = (char)c;
	}
	*out = kt_calloc(1, n + 1);
	memcpy(*out, buf, n);
	return 0;
}

static int jnumber(struct jp *j, uint64_t *v)
{
	const uint8_t *s = j->p;

	if (*j->p == '-')
		return jerr(j, "negative number");
	*v = 0;
	while (j->p < j->end && isdigit(*j->p)) {
		unsigned int d = *j->p - '0';

		if (*v > (UINT64_MAX - d) / 10)
			return jerr(j, "number out of range");
		*v = *v * 10 + d;
		j->p++;
	}
	if (j->p == s)
		return jerr(j, "expected a value");
	if (j->p - s > 1 && *s == '0')
		return jerr(j, "leading zero");
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
		return jerr(j, "not an integer");
	return 0;
}

static int jvalue(struct jp *j, struct jv *v, int depth)
{
	static const struct {
		const char *lit;
		enum jt t;
		bool b;
	} lits[] = { { "true", JV_BOOL, true }, { "false", JV_BOOL, false }, { "null", JV_NULL, false } };
	size_t i;
	int ret;

	memset(v, 0, sizeof(*v));
	jws(j);
	if (j->p >= j->end)
		return jerr(j, "unexpected end");
	if (++j->values > JV_MAX_VALUES)
		return jerr(j, "too many values");
	if (*j->p == '"') {
		v->t = JV_STR;
		return jstring(j, &v->s);
	}
	if (*j->p == '{' || *j->p == '[') {
		bool obj = *j->p == '{';
		char close = obj ? '}' : ']';

		if (depth >= JV_MAX_DEPTH)
			return jerr(j, "nested too deep");
		v->t = obj ? JV_OBJ : JV_ARR;
		j->p++;
		jws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			char *key = NULL;

			if (obj) {
				jws(j);
				if (j->p >= j->end || *j->p != '"')
					return jerr(j, "expected a key");
				if (jstring(j, &key))
					return -EBADMSG;
				for (i = 0; i < v->n; i++)
					if (!strcmp(v->keys[i], key)) {
						free(key);
						return jerr(j, "duplicate key");
					}
				jws(j);
				if (j->p >= j->end || *j->p != ':') {
					free(key);
					return jerr(j, "expected ':'");
				}
				j->p++;
				v->keys = grow(v->keys, v->n, sizeof(*v->keys));
				v->keys[v->n] = key;
			}
			v->items = grow(v->items, v->n, sizeof(*v->items));
			ret = jvalue(j, &v->items[v->n], depth + 1);
			v->n++;
			if (ret)
				return ret;
			jws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == close) {
				j->p++;
				return 0;
			}
			return jerr(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	}
	for (i = 0; i < KT_ARRAY_SIZE(lits); i++)
		if ((size_t)(j->end - j->p) >= strlen(lits[i].lit) &&
		    !memcmp(j->p, lits[i].lit, strlen(lits[i].lit))) {
			j->p += strlen(lits[i].lit);
			v->t = lits[i].t;
			v->b = lits[i].b;
			return 0;
		}
	v->t = JV_NUM;
	return jnumber(j, &v->u);
}

/* ---- the schema over the parsed tree ---- */

static const struct jv *jget(const struct jv *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->items[i];
	return NULL;
}

/* A member of type t (JV_NULL accepted too when nullable); NULL with err when it is not. */
static const struct jv *want(const struct jv *o, const char *key, enum jt t, bool nullable, const char *where,
			     char *err, size_t errlen)
{
	const struct jv *v = jget(o, key);

	if (!v) {
		kt_fail(err, errlen, -EBADMSG, "%s: no \"%s\"", where, key);
		return NULL;
	}
	if (v->t != t && !(nullable && v->t == JV_NULL)) {
		kt_fail(err, errlen, -EBADMSG, "%s.%s: expected %s, found %s", where, key, jt_name[t],
		      jt_name[v->t]);
		return NULL;
	}
	return v;
}

static const char *want_name(const struct jv *o, const char *key, size_t max, const char *where, char *err,
			     size_t errlen)
{
	const struct jv *v = want(o, key, JV_STR, false, where, err, errlen);

	if (v && (!v->s[0] || strlen(v->s) > max)) {
		kt_fail(err, errlen, -EBADMSG, "%s.%s: empty or longer than %zu bytes", where, key, max);
		return NULL;
	}
	return v ? v->s : NULL;
}

static int mf_session(const struct jv *v, const char *where, struct kt_mf_session *ms, char *err,
		      size_t errlen)
{
	const struct jv *files;
	const char *name;
	char w[128];
	size_t k, i;

	if (v->t != JV_OBJ)
		return kt_fail(err, errlen, -EBADMSG, "%s: expected an object", where);
	name = want_name(v, "name", LUO_SESSION_NAME_LEN - 1, where, err, errlen);
	files = name ? want(v, "files", JV_ARR, false, where, err, errlen) : NULL;
	if (!files)
		return -EBADMSG;
	ms->name = kt_strdup(name);
	ms->files = kt_calloc(files->n, sizeof(*ms->files));
	for (k = 0; k < files->n; k++) {
		const struct jv *f = &files->items[k], *tok, *size;
		const char *h;

		snprintf(w, sizeof(w), "%s.files[%zu]", where, k);
		if (f->t != JV_OBJ)
			return kt_fail(err, errlen, -EBADMSG, "%s: expected an object", w);
		tok = want(f, "token", JV_NUM, false, w, err, errlen);
		h = tok ? want_name(f, "handler", LUO_HANDLER_COMPAT_LEN - 1, w, err, errlen) : NULL;
		if (!h)
			return -EBADMSG;
		for (i = 0; i < ms->nr_files; i++)
			if (ms->files[i].token == tok->u)
				return kt_fail(err, errlen, -EBADMSG, "%s.token: %" PRIu64 " listed twice", w,
					     tok->u);
		size = jget(f, "size");
		if (size && size->t != JV_NUM && size->t != JV_NULL)
			return kt_fail(err, errlen, -EBADMSG, "%s.size: expected a number or null", w);
		ms->files[ms->nr_files++] =
		    (struct kt_mf_file){ tok->u, kt_strdup(h), size && size->t == JV_NUM,
					 size && size->t == JV_NUM ? size->u : 0 };
	}
	return 0;
}

static int parse_addr(const char *s, uint64_t *v)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return -EINVAL;
	*v = 0;
	for (i = 2; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		*v = *v << 4 |
		     (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0'
							     : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return 0;
}

static int mf_region(const struct jv *v, const char *where, struct kt_mf_region *r, char *err, size_t errlen)
{
	const struct jv *start, *size;
	const char *name;

	if (v->t != JV_OBJ)
		return kt_fail(err, errlen, -EBADMSG, "%s: expected an object", where);
	name = want_name(v, "name", 255, where, err, errlen);
	start = name ? want(v, "start", JV_STR, false, where, err, errlen) : NULL;
	size = start ? want(v, "size", JV_NUM, false, where, err, errlen) : NULL;
	if (!size)
		return -EBADMSG;
	if (parse_addr(start->s, &r->start))
		return kt_fail(err, errlen, -EBADMSG, "%s.start: expected \"0x...\", found \"%s\"", where,
			     start->s);
	r->name = kt_strdup(name);
	r->size = size->u;
	return 0;
}

static int mf_blob(const struct jv *v, const char *where, struct kt_mf_blob *b, char *err, size_t errlen)
{
	const struct jv *size, *sha, *content;
	const char *name;
	size_t i;

	if (v->t != JV_OBJ)
		return kt_fail(err, errlen, -EBADMSG, "%s: expected an object", where);
	name = want_name(v, "name", 255, where, err, errlen);
	size = name ? want(v, "size", JV_NUM, false, where, err, errlen) : NULL;
	sha = size ? want(v, "sha256", JV_STR, false, where, err, errlen) : NULL;
	content = sha ? want(v, "content", JV_BOOL, false, where, err, errlen) : NULL;
	if (!content)
		return -EBADMSG;
	if (strchr(name, '/'))
		return kt_fail(err, errlen, -EBADMSG, "%s.name: \"%s\" holds a '/'", where, name);
	for (i = 0;
	     sha->s[i] && (isdigit((unsigned char)sha->s[i]) || (sha->s[i] >= 'a' && sha->s[i] <= 'f')); i++)
		;
	if (i != 64 || sha->s[i])
		return kt_fail(err, errlen, -EBADMSG, "%s.sha256: expected 64 lowercase hex digits", where);
	b->name = kt_strdup(name);
	b->size = size->u;
	memcpy(b->sha256, sha->s, 65);
	b->content = content->b;
	return 0;
}

static int mf_schema(const struct jv *root, struct kt_manifest *m, char *err, size_t errlen)
{
	const struct jv *ver, *kind, *rel, *taken, *sessions, *regions, *blobs;
	char where[64];
	size_t i, k;
	int ret;

	if (root->t != JV_OBJ)
		return kt_fail(err, errlen, -EBADMSG, "not a JSON object");
	ver = want(root, "schema_version", JV_NUM, false, "manifest", err, errlen);
	if (!ver)
		return -EBADMSG;
	if (ver->u != KT_JSON_SCHEMA_VERSION)
		return kt_fail(err, errlen, -EBADMSG, "schema_version %" PRIu64 " (this tool reads %d)", ver->u,
			     KT_JSON_SCHEMA_VERSION);
	kind = want(root, "kind", JV_STR, false, "manifest", err, errlen);
	if (!kind)
		return -EBADMSG;
	if (strcmp(kind->s, KT_MANIFEST_KIND))
		return kt_fail(err, errlen, -EBADMSG, "kind \"%s\": not a %s", kind->s, KT_MANIFEST_KIND);
	rel = want(root, "kernel_release", JV_STR, true, "manifest", err, errlen);
	taken = rel ? want(root, "taken", JV_STR, true, "manifest", err, errlen) : NULL;
	sessions = taken ? want(root, "sessions", JV_ARR, false, "manifest", err, errlen) : NULL;
	regions = sessions ? want(root, "reserve_mem", JV_ARR, false, "manifest", err, errlen) : NULL;
	blobs = regions ? want(root, "subtrees", JV_ARR, false, "manifest", err, errlen) : NULL;
	if (!blobs)
		return -EBADMSG;
	m->release = rel->s ? kt_strdup(rel->s) : NULL;
	m->taken = taken->s ? kt_strdup(taken->s) : NULL;
	m->sessions = kt_calloc(sessions->n, sizeof(*m->sessions));
	for (i = 0; i < sessions->n; i++) {
		snprintf(where, sizeof(where), "sessions[%zu]", i);
		ret = mf_session(&sessions->items[i], where, &m->sessions[m->nr_sessions++], err, errlen);
		if (ret)
			return ret;
		for (k = 0; k < i; k++)
			if (!strcmp(m->sessions[k].name, m->sessions[i].name))
				return kt_fail(err, errlen, -EBADMSG, "%s.name: \"%s\" listed twice", where,
					     m->sessions[i].name);
	}
	m->regions = kt_calloc(regions->n, sizeof(*m->regions));
	for (i = 0; i < regions->n; i++) {
		snprintf(where, sizeof(where), "reserve_mem[%zu]", i);
		ret = mf_region(&regions->items[i], where, &m->regions[m->nr_regions], err, errlen);
		if (ret)
			return ret;
		m->nr_regions++;
	}
	m->blobs = kt_calloc(blobs->n, sizeof(*m->blobs));
	for (i = 0; i < blobs->n; i++) {
		snprintf(where, sizeof(where), "subtrees[%zu]", i);
		ret = mf_blob(&blobs->items[i], where, &m->blobs[m->nr_blobs], err, errlen);
		if (ret)
			return ret;
		m->nr_blobs++;
	}
	return 0;
}

int kt_manifest_parse(const uint8_t *buf, size_t len, struct kt_manifest *m, char *err, size_t errlen)
{
	struct jp j = { buf, buf, buf + len, 0, err, errlen };
	struct jv root;
	int ret;

	memset(m, 0, sizeof(*m));
	if (len > KT_MANIFEST_MAX)
		return kt_fail(err, errlen, -EFBIG, "larger than %lu MiB", KT_MANIFEST_MAX >> 20);
	ret = jvalue(&j, &root, 0);
	if (!ret) {
		jws(&j);
		if (j.p != j.end)
			ret = jerr(&j, "trailing data after the JSON object");
	}
	if (!ret)
		ret = mf_schema(&root, m, err, errlen);
	jv_free(&root);
	if (ret)
		kt_manifest_free(m);
	return ret;
}

/* ==== manifest: verification ===================================================== */

struct vctx {
	const struct kt_verify_ops *ops;
	void *ctx;
	struct kt_verify_counts *n;
	/* incoming regions, for the memblock pass */
	struct kt_mf_region *in;
	size_t nr_in;
};

static void problem(struct vctx *v, enum kt_mf_kind kind, const char *name, const char *change,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct vctx *v, enum kt_mf_kind kind, const char *name, const char *change,
		    const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	v->n->problems++;
	if (v->ops && v->ops->problem)
		v->ops->problem(v->ctx, kind, name, change, m ? m : change);
	free(m);
}

static void in_region(void *ctx, const char *name, uint64_t start, uint64_t size)
{
	struct vctx *v = ctx;

	v->in = grow(v->in, v->nr_in, sizeof(*v->in));
	v->in[v->nr_in++] = (struct kt_mf_region){ kt_strdup(name), start, size };
}

static void verify_blobs(const struct kt_manifest *m, const struct kt_snapshot *s, struct vctx *v)
{
	size_t i;

	for (i = 0; i < m->nr_blobs; i++) {
		const struct kt_mf_blob *b = &m->blobs[i];
		const struct kt_blob *in = kt_snapshot_sub(s, KT_IN, b->name);
		char sha[KT_SHA256_HEX];

		v->n->blobs++;
		if (!in) {
			problem(v, KT_MF_BLOB, b->name, "missing", "missing subtree %s (%" PRIu64 " bytes)",
				b->name, b->size);
			continue;
		}
		if (!b->content)
			continue;
		kt_sha256_hex(in->data, in->len, sha);
		if (in->len != b->size)
			problem(v, KT_MF_BLOB, b->name, "changed",
				"changed subtree %s: size %" PRIu64 " -> %zu", b->name, b->size, in->len);
		else if (strcmp(sha, b->sha256))
			problem(v, KT_MF_BLOB, b->name, "changed",
				"changed subtree %s: content (sha256 %.12s -> %.12s)", b->name, b->sha256,
				sha);
	}
}

static void verify_regions(const struct kt_manifest *m, const struct kt_snapshot *s, struct vctx *v)
{
	const struct kt_blob *mb = kt_snapshot_sub(s, KT_IN, MEMBLOCK_SUBTREE_NAME);
	bool bad = mb && memblock_regions(mb, in_region, v);
	size_t i, k;

	for (i = 0; i < m->nr_regions; i++) {
		const struct kt_mf_region *r = &m->regions[i];

		v->n->regions++;
		for (k = 0; k < v->nr_in && strcmp(v->in[k].name, r->name); k++)
			;
		if (k == v->nr_in) {
			problem(v, KT_MF_REGION, r->name, "missing", "missing reserve-mem %s (%s)", r->name,
				!mb   ? "no in/sub_fdts/memblock"
				: bad ? "in/sub_fdts/memblock is malformed"
				      : "not in in/sub_fdts/memblock");
			continue;
		}
		if (v->in[k].start != r->start || v->in[k].size != r->size)
			problem(v, KT_MF_REGION, r->name, "changed",
				"changed reserve-mem %s: 0x%" PRIx64 "+%" PRIu64 " -> 0x%" PRIx64 "+%" PRIu64,
				r->name, r->start, r->size, v->in[k].start, v->in[k].size);
	}
}

static const struct kt_luo_session *incoming_session(const struct kt_luo_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_sessions; i++)
		if (st->sessions[i].state != KT_SESS_OUTGOING && !strcmp(st->sessions[i].name, name))
			return &st->sessions[i];
	return NULL;
}

static void verify_sessions(const struct kt_manifest *m, const struct kt_luo_state *st, struct vctx *v)
{
	char h[32];
	size_t i, k, f;

	for (i = 0; i < m->nr_sessions; i++) {
		const struct kt_mf_session *ms = &m->sessions[i];
		const struct kt_luo_session *x = incoming_session(st, ms->name);

		v->n->sessions++;
		v->n->files += ms->nr_files;
		if (!x) {
			problem(v, KT_MF_SESSION, ms->name, "missing", "missing session %s (%zu file%s)",
				ms->name, ms->nr_files, ms->nr_files == 1 ? "" : "s");
			continue;
		}
		for (k = 0; k < ms->nr_files; k++) {
			const struct kt_mf_file *mf = &ms->files[k];
			const struct kt_luo_file *xf = NULL;
			char *name = kt_asprintf("%s/%" PRIu64, ms->name, mf->token);

			for (f = 0; f < x->nr_files && !xf; f++)
				if (x->files[f].token == mf->token)
					xf = &x->files[f];
			if (!xf)
				problem(v, KT_MF_FILE, name, "missing",
					"missing file %s token=%" PRIu64 " (%s%s%s)", ms->name, mf->token,
					mf->handler, mf->has_size ? ", " : "",
					mf->has_size ? kt_fmt_size(mf->size, h) : "");
			else if (strcmp(xf->handler, mf->handler))
				problem(v, KT_MF_FILE, name, "changed",
					"changed file %s token=%" PRIu64 ": handler %s -> %s", ms->name,
					mf->token, mf->handler, xf->handler);
			else if (mf->has_size && xf->has_size && xf->size != mf->size)
				problem(v, KT_MF_FILE, name, "changed",
					"changed file %s token=%" PRIu64 ": size %" PRIu64 " -> %" PRIu64,
					ms->name, mf->token, mf->size, xf->size);
			else if (mf->has_size && !xf->has_size)
				v->n->sizes_unknown++;
			free(name);
		}
	}
}

int kt_manifest_verify(const struct kt_manifest *m, struct kt_view_ctx *c, const struct kt_verify_ops *ops,
		       void *ctx, struct kt_verify_counts *n, char *err, size_t errlen)
{
	const struct kt_snapshot *s = c->snap;
	struct vctx v = { ops, ctx, n, NULL, 0 };
	const struct kt_luo_state *st = NULL;
	char why[512];
	size_t i;

	memset(n, 0, sizeof(*n));
	if (!s->dir[KT_IN].present) {
		problem(&v, KT_MF_STATE, "in", "missing",
			"no incoming KHO state (no in/): this kernel was not started by a KHO kexec");
		return 0;
	}
	if (m->nr_sessions) {
		st = kt_fact_luo(c, why, sizeof(why));
		if (!st)
			return kt_fail(err, errlen, -ENODATA, "cannot tell whether the sessions arrived: %s",
				     why);
	}
	verify_blobs(m, s, &v);
	verify_regions(m, s, &v);
	if (st)
		verify_sessions(m, st, &v);
	for (i = 0; i < v.nr_in; i++)
		free(v.in[i].name);
	free(v.in);
	return 0;
}

/* ==== finalize / abort ============================================================ */

int kt_finalize_plan(const struct kt_snapshot *s, int target, struct kt_finalize_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->target = target;
	p->current = -1;
	p->path = kt_asprintf("%s/out/finalize", s->origin);
	if (!s->has_finalize) {
		p->reason =
		    kt_asprintf("this kernel has no KHO finalize control (%s): 7.x finalizes KHO during the "
				"kexec reboot; check readiness with 'kho-inspect preflight'",
				p->path);
		return -ENOTSUP;
	}
	p->is_619 = is_619(s, LIVEUPDATE_DEV);
	if (!target && p->is_619) {
		p->reason =
		    kt_strdup("this kernel has KHO finalize but no abort: 6.19 removed it (told apart from "
			      "6.16-6.18 by " LIVEUPDATE_DEV " or a luo-v1 LUO sub-blob)");
		return -ENOTSUP;
	}
	if (s->finalize < 0) {
		p->reason = kt_asprintf("%s holds neither 0 nor 1", p->path);
		return -EBADMSG;
	}
	p->current = s->finalize;
	return 0;
}

int kt_finalize_apply(const struct kt_finalize_plan *p, int *now)
{
	char v[2] = { p->target ? '1' : '0', '\n' };
	uint8_t *buf;
	size_t len;
	ssize_t w;
	int fd, ret = 0;

	/* What `echo 1 > out/finalize` does; the kernel answers the write itself (EBUSY, EINVAL, ...). */
	fd = open(p->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, v, sizeof(v));
	if (w < 0)
		ret = -errno;
	else if (w != sizeof(v))
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		return ret;
	ret = kt_read_file(p->path, 64, &buf, &len);
	if (ret)
		return ret;
	*now = len && (buf[0] == '0' || buf[0] == '1') ? buf[0] - '0' : -1;
	free(buf);
	return 0;
}

void kt_finalize_plan_free(struct kt_finalize_plan *p)
{
	free(p->path);
	free(p->reason);
	memset(p, 0, sizeof(*p));
}

/* ==== metrics ====================================================================== */

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

static void m_luo(FILE *f, const struct kt_luo_state *st)
{
	uint64_t n[KT_SESS_NR_STATES] = { 0 };
	const char *seen[256];
	size_t nseen = 0, i, k, h;
	int d;

	for (i = 0; i < st->nr_sessions; i++)
		n[st->sessions[i].state]++;
	m_family(f, "kho_luo_sessions", "gauge", "LUO sessions by state.");
	for (i = 0; i < KT_SESS_NR_STATES; i++)
		m_sample(f, "kho_luo_sessions", n[i], "state", kt_sess_state_name[i], NULL);
	nseen = kt_luo_handlers(st, seen, KT_ARRAY_SIZE(seen));
	m_family(f, "kho_luo_files", "gauge", "Preserved files per file handler and direction.");
	for (h = 0; h < nseen; h++)
		for (d = 0; d < KT_NR_DIRS; d++) {
			uint64_t files = 0;

			for (i = 0; i < st->nr_sessions; i++)
				for (k = 0; k < st->sessions[i].nr_files; k++)
					files +=
					    (st->sessions[i].state != KT_SESS_OUTGOING) == (d == KT_IN) &&
					    !strcmp(st->sessions[i].files[k].handler, seen[h]);
			m_sample(f, "kho_luo_files", files, "handler", seen[h], "direction", kt_dirn_name[d],
				 NULL);
		}
	m_family(f, "kho_luo_file_bytes", "gauge",
		 "Bytes of preserved files per file handler and direction.");
	for (h = 0; h < nseen; h++)
		for (d = 0; d < KT_NR_DIRS; d++) {
			uint64_t bytes = 0;

			for (i = 0; i < st->nr_sessions; i++)
				for (k = 0; k < st->sessions[i].nr_files; k++) {
					const struct kt_luo_file *x = &st->sessions[i].files[k];

					if ((st->sessions[i].state != KT_SESS_OUTGOING) == (d == KT_IN) &&
					    !strcmp(x->handler, seen[h]) && x->has_size)
						bytes += x->size;
				}
			m_sample(f, "kho_luo_file_bytes", bytes, "handler", seen[h], "direction",
				 kt_dirn_name[d], NULL);
		}
	m_family(f, "kho_luo_flbs", "gauge", "LUO file-lifecycle-bound global objects.");
	m_sample(f, "kho_luo_flbs", st->nr_flbs, NULL);
	m_family(f, "kho_luo_flb_files", "gauge", "Files depending on each FLB.");
	for (i = 0; i < st->nr_flbs; i++) {
		for (k = 0; k < i && strcmp(st->flbs[k].name, st->flbs[i].name); k++)
			;
		if (k == i)
			m_sample(f, "kho_luo_flb_files", st->flbs[i].count, "flb", st->flbs[i].name, NULL);
	}
}

void kt_metrics_write(FILE *f, struct kt_view_ctx *c)
{
	const struct kt_snapshot *s = c ? c->snap : NULL;
	const struct kt_luo_state *st;
	uint64_t v;
	enum kt_dirn dir;
	size_t areas, i;
	char why[512];
	int d;

	m_family(f, "kho_enabled", "gauge", "Whether Kexec HandOver is enabled (kho/ in debugfs).");
	m_sample(f, "kho_enabled", s != NULL, NULL);
	if (!s)
		return;
	m_family(f, "kho_incoming", "gauge",
		 "Whether this kernel was started by a KHO kexec (kho/in present).");
	m_sample(f, "kho_incoming", s->dir[KT_IN].present, NULL);
	v = scratch_total(s, &areas);
	m_family(f, "kho_scratch_areas", "gauge", "Scratch areas the next kernel boots in.");
	m_sample(f, "kho_scratch_areas", areas, NULL);
	m_family(f, "kho_scratch_bytes", "gauge", "Bytes of the scratch areas.");
	m_sample(f, "kho_scratch_bytes", v, NULL);
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
	if (!kt_fact_kexec_count(s, &v)) {
		m_family(f, "kho_kexecs_total", "counter",
			 "Kexec reboots that led to this kernel (kexec-metadata).");
		m_sample(f, "kho_kexecs_total", v, NULL);
	}
	if (!kt_fact_liveupdate_number(s, &v)) {
		m_family(f, "kho_luo_live_updates_total", "counter", "This kernel's LUO live-update number.");
		m_sample(f, "kho_luo_live_updates_total", v, NULL);
	}
	st = kt_fact_luo_present(s) ? kt_fact_luo(c, why, sizeof(why)) : NULL;
	m_family(f, "kho_luo_state_up", "gauge", "Whether the LUO sessions could be read.");
	m_sample(f, "kho_luo_state_up", st != NULL, NULL);
	if (st)
		m_luo(f, st);
}
