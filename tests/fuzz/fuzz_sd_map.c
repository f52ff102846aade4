// SPDX-License-Identifier: GPL-2.0-only
/*
 * systemd's LUO mapping (decode/sd_luo_map.c) from arbitrary bytes, as the memfd behind
 * token 0 of the session "systemd" may hold anything. Parsing either refuses with a
 * message (version 1 only, types as systemd writes them) or gives a mapping that holds
 * together: every fd-store entry belongs to a unit it lists, names fit their fields, and
 * each entry is the one found by its token or session name (the first, when repeated).
 */
#include <errno.h>
#include <string.h>

#include "decode/sd_luo_map.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_sd_map m;
	char err[256] = "";
	size_t i;
	int ret;

	if (size > KT_SD_MAP_MAX)
		return 0;
	ret = kt_sd_map_parse(data, size, &m, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK((ret == -EBADMSG || ret == -EPROTONOSUPPORT) && err[0]);
		FUZZ_CHECK(!m.nr_units && !m.nr_fds && !m.units && !m.fds);
		return 0;
	}
	FUZZ_CHECK(m.version == 1);
	for (i = 0; i < m.nr_units; i++)
		FUZZ_CHECK(m.units[i][0] && strlen(m.units[i]) <= KT_SD_UNIT_MAX);
	for (i = 0; i < m.nr_fds; i++) {
		const struct kt_sd_fd *f = &m.fds[i], *found;

		FUZZ_CHECK(f->unit < m.nr_units);
		FUZZ_CHECK(strlen(f->name) <= KT_SD_NAME_MAX);
		if (f->type == KT_SD_FD)
			found = kt_sd_map_token(&m, f->token);
		else
			found = kt_sd_map_session(&m, f->session);
		FUZZ_CHECK(found && found <= f);
	}
	kt_sd_map_free(&m);
	return 0;
}
