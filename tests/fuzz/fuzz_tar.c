// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tarball reader: whatever it accepts must be a safe relative path within
 * the size bounds, and a failure must say why.
 */
#include <errno.h>

#include "base/abi.h"
#include "fuzz.h"

static bool safe(const char *p)
{
	const char *c;

	if (*p == '/')
		return false;
	for (c = p; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (!strncmp(c, "..", 2) && (c[2] == '/' || c[2] == '\0'))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_file *files = NULL;
	char err[256] = "";
	size_t n = 0, i;
	int ret = kt_tar_read(fuzz_as_file(data, size), &files, &n, err, sizeof(err));

	FUZZ_CHECK(ret <= 0);
	FUZZ_CHECK(!ret || err[0] || ret == -ENOMEM);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(files[i].path && safe(files[i].path));
		FUZZ_CHECK(files[i].len <= KT_MAX_BLOB_SIZE);
		free(files[i].path);
		free(files[i].data);
	}
	free(files);
	return 0;
}
