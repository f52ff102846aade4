// SPDX-License-Identifier: GPL-2.0-only
/* preflight: go/no-go checks of the running system before a live-update reboot (see preflight.h). */
#include "check/preflight.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/abi.h"
#include "base/size.h"
#include "base/util.h"
#include "check/compat.h"
#include "model/facts.h"
#include "source/procfs.h"

static void add_check(struct kt_preflight *p, const char *name, enum kt_check_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_check(struct kt_preflight *p, const char *name, enum kt_check_status st, const char *fmt, ...)
{
	struct kt_check *c;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = kt_vasprintf(fmt, ap);
	va_end(ap);
	KT_GROW(p->checks, p->cap, p->n + 1);
	c = &p->checks[p->n++];
	c->name = name;
	c->status = st;
	c->msg = m;
	p->count[st]++;
}

struct holders {
	const char *dev;
	int *pids;
	size_t max, n;
	int last;
};

static void on_fd(void *ctx, int pid, int fd, const char *link)
{
	struct holders *h = ctx;

	(void)fd;
	if (strcmp(link, h->dev) || pid == h->last)
		return;
	if (h->n < h->max)
		h->pids[h->n] = pid;
	h->n++;
	h->last = pid;
}

/* Every pid with an fd on the device. Returns how many; *unreadable counts fd dirs we could not list. */
static size_t device_holders(const char *proc, const char *dev, int *pids, size_t max,
			     unsigned int *unreadable)
{
	struct holders h = {dev, pids, max, 0, -1};

	kt_procfs_fds(proc, on_fd, &h, unreadable);
	return h.n;
}

/* "pid 80 (kho-agent, unit foo.service)" */
static char *describe_pid(const char *proc, int pid, const struct kt_proc_info *pi)
{
	char *unit = kt_procfs_unit(proc, pid), *s;

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
		struct kt_proc_info pi;
		char *d;

		if (kt_procfs_info(proc, pids[0], &pi)) {
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
		struct kt_proc_info pi, lead;
		char *d, *t;

		if (kt_procfs_info(proc, owners[i], &pi) || pi.state == 'Z' || pi.state == 'X') {
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
		} else if (pi.sid > 0 && pi.sid != owners[i] && !kt_procfs_info(proc, pi.sid, &lead) &&
			   lead.tty && kt_is_shell(lead.comm)) {
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

static void check_memory(struct kt_preflight *p, struct kt_state *c)
{
	const struct kt_areas *out = &c->snap->dir[KT_OUT].areas, *areas = kt_snapshot_areas(c->snap);
	const struct kt_mem_dir *m;
	char why[512], h[32], h2[32];
	uint64_t bad;

	if (!out->present)
		add_check(
		    p, "scratch", KT_CHECK_FAIL,
		    "no boot areas (neither out/scratch_phys nor, from 7.4, out/bootmem_phys): the next "
		    "kernel has nowhere to boot (kho=on, kho_scratch= or from 7.4 kho_bootmem= at boot)");
	else if (!out->n)
		add_check(
		    p, "scratch", KT_CHECK_FAIL,
		    "no %s areas in out/%s_phys: the next kernel has nowhere to boot (kho=on, %s at boot)",
		    out->word, out->word, strcmp(out->word, "bootmem") ? "kho_scratch=" : "kho_bootmem=");
	else
		add_check(p, "scratch", KT_CHECK_OK, "%zu %s area(s), %s", areas->n, areas->word,
			  kt_fmt_size(areas->total, h));

	m = kt_fact_mem(c, KT_OUT, why, sizeof(why));
	if (!m) {
		add_check(p, "overlap", KT_CHECK_WARN, "not checked: %s", why);
		return;
	}
	bad = kt_radix_check_areas(m->r.ranges, m->r.nr_ranges, out->v, out->n, NULL, NULL);
	if (bad)
		add_check(p, "overlap", KT_CHECK_FAIL, "%s of preserved memory lies inside %s areas",
			  kt_fmt_size(bad, h), out->present ? out->word : "scratch");
	else
		add_check(p, "overlap", KT_CHECK_OK, "%s preserved in %zu range(s), none inside %s",
			  kt_fmt_size(m->r.bytes, h2), m->r.nr_ranges, out->present ? out->word : "scratch");
}

static bool loss_accepted(const struct kt_preflight_env *env, const char *unit, const char *fd)
{
	size_t i, n = strlen(unit);

	for (i = 0; env && i < env->nr_accept_loss; i++) {
		const char *a = env->accept_loss[i];

		if (!strcmp(a, unit) || (!strncmp(a, unit, n) && a[n] == ':' && !strcmp(a + n + 1, fd)))
			return true;
	}
	return false;
}

/*
 * systemd carries the fd stores of FileDescriptorStorePreserve=yes services through the
 * kexec: memfds in its session "systemd", LUOSession= sessions on their own. Any other fd
 * in such a store is lost (systemd-shutdown logs it), and so is every fd in a store that
 * is not carried at all (no, restart: dropped when the unit stops): a failure, unless
 * accepted.
 */
static void check_systemd(struct kt_preflight *p, struct kt_state *c, const struct kt_preflight_env *env)
{
	const char *why;
	const struct kt_sd_stores *st = kt_state_sd_stores(c, &why);
	size_t i, k, units = 0, kept[KT_SD_LOST + 1] = {0};

	if (!st) {
		if (c->sd_stores_ret == -ENOENT)
			add_check(p, "fdstore", KT_CHECK_OK, "%s: no fd store to carry", why);
		else
			add_check(p, "fdstore", KT_CHECK_UNKNOWN, "%s", why);
		return;
	}
	for (i = 0; i < st->n; i++) {
		const struct kt_sd_store *s = &st->v[i];
		bool carried = kt_sd_store_preserved(s);

		units += carried;
		for (k = 0; k < s->nr_fds; k++) {
			const struct kt_sd_stored_fd *f = &s->fds[k];
			enum kt_sd_fate fate = carried ? kt_sd_fate(f) : KT_SD_LOST;
			/*
			 * A unit that asked for its store to be kept (FileDescriptorStorePreserve=yes)
			 * and will lose part of it fails unless the loss is accepted; a store the unit
			 * keeps only across restarts (restart, no) is dropped by its own choice: a
			 * warning per fd.
			 */
			enum kt_check_status level =
			    carried && !loss_accepted(env, s->unit, f->name) ? KT_CHECK_FAIL : KT_CHECK_WARN;

			kept[fate]++;
			if (fate != KT_SD_LOST)
				continue;
			if (carried)
				add_check(p, "fdstore", level,
					  "%s: fd '%s' (%s) will be lost across the kexec: no LUO file "
					  "handler takes it",
					  s->unit, f->name, f->path);
			else
				add_check(p, "fdstore", level,
					  "%s: fd '%s' (%s) will be lost across the kexec: its store is "
					  "not kept (FileDescriptorStorePreserve=%s)",
					  s->unit, f->name, f->path, s->preserve);
		}
	}
	add_check(
	    p, "fdstore", KT_CHECK_OK,
	    "%zu unit(s) keep their fd store across a kexec: %zu memfd(s) and %zu LUO session(s) carried, "
	    "%zu fd(s) lost",
	    units, kept[KT_SD_KEPT_MEMFD], kept[KT_SD_KEPT_SESSION], kept[KT_SD_LOST]);
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

static void check_finalize(struct kt_preflight *p, const struct kt_state *c, const char *dev)
{
	const struct kt_snapshot *s = c->snap;

	if (!s->has_finalize)
		add_check(p, "finalize", KT_CHECK_OK,
			  "not needed: this kernel finalizes KHO during the kexec reboot");
	else if (s->finalize == 1)
		add_check(p, "finalize", KT_CHECK_OK, "KHO is finalized (out/finalize = 1)");
	else if (s->finalize < 0)
		add_check(p, "finalize", KT_CHECK_UNKNOWN, "out/finalize holds no 0 or 1");
	else if (kt_fact_luo_v1_era(c, dev))
		add_check(p, "finalize", KT_CHECK_WARN,
			  "not finalized yet (out/finalize = 0); this LUO-era kernel "
			  "finalizes at the kexec reboot, or run 'kho-inspect finalize --yes'");
	else
		add_check(p, "finalize", KT_CHECK_FAIL,
			  "not finalized (out/finalize = 0): run 'kho-inspect finalize "
			  "--yes' before the reboot");
}

/* Every object the target does not take, one check each; one line when it takes them all. */
static void check_target(struct kt_preflight *p, struct kt_state *c, const struct kt_vmlinux *t)
{
	struct kt_compat r;
	size_t i;

	kt_compat_run(c, t, &r);
	for (i = 0; i < r.ho.n; i++)
		if (r.items[i].status != KT_CHECK_OK)
			add_check(p, "compat", r.items[i].status, "%s", r.items[i].msg);
	if (!kt_check_verdict(r.count))
		add_check(p, "compat", KT_CHECK_OK,
			  "the target (Linux %s) knows the %zu object(s) handed over", t->release,
			  r.count[KT_CHECK_OK]);
	kt_compat_free(&r);
}

void kt_preflight_run(const struct kt_preflight_env *env, struct kt_preflight *p)
{
	const char *proc = env && env->proc ? env->proc : "/proc";
	const char *loaded = env && env->kexec_loaded ? env->kexec_loaded : "/sys/kernel/kexec_loaded";
	const char *dev = env && env->liveupdate ? env->liveupdate : LIVEUPDATE_DEV;
	const struct kt_luo_state *st;
	struct kt_state c;
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

	kt_state_init(&c, &s);
	if (kt_state_physmem(&c))
		add_check(p, "kcore", KT_CHECK_OK, "physical memory readable");
	else
		add_check(p, "kcore", KT_CHECK_WARN, "%s: sessions and preserved memory cannot be checked",
			  c.pm_note ? c.pm_note : "no physical memory access");
	check_memory(p, &c);
	st = luo ? kt_fact_luo(&c, why, sizeof(why)) : NULL;
	check_sessions(p, st, why, luo);
	check_holder(p, proc, dev, kt_state_luo(&c), luo);
	check_systemd(p, &c, env);
	check_kexec(p, loaded);
	check_finalize(p, &c, dev);
	if (env && env->target)
		check_target(p, &c, env->target);
	kt_state_free(&c);
	kt_snapshot_free(&s);
}

int kt_preflight_verdict(const struct kt_preflight *p)
{
	return kt_check_verdict(p->count);
}

void kt_preflight_free(struct kt_preflight *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->checks[i].msg);
	free(p->checks);
	memset(p, 0, sizeof(*p));
}

static const struct kt_colspec check_cols[] = {
    {"STATUS", "ok, warn, fail or unknown", 0},
    {"CHECK", "the check's name (see the man page)", 0},
    {"MESSAGE", "what it found", KT_COL_WRAP},
};
const struct kt_table_def kt_checks_table = {check_cols, KT_ARRAY_SIZE(check_cols), "STATUS,CHECK,MESSAGE"};

void kt_preflight_rows(const struct kt_preflight *p, struct kt_rows *r)
{
	size_t i, row;

	kt_rows_init(r, &kt_checks_table);
	for (i = 0; i < p->n; i++) {
		row = kt_rows_add(r, KT_ROW_NONE);
		kt_rows_str(r, row, "STATUS", "%s", kt_check_status_name[p->checks[i].status]);
		kt_rows_str(r, row, "CHECK", "%s", p->checks[i].name);
		kt_rows_str(r, row, "MESSAGE", "%s", p->checks[i].msg);
	}
}
