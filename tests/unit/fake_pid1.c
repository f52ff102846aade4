// SPDX-License-Identifier: GPL-2.0-only
#include "fake_pid1.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "fdtbuild.h"

#include "base/util.h"

const struct fake_unit fake_pid1_units[] = {
    {"a.service",
     "loaded",
     "/org/freedesktop/systemd1/unit/a_2eservice",
     "yes",
     3,
     8,
     {{"mem1", S_IFREG | 0777, 22, "/memfd:mem1 (deleted)"},
      {"evt", 0600, 1046, "anon_inode:[eventfd]"},
      {"demo", 0600, 1046, "anon_inode:[luo_session] luosession-te-x"}}},
    {"b.service", "loaded", "/org/freedesktop/systemd1/unit/b_2eservice", "restart", 0, 4, {{0}}},
    {"c.service", "loaded", "/org/freedesktop/systemd1/unit/c_2eservice", "yes", 0, 4, {{0}}},
    {"d.socket", "loaded", "/org/freedesktop/systemd1/unit/d_2esocket", "no", 0, 0, {{0}}},
    {"e.service", "not-found", "/org/freedesktop/systemd1/unit/e_2eservice", "no", 0, 0, {{0}}},
};
const size_t fake_pid1_nr_units = KT_ARRAY_SIZE(fake_pid1_units);

/* What the child serves (set before it forks). */
static const struct fake_unit *units = fake_pid1_units;
static size_t nr_units = KT_ARRAY_SIZE(fake_pid1_units);
static uint32_t kexec_count = 2;

static const struct fake_unit *unit_where(const char *path, const char *name)
{
	size_t i;

	for (i = 0; i < nr_units; i++)
		if ((path && !strcmp(units[i].path, path)) || (name && !strcmp(units[i].name, name)))
			return &units[i];
	return NULL;
}

static int list_units(sd_bus_message *m, void *data, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	size_t i;
	int r;

	(void)data, (void)e;
	r = sd_bus_message_new_method_return(m, &reply);
	r = r < 0 ? r : sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
	for (i = 0; r >= 0 && i < nr_units; i++)
		r = sd_bus_message_append(reply, "(ssssssouso)", units[i].name, "", units[i].load, "active",
					  "running", "", units[i].path, 0, "", "/");
	r = r < 0 ? r : sd_bus_message_close_container(reply);
	r = r < 0 ? r : sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int dump_store(sd_bus_message *m, void *data, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const struct fake_unit *u;
	const char *name;
	size_t i;
	int r;

	(void)data;
	r = sd_bus_message_read(m, "s", &name);
	u = r < 0 ? NULL : unit_where(NULL, name);
	if (!u)
		return sd_bus_error_setf(e, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.",
					 r < 0 ? "?" : name);
	r = sd_bus_message_new_method_return(m, &reply);
	r = r < 0 ? r : sd_bus_message_open_container(reply, 'a', "(suuutuusu)");
	for (i = 0; r >= 0 && i < u->n; i++)
		r = sd_bus_message_append(reply, "(suuutuusu)", u->fds[i].name, u->fds[i].mode, 0, 16,
					  u->fds[i].ino, 0, 0, u->fds[i].path, 2);
	r = r < 0 ? r : sd_bus_message_close_container(reply);
	r = r < 0 ? r : sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int get_kexec_count(sd_bus *bus, const char *path, const char *iface, const char *prop,
			   sd_bus_message *reply, void *data, sd_bus_error *e)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)data, (void)e;
	return sd_bus_message_append(reply, "u", kexec_count);
}

