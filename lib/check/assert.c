// SPDX-License-Identifier: GPL-2.0-only
/* assert: a small grammar of predicates over one snapshot's state (see assert.h). */
#include "check/assert.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/size.h"
#include "base/util.h"
#include "model/facts.h"

enum subj { S_NONE, S_SUBTREE, S_SESSION, S_HANDLER, S_FLB, S_INCOMING };
enum key {
	K_PRESERVED,
	K_SCRATCH,
	K_SESSIONS,
	K_FILES,
	K_FLBS,
	K_KEXEC,
	K_LUNUM,
	K_BYTES,
	K_STATE,
	K_FLB_STATE,
	K_DATA,
	K_SIZE,
	K_NR_KEYS,
};
enum vtype { V_COUNT, V_SIZE, V_STATE, V_FLB_STATE, V_ADDR };
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
    {"preserved", K_PRESERVED, V_SIZE, IN_TOP},
    {"scratch", K_SCRATCH, V_SIZE, IN_TOP},
    {"bootmem", K_SCRATCH, V_SIZE, IN_TOP}, /* 7.4's word for the same areas */
    {"sessions", K_SESSIONS, V_COUNT, IN_TOP | IN_HANDLER},
    {"files", K_FILES, V_COUNT, IN_TOP | IN_SESSION | IN_HANDLER | IN_FLB},
    {"flbs", K_FLBS, V_COUNT, IN_TOP},
    {"kexec-count", K_KEXEC, V_COUNT, IN_TOP},
    {"liveupdate-number", K_LUNUM, V_COUNT, IN_TOP},
    {"bytes", K_BYTES, V_SIZE, IN_SESSION | IN_HANDLER},
    {"state", K_STATE, V_STATE, IN_SESSION},
    {"state", K_FLB_STATE, V_FLB_STATE, IN_FLB},
    {"data", K_DATA, V_ADDR, IN_FLB},
    {"size", K_SIZE, V_SIZE, IN_SUBTREE},
};

