# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# Sourced by the bench scripts: their helpers built into $out (build/bench), medians
# of timed runs, and the figure lines. Set top before sourcing.
out=$top/build/bench
runs=${BENCH_RUNS:-7}
mkdir -p "$out"

# bench_build PROG [LIBS...]: bench/PROG.c into $out/PROG.
bench_build() {
	p=$1
	shift
	cc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$out/$p" "$top/bench/$p.c" "$@"
}

# bench_need TOOL...: each on PATH, or exit 2 naming it.
bench_need() {
	for t in "$@"; do
		command -v "$t" >/dev/null || {
			echo "${0##*/}: $t not found" >&2
			exit 2
		}
	done
}

# Median of the numbers on stdin.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# timed FILE CMD...: one warm-up, then $runs runs of CMD, each "WALL USER SYS RSS_KIB STATUS"
# (bench/timeit.c) appended to FILE.
timed() {
	f=$1
	shift
	: >"$f"
	"$out/timeit" "$@" >/dev/null
	i=0
	while [ $i -lt "$runs" ]; do
		"$out/timeit" "$@" >>"$f"
		i=$((i + 1))
	done
}

# col FILE N: the median of column N of FILE.
col() {
	cut -d' ' -f"$2" "$1" | median
}

# verdict VALUE OP TARGET: "ok" or "MISSED" (OP: <= or <).
verdict() {
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = op == "<" ? v < t : v <= t; print ok ? "ok" : "MISSED" }'
}

# figure NAME VALUE UNIT OP TARGET: one line, the figure against its target.
figure() {
	printf '%-52s %12s %-7s target %s %s %-7s %s\n' "$1" "$2" "$3" "$4" "$5" "$3" "$(verdict "$2" "$4" "$5")"
}

ms() {
	awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'
}

mib() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}