static int get_service(sd_bus *bus, const char *path, const char *iface, const char *prop,
		       sd_bus_message *reply, void *data, sd_bus_error *e)
{
	const struct fake_unit *u = unit_where(path, NULL);

	(void)bus, (void)iface, (void)data;
	if (!u)
		return sd_bus_error_setf(e, SD_BUS_ERROR_UNKNOWN_OBJECT, "no %s", path);
	if (!strcmp(prop, "FileDescriptorStorePreserve"))
		return sd_bus_message_append(reply, "s", u->preserve);
	return sd_bus_message_append(reply, "u", !strcmp(prop, "NFileDescriptorStore") ? u->n : u->max);
}

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("ListUnits", NULL, "a(ssssssouso)", list_units, 0),
    SD_BUS_METHOD("DumpUnitFileDescriptorStore", "s", "a(suuutuusu)", dump_store, 0),
    SD_BUS_PROPERTY("KExecCount", "u", get_kexec_count, 0, 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable service_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("NFileDescriptorStore", "u", get_service, 0, 0),
    SD_BUS_PROPERTY("FileDescriptorStoreMax", "u", get_service, 0, 0),
    SD_BUS_PROPERTY("FileDescriptorStorePreserve", "s", get_service, 0, 0),
    SD_BUS_VTABLE_END,
};

static int find_unit(sd_bus *bus, const char *path, const char *iface, void *data, void **found,
		     sd_bus_error *e)
{
	(void)bus, (void)iface, (void)data, (void)e;
	*found = NULL;
	return unit_where(path, NULL) ? 1 : 0;
}

/* One connection, as PID 1 serves its private socket: no bus, no Hello. */
static void serve_one(int fd)
{
	sd_id128_t id = SD_ID128_MAKE(6b, 74, 73, 79, 73, 64, 74, 65, 73, 74, 00, 00, 00, 00, a0, 01);
	sd_bus *bus = NULL;

	if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 || sd_bus_set_server(bus, 1, id) < 0 ||
	    sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1",
				     "org.freedesktop.systemd1.Manager", manager_vtable, NULL) < 0 ||
	    sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit",
				       "org.freedesktop.systemd1.Service", service_vtable, find_unit,
				       NULL) < 0 ||
	    sd_bus_start(bus) < 0)
		_exit(3);
	for (;;) {
		int r = sd_bus_process(bus, NULL);

		if (r < 0)
			break;
		if (!r && sd_bus_wait(bus, UINT64_MAX) < 0)
			break;
	}
	sd_bus_flush_close_unref(bus);
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16))
		return -errno;
	return s;
}

/* Accept and serve each connection in a child of its own, until killed. */
static void accept_loop(int s)
{
	signal(SIGCHLD, SIG_IGN); /* no zombies */
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0)
			_exit(2);
		if (!fork()) {
			serve_one(c);
			_exit(0);
		}
		close(c);
	}
}

struct fake_pid1 *fake_pid1_start(const struct fake_unit *u, size_t n, uint32_t count)
{
	struct fake_pid1 *p = kt_calloc(1, sizeof(*p));
	char *path;
	int s;

	/* Each start serves its own table: a NULL one is the default, not the last test's. */
	units = u ? u : fake_pid1_units;
	nr_units = u ? n : fake_pid1_nr_units;
	kexec_count = count;
	p->dir = td_make();
	path = kt_asprintf("%s/private", p->dir);
	p->addr = kt_asprintf("unix:path=%s", path);
	s = listen_at(path);
	free(path);
	assert_true(s >= 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (!p->pid)
		accept_loop(s);
	close(s);
	p->prev = getenv("KHO_TOOLS_SYSTEMD_BUS") ? kt_strdup(getenv("KHO_TOOLS_SYSTEMD_BUS")) : NULL;
	setenv("KHO_TOOLS_SYSTEMD_BUS", p->addr, 1);
	return p;
}

void fake_pid1_stop(struct fake_pid1 *p)
{
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	if (p->prev)
		setenv("KHO_TOOLS_SYSTEMD_BUS", p->prev, 1);
	else
		unsetenv("KHO_TOOLS_SYSTEMD_BUS");
	free(p->prev);
	td_remove(p->dir);
	free(p->addr);
	free(p);
}

int fake_pid1_serve(const char *path)
{
	int s = listen_at(path);

	if (s < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-s));
		return 1;
	}
	accept_loop(s);
	return 0;
}
