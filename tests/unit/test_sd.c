// SPDX-License-Identifier: GPL-2.0-only
/*
 * systemd's side of LUO: its mapping (decode/sd_luo_map.c) on documents written here the
 * way systemd 262 writes them (and broken ones), the fd stores read over sd-bus
 * (source/sd_stores.c) from a stand-in for PID 1 served in a child process with sd-bus's
 * own server side, and what the model makes of both (model/luo_systemd.c): which session
 * belongs to which unit, which stored fd a kexec keeps.
 *
 * `test_sd --seeds DIR` writes the mapping documents as seeds for fuzz_sd_map;
 * `test_sd --serve SOCKET` serves the fake PID 1's units there (the shell tests).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_pid1.h"
#include "fdtbuild.h"

#include "base/util.h"
#include "decode/sd_luo_map.h"
#include "model/luo_state.h"
#include "model/luo_systemd.h"
#include "source/sd_stores.h"

/* What systemd 262.1 wrote in the test VM (tests/vm/systemd), one line, no newline. */
static const char mapping_262[] =
    "{\"version\":1,\"state\":{\"KExecCount\":0,\"ShutdownStartTimestamp\":{\"realtime\":1795850497907615,"
    "\"monotonic\":82907616},\"ShutdownFinishTimestamp\":{\"realtime\":1795850506271026,\"monotonic\":"
    "91271027},\"ShutdownLateStartTimestamp\":{\"realtime\":1795850506521439,\"monotonic\":91521552},"
    "\"ShutdownLateFinishTimestamp\":{\"realtime\":1795850506904035,\"monotonic\":91904039}},\"units\":{"
    "\"fdstore-test.service\":{\"fdstore\":[{\"type\":\"fd\",\"name\":\"mem2\",\"token\":1},{\"type\":"
    "\"fd\",\"name\":\"mem1\",\"token\":2}]},\"luosession-test.service\":{\"fdstore\":[{\"type\":"
    "\"luo_session\",\"name\":\"demo\",\"sessionName\":\"luosession-te-da99e10c70b84126a2196b28\"}]}}}";

static int parse(const char *doc, struct kt_sd_map *m, char *err, size_t errlen)
{
	return kt_sd_map_parse((const uint8_t *)doc, strlen(doc), m, err, errlen);
}

/* ---- the mapping ---------------------------------------------------------------- */

static void test_map_262(void **state)
{
	struct kt_sd_map m;
	const struct kt_sd_fd *f;
	char err[256];

	(void)state;
	assert_int_equal(parse(mapping_262, &m, err, sizeof(err)), 0);
	assert_int_equal(m.version, 1);
	assert_true(m.has_kexec_count);
	assert_int_equal(m.kexec_count, 0);
	assert_true(m.stamp[KT_SD_SHUTDOWN_START].set && m.stamp[KT_SD_SHUTDOWN_LATE_FINISH].set);
	assert_int_equal(m.stamp[KT_SD_SHUTDOWN_FINISH].realtime, 1795850506271026ULL);
	assert_int_equal(m.stamp[KT_SD_SHUTDOWN_START].monotonic, 82907616);
	assert_int_equal(m.nr_units, 2);
	assert_int_equal(m.nr_fds, 3);
	f = kt_sd_map_token(&m, 2);
	assert_non_null(f);
	assert_string_equal(f->name, "mem1");
	assert_string_equal(m.units[f->unit], "fdstore-test.service");
	f = kt_sd_map_session(&m, "luosession-te-da99e10c70b84126a2196b28");
	assert_non_null(f);
	assert_string_equal(f->name, "demo");
	assert_string_equal(m.units[f->unit], "luosession-test.service");
	/* A token the mapping does not name (token 0 is the mapping itself), an unknown session. */
	assert_null(kt_sd_map_token(&m, 0));
	assert_null(kt_sd_map_token(&m, 3));
	assert_null(kt_sd_map_session(&m, "other"));
	kt_sd_map_free(&m);
}

/* Development versions name the count kexecsCount; a later systemd may add members and fd kinds. */
static void test_map_variants(void **state)
{
	struct kt_sd_map m;
	char err[256];

	(void)state;
	assert_int_equal(
	    parse("{\"version\":1,\"state\":{\"kexecsCount\":3},\"units\":{}}", &m, err, sizeof(err)), 0);
	assert_true(m.has_kexec_count);
	assert_int_equal(m.kexec_count, 3);
	assert_int_equal(m.nr_units, 0);
	kt_sd_map_free(&m);
	assert_int_equal(
	    parse("{\"version\":1,\"units\":{\"a.service\":{\"fdstore\":[{\"type\":\"pidfd\",\"name\":"
		  "\"p\"},{\"type\":\"fd\",\"name\":\"x\",\"token\":9,\"extra\":true}],\"new\":1}},"
		  "\"future\":[]}",
		  &m, err, sizeof(err)),
	    0);
	assert_false(m.has_kexec_count);
	assert_false(m.stamp[KT_SD_SHUTDOWN_START].set);
	assert_int_equal(m.skipped, 1);
	assert_int_equal(m.nr_fds, 1);
	assert_int_equal(kt_sd_map_token(&m, 9)->token, 9);
	kt_sd_map_free(&m);
	/* A unit with no store. */
	assert_int_equal(parse("{\"version\":1,\"units\":{\"a.service\":{}}}", &m, err, sizeof(err)), 0);
	assert_int_equal(m.nr_units, 1);
	kt_sd_map_free(&m);
}

