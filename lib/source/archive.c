// SPDX-License-Identifier: GPL-2.0-only
#include "source/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/progress.h"
#include "base/dl.h"
#include "base/util.h"

/* libarchive, opened on first use (base/dl.h): most commands read no archive. */
#define LIBARCHIVE_FNS(X)                                                                                    \
	X(archive_entry_clear)                                                                               \
	X(archive_entry_filetype)                                                                            \
	X(archive_entry_free)                                                                                \
	X(archive_entry_new)                                                                                 \
	X(archive_entry_pathname)                                                                            \
	X(archive_entry_set_filetype)                                                                        \
	X(archive_entry_set_mtime)                                                                           \
	X(archive_entry_set_pathname)                                                                        \
	X(archive_entry_set_perm)                                                                            \
	X(archive_entry_set_size)                                                                            \
	X(archive_entry_size)                                                                                \
	X(archive_errno)                                                                                     \
	X(archive_error_string)                                                                              \
	X(archive_filter_code)                                                                               \
	X(archive_filter_count)                                                                              \
	X(archive_filter_name)                                                                               \
	X(archive_read_data)                                                                                 \
	X(archive_read_free)                                                                                 \
	X(archive_read_new)                                                                                  \
	X(archive_read_next_header)                                                                          \
	X(archive_read_open_filename)                                                                        \
	X(archive_read_open_memory)                                                                          \
	X(archive_read_support_filter_all)                                                                   \
	X(archive_read_support_format_raw)                                                                   \
	X(archive_read_support_format_tar)                                                                   \
	X(archive_write_add_filter_bzip2)                                                                    \
	X(archive_write_add_filter_gzip)                                                                     \
	X(archive_write_add_filter_lz4)                                                                      \
	X(archive_write_add_filter_none)                                                                     \
	X(archive_write_add_filter_xz)                                                                       \
	X(archive_write_add_filter_zstd)                                                                     \
	X(archive_write_close)                                                                               \
	X(archive_write_data)                                                                                \
	X(archive_write_free)                                                                                \
	X(archive_write_header)                                                                              \
	X(archive_write_new)                                                                                 \
	X(archive_write_open_fd)                                                                             \
	X(archive_write_set_format_pax_restricted)
LIBARCHIVE_FNS(KT_DL_SLOT)
static const struct kt_dl_sym libarchive_syms[] = {LIBARCHIVE_FNS(KT_DL_ENTRY)};
static struct kt_dl libarchive = {
    "libarchive.so.13", libarchive_syms, KT_ARRAY_SIZE(libarchive_syms), false, 0, ""};

#define WRITE_CHUNK (4u << 20)

static const struct {
	const char *suffix;
	int (**filter)(struct archive *); /* filled when libarchive is opened */
} suffixes[] = {
    {".tar", &dl_archive_write_add_filter_none},     {".tar.gz", &dl_archive_write_add_filter_gzip},
    {".tgz", &dl_archive_write_add_filter_gzip},     {".tar.xz", &dl_archive_write_add_filter_xz},
    {".tar.zst", &dl_archive_write_add_filter_zstd}, {".tar.bz2", &dl_archive_write_add_filter_bzip2},
    {".tar.lz4", &dl_archive_write_add_filter_lz4},
};

static int suffix_of(const char *path)
{
	size_t n = strlen(path), i;

	for (i = 0; i < KT_ARRAY_SIZE(suffixes); i++) {
		size_t s = strlen(suffixes[i].suffix);

		if (n > s && !strcmp(path + n - s, suffixes[i].suffix))
			return (int)i;
	}
	return -1;
}

bool kt_archive_name(const char *path)
{
	return suffix_of(path) >= 0;
}