static const char *const subj_name[] = {"", "subtree", "session", "handler", "flb", "incoming"};
/* Longest first, so ">=" is not read as ">". */
static const struct {
	const char *text;
	enum op op;
} ops[] = {{">=", OP_GE}, {"<=", OP_LE}, {"!=", OP_NE}, {"==", OP_EQ},
	   {"=", OP_EQ},  {">", OP_GT},	 {"<", OP_LT}};

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
	size_t nconds, cap_conds;
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
	/* The key of this name for this subject, else the first of this name (to say it is wrong here). */
	for (i = 0; i < KT_ARRAY_SIZE(keydefs); i++)
		if (strlen(keydefs[i].name) == klen && !strncmp(keydefs[i].name, w, klen) &&
		    (!c->k || (keydefs[i].where & (1u << subj))))
			c->k = &keydefs[i];
	if (!c->k || !(c->k->where & (1u << subj)))
		return kt_fail(err, errlen, c->k ? -EDOM : -EINVAL, "'%s': no '%.*s' %s%s", w, (int)klen, w,
			       subj == S_NONE ? "predicate" : "condition for ", subj_name[subj]);
	if (!*v)
		return kt_fail(err, errlen, -EINVAL, "'%s': no value after '%s'", w, optext);
	if (c->k->type == V_STATE || c->k->type == V_FLB_STATE) {
		const char *const *names = c->k->type == V_STATE ? kt_sess_state_name : kt_flb_state_name;
		size_t n = c->k->type == V_STATE ? KT_SESS_NR_STATES : KT_FLB_NR_STATES, k, used = 0;
		char all[256];

		if (c->op != OP_EQ && c->op != OP_NE)
			return kt_fail(err, errlen, -EINVAL, "'%s': a state compares only with = or !=", w);
		for (i = 0; i < n; i++)
			if (!strcmp(v, names[i]))
				break;
		if (i == n) {
			for (k = 0; k < n && used < sizeof(all); k++)
				used +=
				    snprintf(all + used, sizeof(all) - used, "%s%s", k ? ", " : "", names[k]);
			return kt_fail(err, errlen, -EINVAL, "'%s': unknown state '%s' (%s)", w, v, all);
		}
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
			KT_GROW(w, cap, n + 1);
			w[n++] = (struct word){kt_strdup(tok), multi ? a : -1};
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
			return kt_fail(
			    err, errlen, -EINVAL,
			    "'%s': unknown predicate (subtree, session, handler, flb, incoming, or "
			    "KEY OP VALUE)",
			    word);
		if (ret)
			return -EINVAL;
		e->subj = S_NONE;
		KT_GROW(e->conds, e->cap_conds, 1);
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
		KT_GROW(e->conds, e->cap_conds, e->nconds + 1);
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
			KT_GROW(a->exprs, a->cap, a->n + 1);
			a->exprs[a->n++] = e;
			continue;
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
	if (k->type == V_FLB_STATE)
		return kt_strdup(v < KT_FLB_NR_STATES ? kt_flb_state_name[v] : "?");
	if (k->type == V_ADDR)
		return kt_asprintf("0x%" PRIx64, v);
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

static int eval_top(const struct kt_assert_expr *e, struct kt_state *c, const struct kt_luo_state *st,
		    bool *ok, char **seen, char *err, size_t errlen)
{
	uint64_t values[K_NR_KEYS] = {0};
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
		values[K_SCRATCH] = kt_snapshot_areas(c->snap)->total;
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
		if (kt_fact_kexec_count(c, &values[K_KEXEC]))
			return kt_fail(err, errlen, -ENODATA,
				       "no usable kexec-metadata sub-blob in either direction");
		break;
	case K_LUNUM:
		if (kt_fact_liveupdate_number(c, &values[K_LUNUM]))
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
	uint64_t values[K_NR_KEYS] = {0};
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

static void eval_handler(const struct kt_assert_expr *e, struct kt_state *c, bool *ok, char **seen)
{
	uint64_t values[K_NR_KEYS] = {0};
	const struct kt_luo_handler *h;
	size_t n, i;

	h = kt_state_handlers(c, &n);
	for (i = 0; i < n; i++)
		if (!strcmp(h[i].name, e->name)) {
			values[K_FILES] = h[i].files[KT_OUT] + h[i].files[KT_IN];
			values[K_BYTES] = h[i].bytes[KT_OUT] + h[i].bytes[KT_IN];
			values[K_SESSIONS] = h[i].sessions;
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

/* An FLB has a record per direction: the expression holds when one of them satisfies it. */
static void eval_flb(const struct kt_assert_expr *e, const struct kt_luo_state *st, bool *ok, char **seen)
{
	char *first = NULL;
	size_t i;

	*ok = false;
	for (i = 0; i < st->nr_flbs && !*ok; i++) {
		const struct kt_luo_flb *f = &st->flbs[i];
		uint64_t values[K_NR_KEYS] = {0};
		char *s = NULL, *t;

		if (strcmp(f->name, e->name))
			continue;
		values[K_FILES] = f->count;
		values[K_FLB_STATE] = f->state;
		values[K_DATA] = f->data;
		*ok = conds_hold(e, values, &s);
		if (s)
			t = kt_asprintf("%s %s", f->incoming ? "in" : "out", s);
		else
			t = kt_asprintf("%s state=%s files=%" PRIu64, f->incoming ? "in" : "out",
					kt_flb_state_name[f->state], f->count);
		free(s);
		if (*ok || !first) {
			free(first);
			first = t;
		} else {
			free(t);
		}
	}
	*seen = first ? first : kt_strdup("no such FLB");
}

static void eval_subtree(const struct kt_assert_expr *e, const struct kt_snapshot *s, bool *ok, char **seen)
{
	uint64_t values[K_NR_KEYS] = {0};
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

int kt_assert_eval(const struct kt_assert *a, struct kt_state *c, struct kt_assert_result **res, char *err,
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
			eval_handler(e, c, &ok, &r[i].seen);
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

static const struct kt_colspec result_cols[] = {
    {"EXPR", "the expression, as given", 0},
    {"RESULT", "ok or FAIL", 0},
    {"SEEN", "what was found, in the expression's own terms", 0},
};
const struct kt_table_def kt_assert_table = {result_cols, KT_ARRAY_SIZE(result_cols), "EXPR,RESULT,SEEN"};

void kt_assert_rows(const struct kt_assert_result *res, size_t n, bool all, struct kt_rows *r)
{
	size_t i, row;

	kt_rows_init(r, &kt_assert_table);
	for (i = 0; i < n; i++) {
		if (res[i].ok && !all)
			continue;
		row = kt_rows_add(r, KT_ROW_NONE);
		kt_rows_str(r, row, "EXPR", "%s", res[i].expr);
		kt_rows_str(r, row, "RESULT", "%s", res[i].ok ? "ok" : "FAIL");
		kt_rows_str(r, row, "SEEN", "%s", res[i].seen);
	}
}