static void test_map_bad(void **state)
{
	static const struct {
		const char *doc;
		int ret;
		const char *msg;
	} cases[] = {
	    {"{\"version\":2,\"units\":{}}", -EPROTONOSUPPORT,
	     "systemd LUO mapping version 2 (this kho-tools reads version 1)"},
	    {"{\"units\":{}}", -EBADMSG, "mapping: no \"version\""},
	    {"{\"version\":1}", -EBADMSG, "mapping: no \"units\""},
	    {"{\"version\":1,\"units\":[]}", -EBADMSG, "mapping.units: expected an object, found an array"},
	    {"{\"version\":1,\"units\":{\"a.service\":{\"fdstore\":[{\"type\":\"fd\",\"name\":\"m\","
	     "\"token\":\"x\"}]}}}",
	     -EBADMSG, "units.a.service.fdstore[0].token"},
	    {"{\"version\":1,\"units\":{\"a.service\":{\"fdstore\":[{\"type\":\"fd\",\"token\":1}]}}}",
	     -EBADMSG, "units.a.service.fdstore[0]: no \"name\""},
	    {"{\"version\":1,\"units\":{\"a.service\":{\"fdstore\":[{\"type\":\"luo_session\",\"name\":\"d\"}"
	     "]}}}",
	     -EBADMSG, "no \"sessionName\""},
	    {"{\"version\":1,\"units\":{\"a.service\":{\"fdstore\":{}}}}", -EBADMSG,
	     "units.a.service.fdstore: expected an array"},
	    {"{\"version\":1,\"state\":[],\"units\":{}}", -EBADMSG, "state: expected an object"},
	    {"{\"version\":1,\"state\":{\"KExecCount\":-1},\"units\":{}}", -EBADMSG, "state.KExecCount"},
	    {"{\"version\":1,\"state\":{\"ShutdownStartTimestamp\":{\"realtime\":1}},\"units\":{}}", -EBADMSG,
	     "no \"monotonic\""},
	    {"{\"version\":1,\"units\":{\"\":{}}}", -EBADMSG, "not a unit name"},
	    {"{\"version\":1,\"units\":{},\"units\":{}}", -EBADMSG, "duplicate"},
	    {"{\"version\":1,\"units\":{}", -EBADMSG, "line 1"},
	    {"", -EBADMSG, ""},
	};
	struct kt_sd_map m;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		err[0] = 0;
		if (parse(cases[i].doc, &m, err, sizeof(err)) != cases[i].ret || !strstr(err, cases[i].msg))
			fail_msg("case %zu: '%s': got '%s', want %d '%s'", i, cases[i].doc, err, cases[i].ret,
				 cases[i].msg);
		assert_int_equal(m.nr_fds, 0);
		assert_null(m.units);
	}
	/* A name past its field (FDNAME is at most 255 bytes). */
	{
		char doc[600], name[300];

		memset(name, 'n', 256);
		name[256] = 0;
		snprintf(doc, sizeof(doc),
			 "{\"version\":1,\"units\":{\"a\":{\"fdstore\":[{\"type\":\"fd\",\"name\":\"%s\","
			 "\"token\":1}]}}}",
			 name);
		assert_int_equal(parse(doc, &m, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "longer than 255 bytes"));
	}
}

/* ---- the fates of stored fds -------------------------------------------------------- */

static void test_fate(void **state)
{
	static const struct {
		uint32_t mode;
		const char *path;
		enum kt_sd_fate fate;
	} cases[] = {
	    {S_IFREG | 0777, "/memfd:mem1 (deleted)", KT_SD_KEPT_MEMFD},
	    {S_IFREG | 0777, "/ (deleted)", KT_SD_KEPT_MEMFD}, /* restored after a kexec */
	    {0600, "anon_inode:[luo_session] luosession-te-x", KT_SD_KEPT_SESSION},
	    {0600, "anon_inode:[eventfd]", KT_SD_LOST},
	    {S_IFSOCK | 0777, "socket:[751]", KT_SD_LOST},
	    {0600, "anon_inode:inotify", KT_SD_LOST},
	    {S_IFREG | 0644, "/var/lib/x (deleted)", KT_SD_LOST},
	    {S_IFIFO | 0600, "pipe:[12]", KT_SD_LOST},
	};
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(cases); i++) {
		struct kt_sd_stored_fd f = {.mode = cases[i].mode, .path = (char *)cases[i].path};

		if (kt_sd_fate(&f) != cases[i].fate)
			fail_msg("%s: %s, want %s", cases[i].path, kt_sd_fate_name[kt_sd_fate(&f)],
				 kt_sd_fate_name[cases[i].fate]);
	}
}

