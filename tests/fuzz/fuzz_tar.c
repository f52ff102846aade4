// SPDX-License-Identifier: GPL-2.0-only
/*
 * The archive reader (libarchive: tar, plain or compressed): whatever it accepts
 * must be a safe relative path within the size bounds, and a failure must say
 * why. What it kept before a failure is freed by the caller, so it must hold
 * together too.
 */
#include "source/archive.h"
#include "fuzz.h"

/*
 * The rule of source/files.h, written again here so that the oracle does not
 * share a mistake with the reader: not empty, no leading '/', and no component
 * that is empty ("a//b", "a/") or "..".
 */
static bool safe(const char *p)
{
	const char *c = p, *slash;

	if (!*p || *p == '/')
		return false;
	for (;;) {
		size_t n;

		slash = strchr(c, '/');
		n = slash ? (size_t)(slash - c) : strlen(c);
		if (!n || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!slash)
			return true;
		c = slash + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_files fs = {0};
	char err[256] = "";
	uint64_t total = 0;
	size_t i;
	int ret = kt_archive_read(fuzz_as_file(data, size), &fs, err, sizeof(err));

	FUZZ_CHECK(ret <= 0);
	FUZZ_CHECK(!ret || err[0]);
	FUZZ_CHECK(fs.n <= fs.cap && fs.n <= KT_MAX_FILES);
	for (i = 0; i < fs.n; i++) {
		FUZZ_CHECK(fs.v[i].path && safe(fs.v[i].path));
		FUZZ_CHECK(fs.v[i].len <= KT_MAX_BLOB_SIZE);
		FUZZ_CHECK(fs.v[i].data || !fs.v[i].len);
		total += fs.v[i].len;
	}
	/* The running total is what bounds the whole snapshot. */
	FUZZ_CHECK(total == fs.total && total <= KT_MAX_TOTAL);
	kt_files_free(&fs);
	return 0;
}
