// SPDX-License-Identifier: GPL-2.0-only
#include "source/sd_stores.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "base/dl.h"
#include "base/util.h"

/* libsystemd, opened on first use (base/dl.h): only the LUO views ask PID 1. */
#define LIBSYSTEMD_FNS(X)                                                                                    \
	X(sd_bus_call_method)                                                                                \
	X(sd_bus_error_free)                                                                                 \
	X(sd_bus_error_has_name)                                                                             \
	X(sd_bus_error_is_set)                                                                               \
	X(sd_bus_flush_close_unref)                                                                          \
	X(sd_bus_get_property_string)                                                                        \
	X(sd_bus_get_property_trivial)                                                                       \
	X(sd_bus_message_enter_container)                                                                    \
	X(sd_bus_message_peek_type)                                                                          \
	X(sd_bus_message_read)                                                                               \
	X(sd_bus_message_read_basic)                                                                         \
	X(sd_bus_message_unref)                                                                              \
	X(sd_bus_new)                                                                                        \
	X(sd_bus_set_address)                                                                                \
	X(sd_bus_start)                                                                                      \
	X(sd_bus_unref)
LIBSYSTEMD_FNS(KT_DL_SLOT)
static const struct kt_dl_sym libsystemd_syms[] = {LIBSYSTEMD_FNS(KT_DL_ENTRY)};
static struct kt_dl libsystemd = {
    "libsystemd.so.0", libsystemd_syms, KT_ARRAY_SIZE(libsystemd_syms), false, 0, ""};

#define SD_DEST	   NULL /* a direct connection to PID 1: no bus name */
#define SD_PATH	   "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_SERVICE "org.freedesktop.systemd1.Service"
#define MAX_UNITS  100000 /* units listed at most: far beyond a real host */

static int bus_fail(char *err, size_t errlen, int r, const char *what, const sd_bus_error *e)
{
	return kt_fail(err, errlen, r < 0 ? r : -EIO, "systemd: %s: %s", what,
		       e && dl_sd_bus_error_is_set(e) ? e->message : strerror(r < 0 ? -r : EIO));
}

static int connect_pid1(sd_bus **bus, char *err, size_t errlen)
{
	const char *addr = getenv("KHO_TOOLS_SYSTEMD_BUS");
	int r;

	if (!addr || !*addr) {
		if (access("/run/systemd/private", F_OK))
			return kt_fail(err, errlen, -ENOENT,
				       "systemd is not running (no /run/systemd/private)");
		addr = KT_SD_PRIVATE_BUS;
	}
	r = kt_dl_open(&libsystemd, err, errlen);
	if (r)
		return r;
	r = dl_sd_bus_new(bus);
	if (r < 0)
		return bus_fail(err, errlen, r, "bus", NULL);
	r = dl_sd_bus_set_address(*bus, addr);
	if (r >= 0)
		r = dl_sd_bus_start(*bus);
	if (r < 0) {
		dl_sd_bus_unref(*bus);
		*bus = NULL;
		if (r == -EACCES || r == -EPERM)
			return kt_fail(err, errlen, -EACCES, "systemd: %s: not permitted (root only)", addr);
		return kt_fail(err, errlen, r, "systemd: %s: %s", addr, strerror(-r));
	}
	return 0;
}

/* The manager's KExecCount, when this systemd has it (type u or t: asked as a variant). */
static void read_kexec_count(sd_bus *bus, struct kt_sd_stores *st)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *contents = NULL;
	uint32_t u;
	uint64_t t;

	if (dl_sd_bus_call_method(bus, SD_DEST, SD_PATH, "org.freedesktop.DBus.Properties", "Get", &e, &reply,
				  "ss", SD_MANAGER, "KExecCount") >= 0 &&
	    dl_sd_bus_message_peek_type(reply, NULL, &contents) >= 0 && contents &&
	    dl_sd_bus_message_enter_container(reply, 'v', contents) >= 0) {
		if (!strcmp(contents, "u") && dl_sd_bus_message_read_basic(reply, 'u', &u) >= 0) {
			st->kexec_count = u;
			st->has_kexec_count = true;
		} else if (!strcmp(contents, "t") && dl_sd_bus_message_read_basic(reply, 't', &t) >= 0) {
			st->kexec_count = t;
			st->has_kexec_count = true;
		}
	}
	dl_sd_bus_message_unref(reply);
	dl_sd_bus_error_free(&e);
}

