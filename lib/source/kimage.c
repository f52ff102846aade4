// SPDX-License-Identifier: GPL-2.0-only
#include "source/kimage.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

const char *const kt_kimage_kind_name[KT_KIMAGE_NR_KINDS] = {"vmlinux", "bzImage"};

/* The real-mode header of the x86 boot protocol (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS	 0x1f1 /* u8: 512-byte setup sectors after the boot sector; 0 means 4 */
#define BZ_MAGIC	 0x202 /* "HdrS" */
#define BZ_VERSION	 0x206 /* u16: boot protocol version */
#define BZ_PAYLOAD_OFF	 0x248 /* u32: from the start of the protected-mode code */
#define BZ_PAYLOAD_LEN	 0x24c /* u32 */
#define BZ_HEADER_END	 0x250
#define BZ_PAYLOAD_PROTO 0x208 /* payload_offset and payload_length exist since 2.08 */

/*
 * arch/x86/boot/compressed/Makefile: every payload but gzip's is followed by the
 * uncompressed size, 4 bytes little-endian (scripts/Makefile.lib, size_append); gzip
 * keeps it in its own trailer (ISIZE). Both are the last 4 bytes of the payload, and
 * only gzip's belong to the stream.
 */
#define SIZE_TRAILER 4
static const uint8_t gzip_magic[] = {0x1f, 0x8b};

static uint32_t le16(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8;
}

static int decompress_payload(const char *name, const uint8_t *p, size_t n, struct kt_kimage *k, char *err,
			      size_t errlen)
{
	bool gzip = n >= sizeof(gzip_magic) && !memcmp(p, gzip_magic, sizeof(gzip_magic));
	uint32_t want = kt_le32(p + n - SIZE_TRAILER);
	char why[256];
	int ret;

	ret = kt_decompress(p, gzip ? n : n - SIZE_TRAILER, KT_KIMAGE_MAX_ELF, &k->elf, &k->len,
			    k->compression, why, sizeof(why));
	if (ret == -ENOMSG)
		return kt_fail(err, errlen, -ENOTSUP,
			       "%s: unsupported payload compression (starts %02x %02x %02x %02x): %s", name,
			       p[0], p[1], p[2], p[3], why);
	if (ret)
		return kt_fail(err, errlen, ret, "%s: payload: %s", name, why);
	if ((uint32_t)k->len != want)
		return kt_fail(err, errlen, -EBADMSG,
			       "%s: truncated or corrupt: the %s payload gives %zu bytes, the image says %u",
			       name, k->compression, k->len, want);
	if (k->len < SELFMAG || memcmp(k->elf, ELFMAG, SELFMAG))
		return kt_fail(err, errlen, -EBADMSG, "%s: the %s payload is not an ELF vmlinux", name,
			       k->compression);
	return 0;
}

static int parse_bzimage(const char *name, const uint8_t *b, size_t len, struct kt_kimage *k, char *err,
			 size_t errlen)
{
	unsigned int sects = b[BZ_SETUP_SECTS] ? b[BZ_SETUP_SECTS] : 4;
	uint32_t proto = le16(b + BZ_VERSION);
	uint64_t start = (uint64_t)(sects + 1) * 512 + kt_le32(b + BZ_PAYLOAD_OFF);
	uint64_t n = kt_le32(b + BZ_PAYLOAD_LEN);

	k->kind = KT_KIMAGE_BZIMAGE;
	if (proto < BZ_PAYLOAD_PROTO)
		return kt_fail(err, errlen, -ENOTSUP,
			       "%s: boot protocol %u.%02u has no payload fields (2.08 and later do)", name,
			       proto >> 8, proto & 0xff);
	if (n <= SIZE_TRAILER)
		return kt_fail(err, errlen, -EBADMSG, "%s: corrupt: a payload of %llu bytes", name,
			       (unsigned long long)n);
	if (start + n > len)
		return kt_fail(err, errlen, -EBADMSG, "%s: truncated: %zu bytes, the payload ends at %llu",
			       name, len, (unsigned long long)(start + n));
	return decompress_payload(name, b + start, n, k, err, errlen);
}

/* A vmlinux compressed as a whole (vmlinux.xz, vmlinux.gz, ...). */
static int parse_compressed(const char *name, const uint8_t *buf, size_t len, struct kt_kimage *k, char *err,
			    size_t errlen)
{
	char why[256];
	int ret =
	    kt_decompress(buf, len, KT_KIMAGE_MAX_ELF, &k->elf, &k->len, k->compression, why, sizeof(why));

	k->kind = KT_KIMAGE_ELF;
	if (ret == -ENOMSG)
		return kt_fail(
		    err, errlen, -EINVAL,
		    "%s: not a kernel image (neither an ELF vmlinux, a bzImage, nor a compressed file)",
		    name);
	if (ret)
		return kt_fail(err, errlen, ret, "%s: %s", name, why);
	if (k->len < SELFMAG || memcmp(k->elf, ELFMAG, SELFMAG))
		return kt_fail(err, errlen, -EINVAL, "%s: a %s file, but not of an ELF vmlinux", name,
			       k->compression);
	return 0;
}

int kt_kimage_parse(const char *name, uint8_t *buf, size_t len, struct kt_kimage *k, char *err, size_t errlen)
{
	int ret;

	memset(k, 0, sizeof(*k));
	if (len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG)) {
		k->kind = KT_KIMAGE_ELF;
		k->elf = buf;
		k->len = len;
		return 0;
	}
	if (len >= BZ_MAGIC + 4 && !memcmp(buf + BZ_MAGIC, "HdrS", 4))
		ret = len < BZ_HEADER_END ? kt_fail(err, errlen, -EBADMSG,
						    "%s: truncated: %zu bytes, a bzImage header has %u", name,
						    len, BZ_HEADER_END)
					  : parse_bzimage(name, buf, len, k, err, errlen);
	else
		ret = parse_compressed(name, buf, len, k, err, errlen);
	free(buf);
	if (ret)
		kt_kimage_free(k);
	return ret;
}

int kt_kimage_read(const char *path, struct kt_kimage *k, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret = kt_read_file(path, KT_KIMAGE_MAX_FILE, &buf, &len);

	if (ret) {
		memset(k, 0, sizeof(*k));
		return kt_fail(err, errlen, ret, "%s: %s", path,
			       ret == -EFBIG ? "larger than a kernel image can be" : strerror(-ret));
	}
	return kt_kimage_parse(path, buf, len, k, err, errlen);
}

void kt_kimage_free(struct kt_kimage *k)
{
	free(k->elf);
	memset(k, 0, sizeof(*k));
}
