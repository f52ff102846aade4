#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Decode benchmark: kho-inspect -J against fdtdump (and dtc, where it copes) on
# synthetic memblock-like KHO FDTs of 10k to 1M nodes.
#   bench/decode.sh KHO_INSPECT
# Environment: BENCH_SIZES (node counts, default "10000 40000 100000 1000000"),
# BENCH_RUNS (timed runs of each command per size, default 7; the median is
# shown), BENCH_DTC_MAX (largest tree given to dtc, default 40000: dtc is
# quadratic in the node count and runs out of memory near 50k nodes).
# Targets: kho-inspect at least as fast as fdtdump at every size (ratio <= 1),
# and 10x the nodes in at most 11x the time.
set -eu

[ $# -eq 1 ] || {
	echo "usage: $0 KHO_INSPECT" >&2
	exit 2
}
ki=$1
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
sizes=${BENCH_SIZES:-10000 40000 100000 1000000}
dtc_max=${BENCH_DTC_MAX:-40000}

bench_need fdtdump dtc cc
[ -x "$ki" ] || {
	echo "decode.sh: $ki: not an executable" >&2
	exit 2
}
bench_build gen-tree -lfdt
bench_build timeit

# Peak RSS in KiB of one run: GNU time's report when installed, else wait4's rusage.
peak_rss() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'
	else
		"$out/timeit" "$@" | cut -d' ' -f4
	fi
}

res=$out/results
rm -f "$res"
printf '%-8s %8s %12s %12s %9s %12s %9s\n' nodes "blob MiB" "kho-insp ms" "fdtdump ms" ratio "dtc ms" "RSS MiB"
for n in $sizes; do
	dir=$out/tree-$n
	blob=$dir/out/sub_fdts/memblock
	bytes=$("$out/gen-tree" "$n" "$dir")
	mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
	# A tree kho-inspect refuses or decodes with errors is not a benchmark: say why.
	if ! err=$("$ki" --root "$dir" -J 2>&1 >"$out/check.json"); then
		printf '%-8s %8s  kho-inspect failed: %s\n' "$n" "$mib" "$(echo "$err" | head -n 1)"
		continue
	fi
	got=$(grep -o '"reserve-mem-v1"' "$out/check.json" | wc -l)
	if [ "$got" -ne $((2 * n)) ]; then
		printf '%-8s %8s  kho-inspect decoded %s of %s regions\n' "$n" "$mib" $((got / 2)) "$n"
		continue
	fi
	do_dtc=
	[ "$n" -le "$dtc_max" ] && do_dtc=1
	: >"$out/ki" && : >"$out/fd" && : >"$out/dtc"
	# One warm-up each (page cache), then the two in turn so drift hits both alike.
	i=0
	while [ $i -le "$runs" ]; do
		a=$("$out/timeit" "$ki" --root "$dir" -J)
		b=$("$out/timeit" fdtdump "$blob")
		if [ $i -gt 0 ]; then
			echo "$a" >>"$out/ki"
			echo "$b" >>"$out/fd"
		fi
		i=$((i + 1))
	done
	if [ -n "$do_dtc" ]; then
		i=0
		while [ $i -lt 3 ]; do
			"$out/timeit" dtc -I dtb -O dts "$blob" >>"$out/dtc"
			i=$((i + 1))
		done
	fi
	tk=$(cut -d' ' -f1 "$out/ki" | median)
	tf=$(cut -d' ' -f1 "$out/fd" | median)
	td=-
	[ -n "$do_dtc" ] && td=$(ms "$(cut -d' ' -f1 "$out/dtc" | median)")
	rss=$(peak_rss "$ki" --root "$dir" -J)
	echo "$n $tk" >>"$res"
	printf '%-8s %8s %12s %12s %9s %12s %9s\n' "$n" "$mib" "$(ms "$tk")" "$(ms "$tf")" \
		"$(awk -v a="$tk" -v b="$tf" 'BEGIN { printf "%.2f", a / b }')" "$td" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
done
echo "ratio: kho-inspect / fdtdump median wall time (target <= 1.00); dtc only up to $dtc_max nodes"
# Scaling of kho-inspect between sizes ten times apart (target <= 11x).
[ -f "$res" ] && awk '{ n[NR] = $1; t[NR] = $2 }
	END {
		for (i = 1; i <= NR; i++)
			for (k = 1; k <= NR; k++)
				if (n[k] == 10 * n[i])
					printf "scaling: %d -> %d nodes: %.1fx time (target <= 11x)\n", n[i], n[k], t[k] / t[i]
	}' "$res"
exit 0
