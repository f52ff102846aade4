/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * assert: a small grammar of predicates over one snapshot, for upgrade scripts:
 *   [not] KEY OP VALUE                    preserved>=1G, sessions=4, kexec-count=1, ...
 *   [not] subtree [out/|in/]NAME [size OP VALUE]
 *   [not] session NAME [files|bytes|state OP VALUE ...]
 *   [not] handler NAME [sessions|files|bytes OP VALUE ...]
 *   [not] flb NAME [files OP VALUE]
 *   [not] incoming
 */
#ifndef KT_ASSERT_H
#define KT_ASSERT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/state.h"
#include "view/rows.h"

struct kt_assert_expr;

struct kt_assert {
	struct kt_assert_expr *exprs;
	size_t n, cap;
};

struct kt_assert_result {
	char *expr; /* as typed, words joined by one space */
	bool ok;
	char *seen; /* what was found, in the expression's own terms */
};

/*
 * Parse the command's arguments. An argument holding several words is one whole
 * expression; single-word arguments are joined: subtree/session/handler/flb take
 * the next word as NAME and then the following words that are conditions of that
 * subject. -EINVAL with a one-line reason naming the expression.
 */
int kt_assert_parse(int argc, char *const *argv, struct kt_assert *a, char *err, size_t errlen);
/*
 * Evaluate every expression; res[i] belongs to a->exprs[i]. -errno with a reason
 * when a needed part of the state cannot be read (nothing in res then).
 */
int kt_assert_eval(const struct kt_assert *a, struct kt_state *st, struct kt_assert_result **res, char *err,
		   size_t errlen);
void kt_assert_results_free(struct kt_assert_result *res, size_t n);
extern const struct kt_table_def kt_assert_table;
/* The results as rows (EXPR, RESULT, SEEN): the failed ones, or with all every one. */
void kt_assert_rows(const struct kt_assert_result *res, size_t n, bool all, struct kt_rows *r);
void kt_assert_free(struct kt_assert *a);

#endif
