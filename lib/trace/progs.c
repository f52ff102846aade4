// SPDX-License-Identifier: GPL-2.0-only
/* Every BPF program in the kernel, and which are ours: what luo-top --leftovers lists. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "trace/internal.h"

/* Program names as the kernel keeps them: at most BPF_OBJ_NAME_LEN - 1 characters. */
static bool is_ours(const char *name)
{
	static const char *const prefix[] = {"fe", "fx", "kp", "kr"};
	char full[96];
	size_t i;
	int fn;

	if (!strcmp(name, "kt_trial"))
		return true;
	for (fn = 0; fn < KT_FN_MAX; fn++)
		for (i = 0; i < KT_ARRAY_SIZE(prefix); i++) {
			snprintf(full, sizeof(full), "%s_%s", prefix[i], kt_fn_info[fn].name);
			full[BPF_OBJ_NAME_LEN - 1] = 0;
			if (!strcmp(name, full))
				return true;
		}
	return false;
}

int kt_trace_list_progs(struct kt_bpf_prog **vp, size_t *np)
{
	struct kt_bpf_prog *v = NULL;
	size_t n = 0, cap = 0;
	__u32 id = 0;

	*vp = NULL;
	*np = 0;
	kt_trace_libbpf_messages(false);
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		const char *type;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded meanwhile */
			free(v);
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int err = -errno;

			close(fd);
			free(v);
			return err;
		}
		close(fd);
		KT_GROW(v, cap, n + 1);
		v[n].id = info.id;
		type = libbpf_bpf_prog_type_str(info.type);
		snprintf(v[n].type, sizeof(v[n].type), "%s", type ? type : "unknown");
		snprintf(v[n].name, sizeof(v[n].name), "%.16s", info.name);
		v[n].ours = is_ours(v[n].name);
		n++;
	}
	if (errno != ENOENT) {
		free(v);
		return -errno;
	}
	*vp = v;
	*np = n;
	return 0;
}
