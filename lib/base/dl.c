// SPDX-License-Identifier: GPL-2.0-only
#include "base/dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

int kt_dl_open(struct kt_dl *l, char *err, size_t errlen)
{
	void *h;
	size_t i;

	if (!l->tried) {
		l->tried = true;
		h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			snprintf(l->why, sizeof(l->why), "%s", dlerror());
			l->ret = -ENOENT;
		}
		for (i = 0; h && i < l->n; i++) {
			*l->syms[i].addr = dlsym(h, l->syms[i].name);
			if (!*l->syms[i].addr) {
				snprintf(l->why, sizeof(l->why), "%s: no %s", l->soname, l->syms[i].name);
				l->ret = -ENOENT;
				break;
			}
		}
	}
	if (l->ret)
		snprintf(err, errlen, "%s", l->why);
	return l->ret;
}
