// SPDX-License-Identifier: GPL-2.0-only
/* Reading what the programs gathered: the event stream, exact totals per function, handler and session. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "trace/internal.h"

int kt_trace_poll(struct kt_trace *t, int timeout_ms)
{
	int n;

	if (!t->rb) {
		if (timeout_ms > 0)
			usleep(timeout_ms * 1000);
		return 0;
	}
	n = ring_buffer__poll(t->rb, timeout_ms);
	return n == -EINTR ? 0 : n;
}

int kt_trace_consume(struct kt_trace *t)
{
	return t->rb ? ring_buffer__consume(t->rb) : 0;
}

int kt_trace_fd(const struct kt_trace *t)
{
	return t && t->rb ? ring_buffer__epoll_fd(t->rb) : -1;
}

uint64_t kt_trace_dropped(struct kt_trace *t)
{
	if (t->skel && t->skel->bss)
		t->dropped += __atomic_exchange_n(&t->skel->bss->dropped, 0, __ATOMIC_RELAXED);
	return t->dropped;
}

static void add_cpus(struct kt_fn_stat *out, const struct kt_fn_stat *v, int ncpu)
{
	int c, k;

	for (c = 0; c < ncpu; c++) {
		const struct kt_fn_stat *s = &v[c];

		out->count += s->count;
		out->errors += s->errors;
		out->bytes += s->bytes;
		out->kho_bytes += s->kho_bytes;
		out->lat_n += s->lat_n;
		out->lat_sum += s->lat_sum;
		if (s->lat_max > out->lat_max)
			out->lat_max = s->lat_max;
		for (k = 0; k < KT_LAT_SLOTS; k++)
			out->hist[k] += s->hist[k];
	}
}

int kt_trace_fn_totals(struct kt_trace *t, struct kt_fn_stat *out)
{
	__u32 keys[KT_FN_MAX], count = KT_FN_MAX, out_batch = 0, fn;
	int fd, err;

	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	memset(out, 0, sizeof(*out) * KT_FN_MAX);
	if (!t->skel || !t->ncpu)
		return 0;
	fd = bpf_map__fd(t->skel->maps.fn_stats);
	/* One call for every function and CPU; one per function where batches are missing. */
	err = bpf_map_lookup_batch(fd, NULL, &out_batch, keys, t->percpu, &count, &bo);
	if ((!err || errno == ENOENT) && count == KT_FN_MAX) {
		for (fn = 0; fn < count; fn++)
			if (keys[fn] < KT_FN_MAX)
				add_cpus(&out[keys[fn]], &t->percpu[(size_t)fn * t->ncpu], t->ncpu);
		return 0;
	}
	memset(out, 0, sizeof(*out) * KT_FN_MAX);
	for (fn = 0; fn < KT_FN_MAX; fn++) {
		if (bpf_map_lookup_elem(fd, &fn, t->percpu))
			return -errno;
		add_cpus(&out[fn], t->percpu, t->ncpu);
	}
	return 0;
}

/*
 * Every entry of a hash map as packed key+value rows: in batches (a few syscalls for
 * thousands of sessions), or one key at a time where the kernel has no batch lookup.
 */
static int dump_hash(int fd, size_t ksize, size_t vsize, void **rows, size_t *n)
{
	size_t cap = 0, cnt = 0, row = ksize + vsize, i;
	unsigned char key[KT_NAME_LEN], next[KT_NAME_LEN];
	unsigned char *v = NULL, *keys = NULL, *vals = NULL;
	__u64 in_batch = 0, out_batch = 0;
	bool first = true;
	void *prev = NULL;
	int err = 0;

	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	keys = kt_malloc(256 * ksize);
	vals = kt_malloc(256 * vsize);
	for (;;) {
		__u32 got = 256;

		err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, vals, &got, &bo);
		err = err ? -errno : 0;
		if (err && err != -ENOENT)
			break;
		v = kt_grow(v, &cap, cnt + got, row);
		for (i = 0; i < got; i++) {
			memcpy(v + (cnt + i) * row, keys + i * ksize, ksize);
			memcpy(v + (cnt + i) * row + ksize, vals + i * vsize, vsize);
		}
		cnt += got;
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in_batch = out_batch;
		first = false;
	}
	free(keys);
	free(vals);
	if (!err) {
		*rows = v;
		*n = cnt;
		return 0;
	}
	cnt = 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksize);
		prev = key;
		v = kt_grow(v, &cap, cnt + 1, row);
		memcpy(v + cnt * row, key, ksize);
		/* An entry deleted (LRU) between the two calls is skipped. */
		if (bpf_map_lookup_elem(fd, key, v + cnt * row + ksize))
			continue;
		cnt++;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int kt_trace_handlers(struct kt_trace *t, struct kt_trace_handler **v, size_t *n)
{
	_Static_assert(sizeof(struct kt_trace_handler) == KT_COMPAT_LEN + sizeof(struct kt_handler_stat),
		       "packed rows");
	*v = NULL;
	*n = 0;
	if (!t->skel)
		return 0;
	return dump_hash(bpf_map__fd(t->skel->maps.handler_stats), KT_COMPAT_LEN,
			 sizeof(struct kt_handler_stat), (void **)v, n);
}

int kt_trace_sessions(struct kt_trace *t, struct kt_trace_session **v, size_t *n)
{
	_Static_assert(sizeof(struct kt_trace_session) == KT_NAME_LEN + sizeof(struct kt_session_stat),
		       "packed rows");
	*v = NULL;
	*n = 0;
	if (!t->skel)
		return 0;
	return dump_hash(bpf_map__fd(t->skel->maps.session_stats), KT_NAME_LEN,
			 sizeof(struct kt_session_stat), (void **)v, n);
}

uint64_t kt_hist_quantile(const __u64 *hist, double q)
{
	uint64_t total = 0, acc = 0;
	int i;

	for (i = 0; i < KT_LAT_SLOTS; i++)
		total += hist[i];
	if (!total)
		return 0;
	for (i = 0; i < KT_LAT_SLOTS; i++) {
		acc += hist[i];
		if ((double)acc >= q * (double)total)
			return (2ULL << i) - 1;
	}
	return (2ULL << (KT_LAT_SLOTS - 1)) - 1;
}
