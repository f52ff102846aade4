/* SPDX-License-Identifier: GPL-2.0-only */
/* /proc/kallsyms: which kernel symbols exist, and (as root) where. */
#ifndef KT_KSYM_H
#define KT_KSYM_H

#include <stdbool.h>
#include <stdint.h>

#define KT_KALLSYMS "/proc/kallsyms"

/*
 * Every symbol line: fn(ctx, addr, type, name) until it returns true. Addresses read
 * as 0 without the privilege to see them (kptr_restrict). -errno when unreadable.
 */
int kt_ksym_scan(bool (*fn)(void *ctx, uint64_t addr, char type, const char *name), void *ctx);
/* The address of sym: -ENOENT not there (a kernel without KALLSYMS_ALL), -EPERM hidden (not root). */
int kt_ksym_addr(const char *sym, uint64_t *addr);

#endif
