// SPDX-License-Identifier: GPL-2.0-only
/*
 * luo-top's session rows (tools/luo-top/src_luo.c): one per session of the LUO state,
 * owners and systemd names from it; traced totals merged by name; sessions only tracing
 * saw shown while they can be real (a live one traced since the LUO read began, a
 * released one for LT_RELEASED_NS after its release).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "luo-top.h"
#include "model/luo_state.h"

#define SEC 1000000000ULL
#define NOW (100 * SEC)

static struct kt_trace_session traced(const char *name, enum kt_sstate state, uint64_t last_ns,
				      uint64_t calls)
{
	struct kt_trace_session t;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.st.state = state;
	t.st.last_ns = last_ns;
	t.st.calls = calls;
	t.st.files = 2;
	t.st.pid = 42;
	return t;
}

static const struct lt_session *row(const struct lt_sessions *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

static void test_rows(void **state)
{
	struct kt_luo_state st = {0};
	struct lt_sessions s = {0};
	struct kt_luo_session *x;
	const struct lt_session *r;
	struct kt_trace_session v[6];

	(void)state;
	x = kt_luo_add_session(&st, "vm-a", KT_SESS_OUTGOING);
	x->files_known = true;
	kt_luo_add_file(x)->size = 4096;
	x->files[0].has_size = true;
	x->unit = strdup("vmm.service");
	x->fdname = strdup("guest");
	kt_luo_add_session(&st, "vm-b", KT_SESS_INCOMING);
	lt_sessions_from_luo(&st, &s);
	assert_int_equal(s.n, 2);
	r = row(&s, "vm-a");
	assert_non_null(r);
	assert_string_equal(r->unit, "vmm.service");
	assert_string_equal(r->fdname, "guest");
	assert_int_equal(r->files, 1);
	assert_int_equal(r->bytes, 4096);
	assert_null(row(&s, "vm-b")->unit);
	assert_int_equal(row(&s, "vm-b")->files, -1);

	v[0] = traced("vm-a", KT_SS_CREATED, NOW - SEC, 7);
	v[1] = traced("live-new", KT_SS_CREATED, NOW - SEC, 1);	     /* after the LUO read began */
	v[2] = traced("live-old", KT_SS_CREATED, NOW - 30 * SEC, 1); /* before: the read did not list it */
	v[3] = traced("gone-recent", KT_SS_RELEASED, NOW - 9 * SEC, 3);
	v[4] = traced("gone-long-ago", KT_SS_RELEASED, NOW - 11 * SEC, 3);
	v[5] = traced("gone-future", KT_SS_RELEASED, NOW + SEC, 3); /* released since "now" was taken */
	lt_sessions_merge_bpf(&s, v, 6, NOW - 2 * SEC, NOW);
	assert_int_equal(row(&s, "vm-a")->calls, 7);
	assert_string_equal(row(&s, "vm-a")->unit, "vmm.service");
	assert_non_null(row(&s, "live-new"));
	assert_int_equal(row(&s, "live-new")->pid, 42);
	assert_null(row(&s, "live-old"));
	assert_string_equal(row(&s, "gone-recent")->state, "released");
	assert_null(row(&s, "gone-long-ago"));
	assert_non_null(row(&s, "gone-future"));
	assert_int_equal(s.n, 5);
	lt_sessions_free(&s);
	kt_luo_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests_name("lt_rows", tests, NULL, NULL);
}
