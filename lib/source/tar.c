// SPDX-License-Identifier: GPL-2.0-only
/* Tarballs of snapshots: POSIX ustar, regular files and directories only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/abi.h"
#include "snapshot/snapshot.h"
#include "base/util.h"

#define BLK 512

struct ustar {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};
_Static_assert(sizeof(struct ustar) == BLK, "ustar header");

static unsigned int checksum(const struct ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < BLK; i++)
		sum += (i >= offsetof(struct ustar, chksum) && i < offsetof(struct ustar, typeflag)) ? ' ' : p[i];
	return sum;
}

bool kt_is_tar(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && !strcmp(path + n - 4, ".tar");
}

static int put_header(FILE *f, const char *path, char type, size_t size)
{
	struct ustar h;
	size_t n = strlen(path);

	memset(&h, 0, sizeof(h));
	if (n < sizeof(h.name)) {
		memcpy(h.name, path, n);
	} else {
		const char *slash = strrchr(path, '/');

		if (!slash || slash - path >= (long)sizeof(h.prefix) ||
		    strlen(slash + 1) >= sizeof(h.name))
			return -ENAMETOOLONG;
		memcpy(h.prefix, path, slash - path);
		strcpy(h.name, slash + 1);
	}
	snprintf(h.mode, sizeof(h.mode), "%07o", type == '5' ? 0755 : 0644);
	snprintf(h.uid, sizeof(h.uid), "%07o", 0);
	snprintf(h.gid, sizeof(h.gid), "%07o", 0);
	snprintf(h.size, sizeof(h.size), "%011llo", (unsigned long long)size);
	snprintf(h.mtime, sizeof(h.mtime), "%011llo", (unsigned long long)time(NULL));
	h.typeflag = type;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	snprintf(h.chksum, sizeof(h.chksum), "%06o", checksum(&h));
	h.chksum[7] = ' ';
	return fwrite(&h, BLK, 1, f) == 1 ? 0 : -EIO;
}

int kt_tar_write(const char *path, const struct kt_file *files, size_t n)
{
	static const char zero[BLK];
	FILE *f = fopen(path, "wbx");
	size_t i;
	int ret = 0;

	if (!f)
		return -errno;
	for (i = 0; i < n && !ret; i++) {
		size_t pad = (BLK - files[i].len % BLK) % BLK;

		ret = put_header(f, files[i].path, '0', files[i].len);
		if (!ret && (fwrite(files[i].data, 1, files[i].len, f) != files[i].len ||
			     fwrite(zero, 1, pad, f) != pad))
			ret = -EIO;
	}
	if (!ret && (fwrite(zero, BLK, 1, f) != 1 || fwrite(zero, BLK, 1, f) != 1))
		ret = -EIO;
	if (fflush(f) && !ret)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -EIO;
	return ret;
}

static bool parse_octal(const char *p, size_t n, unsigned long long *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && p[i] == ' ')
		i++;
	if (i == n || p[i] < '0' || p[i] > '7')
		return false;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (*v >> 60)
			return false;
		*v = *v * 8 + (p[i] - '0');
	}
	return i == n || p[i] == ' ' || p[i] == '\0';
}

static bool safe_path(const char *p)
{
	const char *c;

	if (!*p || *p == '/')
		return false;
	for (c = p; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (!strncmp(c, "..", 2) && (c[2] == '/' || c[2] == '\0'))
			return false;
	}
	return true;
}

int kt_tar_read(const char *path, struct kt_file **files, size_t *nfiles, char *err, size_t errlen)
{
	unsigned long long total = 0;
	struct kt_file *v = NULL;
	size_t n = 0, cap = 0;
	struct ustar h;
	FILE *f;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret) {
		unsigned long long size, chk;
		char name[256];
		uint8_t *data;
		size_t pad;

		if (fread(&h, BLK, 1, f) != 1) {
			ret = -EBADMSG;
			snprintf(err, errlen, "%s: truncated tarball (no end-of-archive marker)", path);
			break;
		}
		if (!h.name[0])
			break; /* end-of-archive block */
		if (!parse_octal(h.chksum, sizeof(h.chksum), &chk) || chk != checksum(&h) ||
		    !parse_octal(h.size, sizeof(h.size), &size)) {
			ret = -EBADMSG;
			snprintf(err, errlen, "%s: not a tarball, or a corrupt header at byte %ld", path,
				 ftell(f) - BLK);
			break;
		}
		snprintf(name, sizeof(name), "%.*s%s%.*s", (int)strnlen(h.prefix, sizeof(h.prefix)), h.prefix,
			 h.prefix[0] ? "/" : "", (int)strnlen(h.name, sizeof(h.name)), h.name);
		pad = (BLK - size % BLK) % BLK;
		if (h.typeflag != '0' && h.typeflag != '\0') {
			if (fseek(f, size + pad, SEEK_CUR))
				ret = -EIO;
			continue;
		}
		if (!strncmp(name, "./", 2))
			memmove(name, name + 2, strlen(name + 2) + 1);
		if (!safe_path(name) || size > KT_MAX_BLOB_SIZE || n >= KT_MAX_FILES ||
		    (total += size) > KT_MAX_TOTAL) {
			ret = -EBADMSG;
			snprintf(err, errlen, "%s: entry '%s' is unsafe or too large", path, name);
			break;
		}
		data = malloc(size ? size : 1);
		if (!data) {
			ret = -ENOMEM;
			break;
		}
		if (fread(data, 1, size, f) != size || fseek(f, pad, SEEK_CUR)) {
			free(data);
			ret = -EBADMSG;
			snprintf(err, errlen, "%s: truncated in entry '%s'", path, name);
			break;
		}
		if (n == cap) {
			struct kt_file *nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(data);
				ret = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = (struct kt_file){ kt_strdup(name), data, size };
	}
	fclose(f);
	*files = v;
	*nfiles = n;
	return ret;
}