static int read_entries(struct archive *a, const char *path, struct kt_files *fs, char *err, size_t errlen)
{
	struct archive_entry *e;
	int r;

	while ((r = dl_archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = dl_archive_entry_pathname(e);
		la_int64_t size = dl_archive_entry_size(e);
		uint8_t *data;
		la_ssize_t got;
		int ret;

		if (dl_archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (name && !strncmp(name, "./", 2))
			name += 2;
		if (!name || !kt_path_safe(name) || size < 0 || (uint64_t)size > KT_MAX_BLOB_SIZE)
			return kt_fail(err, errlen, -EBADMSG, "%s: entry '%s' is unsafe or too large", path,
				       name ? name : "");
		data = kt_malloc(size);
		got = size ? dl_archive_read_data(a, data, size) : 0;
		if (got != size) {
			free(data);
			return kt_fail(err, errlen, -EBADMSG, "%s: truncated in entry '%s'%s%s", path, name,
				       got < 0 ? ": " : "", got < 0 ? dl_archive_error_string(a) : "");
		}
		ret = kt_files_add(fs, path, name, data, size, err, errlen);
		if (ret)
			return ret;
	}
	if (r != ARCHIVE_EOF)
		return kt_fail(err, errlen, -EBADMSG, "%s: not a tarball, or corrupt: %s", path,
			       dl_archive_error_string(a) ? dl_archive_error_string(a) : "unreadable");
	return 0;
}

int kt_archive_read(const char *path, struct kt_files *fs, char *err, size_t errlen)
{
	struct archive *a;
	int ret;

	if (kt_dl_open(&libarchive, err, errlen))
		return -ENOENT;
	a = dl_archive_read_new();
	if (!a)
		kt_oom();
	dl_archive_read_support_filter_all(a);
	dl_archive_read_support_format_tar(a);
	if (dl_archive_read_open_filename(a, path, 64 << 10) != ARCHIVE_OK)
		ret =
		    kt_fail(err, errlen, -EBADMSG, "%s: not a tarball: %s", path, dl_archive_error_string(a));
	else
		ret = read_entries(a, path, fs, err, errlen);
	dl_archive_read_free(a);
	return ret;
}

int kt_archive_write(const char *path, const char *as, const struct kt_file *files, size_t n, char *err,
		     size_t errlen)
{
	int k = suffix_of(as), fd, ret = 0;
	time_t now = time(NULL);
	uint64_t total = 0, done = 0;
	struct archive_entry *e;
	struct kt_progress pr;
	struct archive *a;
	size_t i, chunk;

	if (kt_dl_open(&libarchive, err, errlen))
		return -ENOENT;
	a = dl_archive_write_new();
	e = dl_archive_entry_new();
	if (!a || !e)
		kt_oom();
	/* pax_restricted: plain ustar headers unless a path needs more. */
	dl_archive_write_set_format_pax_restricted(a);
	(*suffixes[k < 0 ? 0 : k].filter)(a);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = kt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (dl_archive_write_open_fd(a, fd) != ARCHIVE_OK)
		ret = -EIO;
	for (i = 0; i < n; i++)
		total += files[i].len;
	kt_progress_begin(&pr, path, total, true);
	for (i = 0; i < n && !ret; i++) {
		size_t off;

		dl_archive_entry_clear(e);
		dl_archive_entry_set_pathname(e, files[i].path);
		dl_archive_entry_set_filetype(e, AE_IFREG);
		dl_archive_entry_set_perm(e, 0644);
		dl_archive_entry_set_size(e, files[i].len);
		dl_archive_entry_set_mtime(e, now, 0);
		if (dl_archive_write_header(a, e) != ARCHIVE_OK)
			ret = -EIO;
		/* In pieces, so that the pages of a large host show progress. */
		for (off = 0; !ret && off < files[i].len; off += chunk) {
			chunk = files[i].len - off < WRITE_CHUNK ? files[i].len - off : WRITE_CHUNK;
			if (dl_archive_write_data(a, files[i].data + off, chunk) != (la_ssize_t)chunk)
				ret = -EIO;
			done += chunk;
			kt_progress_step(&pr, done);
		}
	}
	kt_progress_end(&pr);
	if (dl_archive_write_close(a) != ARCHIVE_OK && !ret)
		ret = -EIO;
	if (ret == -EIO)
		kt_fail(err, errlen, ret, "%s: %s", path,
			dl_archive_error_string(a) ? dl_archive_error_string(a) : "write failed");
	if (close(fd) && !ret)
		ret = kt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
out:
	dl_archive_write_free(a);
	dl_archive_entry_free(e);
	return ret;
}

/* libarchive's message, or what to say when it has none (a cut stream can end without one). */
static const char *why(struct archive *a, const char *none)
{
	const char *m = dl_archive_error_string(a);

	return m && *m ? m : none;
}

static int read_stream(struct archive *a, const char *filter, size_t len, size_t max, uint8_t **out,
		       size_t *outlen, char *err, size_t errlen)
{
	size_t cap = len < max / 4 ? len * 4 : max, n = 0;
	uint8_t *b;

	if (cap < 4096)
		cap = 4096;
	b = kt_malloc(cap);
	for (;;) {
		la_ssize_t got;

		if (n == cap) {
			if (cap >= max) {
				free(b);
				return kt_fail(err, errlen, -EFBIG,
					       "%s stream decompresses to more than %zu bytes", filter, max);
			}
			cap = cap > max / 2 ? max : cap * 2;
			b = kt_realloc(b, cap);
		}
		got = dl_archive_read_data(a, b + n, cap - n);
		if (got < 0) {
			free(b);
			return kt_fail(err, errlen, -EBADMSG, "%s stream corrupt or cut short: %s", filter,
				       why(a, "it ends early"));
		}
		if (!got)
			break;
		n += got;
	}
	*out = b;
	*outlen = n;
	return 0;
}

int kt_decompress(const void *in, size_t len, size_t max, uint8_t **out, size_t *outlen,
		  char filter[KT_FILTER_NAME_LEN], char *err, size_t errlen)
{
	struct archive_entry *e;
	struct archive *a;
	int ret;

	filter[0] = '\0';
	if (kt_dl_open(&libarchive, err, errlen))
		return -ENOENT;
	a = dl_archive_read_new();
	if (!a)
		kt_oom();
	dl_archive_read_support_filter_all(a);
	dl_archive_read_support_format_raw(a);
	/*
	 * Opening reads the start of the stream through the filter that bid: it fails on a
	 * stream that filter finds corrupt, or with a format error when nothing takes the data
	 * (EILSEQ, libarchive's file-format errno; the raw format refuses only an empty input).
	 */
	if (dl_archive_read_open_memory(a, in, len) != ARCHIVE_OK && dl_archive_errno(a) != EILSEQ) {
		ret = kt_fail(err, errlen, -EBADMSG, "corrupt: %s", why(a, "unreadable"));
		goto out;
	}
	/* The raw format takes anything: only a filter below it makes it a compressed stream. */
	if (dl_archive_filter_count(a) < 2 || dl_archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
		ret = kt_fail(err, errlen, -ENOMSG, "not compressed in a format libarchive reads");
		goto out;
	}
	snprintf(filter, KT_FILTER_NAME_LEN, "%s", dl_archive_filter_name(a, 0));
	if (dl_archive_read_next_header(a, &e) != ARCHIVE_OK)
		ret = kt_fail(err, errlen, -EBADMSG, "%s stream: %s", filter, why(a, "unreadable"));
	else
		ret = read_stream(a, filter, len, max, out, outlen, err, errlen);
out:
	dl_archive_read_free(a);
	return ret;
}
