#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The preserved-memory map of a big host: kho-inspect mem and mem --ranges on fabricated
# kcore images of hosts preserving 1 and 4 TiB (bench/gen-mem.c: 1 GiB, 2 MiB and 4 KiB
# blocks mixed, about 266,000 ranges a TiB, the tree as the kernel builds it).
#   bench/mem.sh KHO_INSPECT
# Targets (issue 15): at most 1 s a TiB; memory bounded per TiB (shown: peak RSS, and
# what each further TiB adds). Environment: BENCH_RUNS (7), BENCH_TIB ("1 4").
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 KHO_INSPECT" >&2
	exit 2
}
ki=$(cd "$(dirname "$1")" && pwd)/${1##*/}
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
sizes=${BENCH_TIB:-1 4}

bench_need cc
bench_build gen-mem -lfdt
bench_build timeit

echo "== kho-inspect mem (median of $runs runs)"
: >"$out/rss"
for tib in $sizes; do
	d=$out/mem-$tib
	rm -rf "$d"
	set -- $("$out/gen-mem" "$tib" "$d")
	echo "-- $tib TiB preserved: $2 ranges"
	export KHO_TOOLS_DEBUGFS="$d/kho" KHO_TOOLS_KCORE="$d/kcore" KHO_TOOLS_IOMEM="$d/iomem"
	"$ki" mem -J >"$out/mem.json" || {
		echo "mem.sh: $tib TiB: kho-inspect mem failed" >&2
		exit 1
	}
	for args in "mem" "mem --ranges" "-J mem --ranges"; do
		# shellcheck disable=SC2086 # the words are the arguments
		timed "$out/t" "$ki" $args
		figure "$args, $tib TiB: seconds per TiB" \
			"$(awk -v s="$(col "$out/t" 1)" -v t="$tib" 'BEGIN { printf "%.3f", s / t }')" s "<=" 1
		echo "    peak RSS $(mib "$(col "$out/t" 4)") MiB"
		echo "$tib $args|$(col "$out/t" 4)" >>"$out/rss"
	done
done
# What each further TiB costs in memory, per command (first and last size).
awk -F'|' '{ split($1, a, " "); t = a[1]; sub(/^[0-9]+ /, "", $1)
	if (!($1 in t0)) { t0[$1] = t; r0[$1] = $2 } t1[$1] = t; r1[$1] = $2 }
	END { for (c in t0) if (t1[c] > t0[c])
		printf "%-52s %12.1f MiB a TiB beyond the first (peak RSS)\n", c ": memory", (r1[c] - r0[c]) / 1024 / (t1[c] - t0[c]) }' "$out/rss"