/* ---- asking PID 1 (tests/unit/fake_pid1.c) ------------------------------------------ */

static int start_pid1(void **state)
{
	*state = fake_pid1_start(NULL, 0, 2);
	return 0;
}

static int stop_pid1(void **state)
{
	fake_pid1_stop(*state);
	return 0;
}

static void test_stores(void **state)
{
	struct kt_sd_stores st;
	const struct kt_sd_store *a, *c;
	char err[256];

	(void)state;
	assert_int_equal(kt_sd_stores_read(&st, err, sizeof(err)), 0);
	assert_true(st.has_kexec_count);
	assert_int_equal(st.kexec_count, 2);
	assert_int_equal(st.services, 3); /* a, b, c: loaded services */
	assert_int_equal(st.n, 2);	  /* b keeps nothing and has nothing */
	a = kt_sd_store_of(&st, "a.service");
	c = kt_sd_store_of(&st, "c.service");
	assert_non_null(a);
	assert_non_null(c);
	assert_null(kt_sd_store_of(&st, "b.service"));
	assert_string_equal(a->preserve, "yes");
	assert_int_equal(a->max, 8);
	assert_int_equal(a->nr_fds, 3);
	assert_string_equal(a->fds[0].name, "mem1");
	assert_int_equal(a->fds[0].mode, S_IFREG | 0777);
	assert_int_equal(a->fds[0].ino, 22);
	assert_int_equal(a->fds[0].dev_minor, 16);
	assert_string_equal(a->fds[2].path, "anon_inode:[luo_session] luosession-te-x");
	assert_int_equal(c->nr_fds, 0);
	assert_true(kt_sd_store_preserved(a) && kt_sd_store_preserved(c));
	kt_sd_stores_free(&st);
}

/* The sessions PID 1 holds get the unit and fd name of the store they are in. */
static void test_stores_name_sessions(void **state)
{
	struct kt_luo_state luo = {0};
	struct kt_luo_session *s, *other;
	struct kt_sd_stores st;
	char err[256];

	(void)state;
	s = kt_luo_add_session(&luo, "luosession-te-x", KT_SESS_OUTGOING);
	s->pid = 1;
	other = kt_luo_add_session(&luo, "vm-0", KT_SESS_OUTGOING);
	other->pid = 4242;
	assert_int_equal(kt_sd_stores_read(&st, err, sizeof(err)), 0);
	kt_luo_add_sd_stores(&luo, &st);
	assert_string_equal(luo.sessions[0].unit, "a.service");
	assert_string_equal(luo.sessions[0].fdname, "demo");
	assert_null(luo.sessions[1].unit);
	assert_true(luo.sd.stores);
	kt_sd_stores_free(&st);
	kt_luo_state_free(&luo);
}

static void test_stores_unreachable(void **state)
{
	struct kt_sd_stores st;
	char err[256];

	(void)state;
	setenv("KHO_TOOLS_SYSTEMD_BUS", "unix:path=/nonexistent/private", 1);
	assert_true(kt_sd_stores_read(&st, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "systemd: unix:path=/nonexistent/private: "));
	assert_int_equal(st.n, 0);
	unsetenv("KHO_TOOLS_SYSTEMD_BUS");
}

/* `test_sd --seeds DIR`: mapping documents and saved fd stores, for fuzz_sd_map and fuzz_sd_stores. */
static int write_seeds(const char *dir)
{
	struct fake_pid1 *pid1 = fake_pid1_start(NULL, 0, 2);
	struct kt_sd_stores st;
	char err[256];
	static const char *const docs[] = {
	    mapping_262,
	    "{\"version\":1,\"state\":{\"kexecsCount\":3},\"units\":{}}",
	    "{\"version\":1,\"units\":{\"a.service\":{\"fdstore\":[{\"type\":\"pidfd\",\"name\":\"p\"}]}}}",
	};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(docs); i++) {
		char name[32];

		snprintf(name, sizeof(name), "mapping-%zu", i);
		td_write(dir, name, docs[i], strlen(docs[i]));
	}
	if (kt_sd_stores_read(&st, err, sizeof(err))) {
		fprintf(stderr, "stores: %s\n", err);
		fake_pid1_stop(pid1);
		return 1;
	}
	{
		uint8_t *buf;
		size_t len;

		kt_sd_stores_export(&st, &buf, &len);
		td_write(dir, "stores", buf, len);
		free(buf);
	}
	kt_sd_stores_free(&st);
	fake_pid1_stop(pid1);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_262),
	    cmocka_unit_test(test_map_variants),
	    cmocka_unit_test(test_map_bad),
	    cmocka_unit_test(test_fate),
	    cmocka_unit_test_setup_teardown(test_stores, start_pid1, stop_pid1),
	    cmocka_unit_test_setup_teardown(test_stores_name_sessions, start_pid1, stop_pid1),
	    cmocka_unit_test(test_stores_unreachable),
	};

	if (argc == 3 && !strcmp(argv[1], "--seeds"))
		return write_seeds(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--serve"))
		return fake_pid1_serve(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