static int dump_store(sd_bus *bus, struct kt_sd_store *s, char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = dl_sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "DumpUnitFileDescriptorStore", &e,
				  &reply, "s", s->unit);
	if (r < 0 && dl_sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
		r = 0; /* gone since it was listed: nothing stored */
		goto out;
	}
	if (r < 0) {
		char what[300];

		snprintf(what, sizeof(what), "DumpUnitFileDescriptorStore(%s)", s->unit);
		r = bus_fail(err, errlen, r, what, &e);
		goto out;
	}
	r = dl_sd_bus_message_enter_container(reply, 'a', "(suuutuusu)");
	while (r >= 0) {
		struct kt_sd_stored_fd f = {0};
		const char *name, *path;

		r = dl_sd_bus_message_read(reply, "(suuutuusu)", &name, &f.mode, &f.dev_major, &f.dev_minor,
					   &f.ino, &f.rdev_major, &f.rdev_minor, &path, &f.flags);
		if (r <= 0)
			break;
		f.name = kt_strdup(name);
		f.path = kt_strdup(path);
		KT_GROW(s->fds, s->cap_fds, s->nr_fds + 1);
		s->fds[s->nr_fds++] = f;
	}
	if (r < 0)
		r = kt_fail(err, errlen, r, "systemd: the fd store of %s: malformed reply", s->unit);
out:
	dl_sd_bus_message_unref(reply);
	dl_sd_bus_error_free(&e);
	return r < 0 ? r : 0;
}

/* One service: its store settings, and its fds when it has any or asks to keep them. */
static int read_service(sd_bus *bus, const char *unit, const char *path, struct kt_sd_stores *st, char *err,
			size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	uint32_t n = 0, max = 0;
	char *preserve = NULL;
	struct kt_sd_store *s;
	int r;

	st->services++;
	if (dl_sd_bus_get_property_trivial(bus, SD_DEST, path, SD_SERVICE, "NFileDescriptorStore", &e, 'u',
					   &n) < 0 ||
	    dl_sd_bus_get_property_trivial(bus, SD_DEST, path, SD_SERVICE, "FileDescriptorStoreMax", &e, 'u',
					   &max) < 0) {
		/* Unloaded or gone since the listing: nothing stored. */
		dl_sd_bus_error_free(&e);
		return 0;
	}
	/* Older systemd has no Preserve= (then nothing is preserved across a kexec). */
	if (dl_sd_bus_get_property_string(bus, SD_DEST, path, SD_SERVICE, "FileDescriptorStorePreserve", &e,
					  &preserve) < 0)
		preserve = NULL;
	dl_sd_bus_error_free(&e);
	if (!n && !(preserve && !strcmp(preserve, "yes"))) {
		free(preserve);
		return 0;
	}
	KT_GROW(st->v, st->cap, st->n + 1);
	s = &st->v[st->n++];
	s->unit = kt_strdup(unit);
	s->preserve = kt_strdup(preserve ? preserve : "no");
	s->max = max;
	free(preserve);
	r = n ? dump_store(bus, s, err, errlen) : 0;
	return r;
}

int kt_sd_stores_read(struct kt_sd_stores *st, char *err, size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus *bus;
	size_t units = 0;
	int r;

	memset(st, 0, sizeof(*st));
	if (errlen)
		err[0] = 0;
	r = connect_pid1(&bus, err, errlen);
	if (r)
		return r;
	read_kexec_count(bus, st);
	r = dl_sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "ListUnits", &e, &reply, NULL);
	if (r < 0) {
		r = bus_fail(err, errlen, r, "ListUnits", &e);
		goto out;
	}
	r = dl_sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
	while (r >= 0 && units++ < MAX_UNITS) {
		const char *name, *load, *path;

		r = dl_sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, &load, NULL, NULL, NULL, &path,
					   NULL, NULL, NULL);
		if (r <= 0)
			break;
		if (strcmp(load, "loaded") || strlen(name) < 8 || strcmp(name + strlen(name) - 8, ".service"))
			continue;
		r = read_service(bus, name, path, st, err, errlen);
	}
	if (r < 0 && !err[0])
		r = kt_fail(err, errlen, r, "systemd: ListUnits: malformed reply");
out:
	dl_sd_bus_message_unref(reply);
	dl_sd_bus_error_free(&e);
	dl_sd_bus_flush_close_unref(bus);
	if (r < 0)
		kt_sd_stores_free(st);
	return r < 0 ? r : 0;
}

void kt_sd_stores_free(struct kt_sd_stores *st)
{
	size_t i, k;

	for (i = 0; i < st->n; i++) {
		for (k = 0; k < st->v[i].nr_fds; k++) {
			free(st->v[i].fds[k].name);
			free(st->v[i].fds[k].path);
		}
		free(st->v[i].fds);
		free(st->v[i].unit);
		free(st->v[i].preserve);
	}
	free(st->v);
	memset(st, 0, sizeof(*st));
}

const struct kt_sd_store *kt_sd_store_of(const struct kt_sd_stores *st, const char *unit)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->v[i].unit, unit))
			return &st->v[i];
	return NULL;
}
