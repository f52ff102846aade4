// SPDX-License-Identifier: GPL-2.0-only
/*
 * kt-fdstore-dump UNIT...: call org.freedesktop.systemd1.Manager.DumpUnitFileDescriptorStore(s)
 * for each unit on PID 1's private D-Bus socket and print the reply, one line per entry:
 *   UNIT NAME mode=0OOOOOO dev=MAJ:MIN ino=N rdev=MAJ:MIN flags=0xF path=PATH
 * after a line "UNIT signature=SIG" (the reply's, as received).
 *
 * The test VM runs no dbus-daemon. systemctl and systemd-analyze reach PID 1 on
 * /run/systemd/private as root; busctl cannot, as it always says Hello, which that
 * peer-to-peer socket does not answer. This is what a tool linked with libsystemd must do
 * instead: a direct connection (no bus client, no Hello) to that address. Built on the host
 * against the host's libsystemd, and bundled with it like the tools.
 * Exit status: 0 every call answered, 1 a call failed, 2 usage or connection error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define PRIVATE_ADDRESS "unix:path=/run/systemd/private"

static int dump(sd_bus *bus, const char *unit)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *sig;
	int r;

	r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "DumpUnitFileDescriptorStore", &error,
			       &reply, "s", unit);
	if (r < 0) {
		printf("%s error=%s message=%s\n", unit, error.name ? error.name : "-",
		       error.message ? error.message : strerror(-r));
		sd_bus_error_free(&error);
		return 1;
	}
	sig = sd_bus_message_get_signature(reply, 1);
	printf("%s signature=%s\n", unit, sig ? sig : "");
	r = sd_bus_message_enter_container(reply, 'a', "(suuutuusu)");
	if (r < 0)
		goto bad;
	for (;;) {
		uint32_t mode, maj, min, rmaj, rmin, flags;
		const char *name, *path;
		uint64_t ino;

		r = sd_bus_message_read(reply, "(suuutuusu)", &name, &mode, &maj, &min, &ino, &rmaj, &rmin,
					&path, &flags);
		if (r < 0)
			goto bad;
		if (r == 0)
			break;
		printf("%s %s mode=0%06o dev=%u:%u ino=%" PRIu64 " rdev=%u:%u flags=0x%x path=%s\n", unit,
		       name, mode, maj, min, ino, rmaj, rmin, flags, path);
	}
	sd_bus_message_unref(reply);
	return 0;
bad:
	printf("%s error=parse message=%s\n", unit, strerror(-r));
	sd_bus_message_unref(reply);
	return 1;
}

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	int r, i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: kt-fdstore-dump UNIT...\n");
		return 2;
	}
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, PRIVATE_ADDRESS);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		fprintf(stderr, "kt-fdstore-dump: %s: %s\n", PRIVATE_ADDRESS, strerror(-r));
		return 2;
	}
	for (i = 1; i < argc; i++)
		rc |= dump(bus, argv[i]);
	sd_bus_flush_close_unref(bus);
	return rc;
}
