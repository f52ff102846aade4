// SPDX-License-Identifier: GPL-2.0-only
/*
 * finalize / abort: the out/finalize control of 6.16-6.19 kernels, the one place the
 * suite writes to the kernel (see finalize.h).
 */
#include "check/finalize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/util.h"
#include "model/facts.h"

int kt_finalize_plan(const struct kt_state *st, int target, struct kt_finalize_plan *p)
{
	const struct kt_snapshot *s = st->snap;

	memset(p, 0, sizeof(*p));
	p->target = target;
	p->current = -1;
	p->path = kt_asprintf("%s/out/finalize", s->origin);
	if (!s->has_finalize) {
		p->reason =
		    kt_asprintf("this kernel has no KHO finalize control (%s): 7.x finalizes KHO during the "
				"kexec reboot; check readiness with 'kho-inspect preflight'",
				p->path);
		return -ENOTSUP;
	}
	p->is_619 = kt_fact_luo_v1_era(st, LIVEUPDATE_DEV);
	if (!target && p->is_619) {
		p->reason =
		    kt_strdup("this kernel has KHO finalize but no abort: 6.19 removed it (told apart from "
			      "6.16-6.18 by " LIVEUPDATE_DEV " or a luo-v1 LUO sub-blob)");
		return -ENOTSUP;
	}
	if (s->finalize < 0) {
		p->reason = kt_asprintf("%s holds neither 0 nor 1", p->path);
		return -EBADMSG;
	}
	p->current = s->finalize;
	return 0;
}

int kt_finalize_apply(const struct kt_finalize_plan *p, int *now)
{
	char v[2] = {p->target ? '1' : '0', '\n'};
	uint8_t *buf;
	size_t len;
	ssize_t w;
	int fd, ret = 0;

	/* What `echo 1 > out/finalize` does; the kernel answers the write itself (EBUSY, EINVAL, ...). */
	fd = open(p->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, v, sizeof(v));
	if (w < 0)
		ret = -errno;
	else if (w != sizeof(v))
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		return ret;
	ret = kt_read_file(p->path, 64, &buf, &len);
	if (ret)
		return ret;
	*now = len && (buf[0] == '0' || buf[0] == '1') ? buf[0] - '0' : -1;
	free(buf);
	return 0;
}

void kt_finalize_plan_free(struct kt_finalize_plan *p)
{
	free(p->path);
	free(p->reason);
	memset(p, 0, sizeof(*p));
}
