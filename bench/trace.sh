#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Tracing benchmark in the test VM (QEMU TCG, the 7.3 test kernel):
#   bench/trace.sh [OUTDIR]          (default build/bench/trace)
# 1. PRESERVE_FD of one large memfd (BENCH_SIZE, default 512M) with no tracing, with
#    luo-top -b attached, with luo-top --trace -J attached, and with --trace -J --pages
#    (per-folio probes too), BENCH_ROUNDS (9) rounds each, modes alternating; the ratio of
#    medians to the untraced one, in one boot. Goal: at most 1.10 (the default probes).
# 2. luo-top -b -d 1 with BENCH_SESSIONS (1000) sessions open: its CPU time over
#    BENCH_CPU_SECONDS (20) of steady state, as a share of one core, tracing on and off.
#    Goal: at most 1 %.
# The guest side is bench/trace-bench.c (kt-trace-bench), started by tests/vm/init's
# luo-top hook on kt.bench=trace. TCG slows everything down alike, so ratios carry over;
# absolute times do not. KT_KERNEL_DIR skips build-kernel.sh; KT_MEM (4G), KT_TIMEOUT (1800).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/bench/trace}
size=${BENCH_SIZE:-512M}
rounds=${BENCH_ROUNDS:-9}
sessions=${BENCH_SESSIONS:-1000}
cpu_seconds=${BENCH_CPU_SECONDS:-20}
mem=${KT_MEM:-4G}
timeout_s=${KT_TIMEOUT:-1800}

make -s -C "$top" build/luo-top build/kho-agent build/kt-trace-bench >&2
kdir=${KT_KERNEL_DIR:-$("$top/tests/vm/build-kernel.sh")}
[ -f "$kdir/bzImage" ] || { echo "trace.sh: $kdir/bzImage missing" >&2; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
find "$out" -mindepth 1 -delete
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$top/tests/vm/mkinitramfs.sh" "$kdir/bzImage" "$tmp/initramfs.cpio.gz" "$top/build/luo-top" \
	"$top/build/kho-agent" "$top/build/kt-trace-bench" 2>/dev/null

args="--size,$size,--rounds,$rounds,--sessions,$sessions,--cpu-seconds,$cpu_seconds"
append="console=ttyS0 kho=on liveupdate=on panic=-1 kt.bench=trace kt.bench.args=$args"
echo "trace.sh: booting the test kernel (TCG, $mem): $size memfd x $rounds rounds, $sessions sessions" >&2
start=$(date +%s)
timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp 2 -nographic -no-reboot \
	-kernel "$kdir/bzImage" -initrd "$tmp/initramfs.cpio.gz" -append "$append" \
	-virtfs "local,path=$out,mount_tag=kt,security_model=none" </dev/null >"$out/console.log" 2>&1 || true
echo "trace.sh: $(($(date +%s) - start)) s in the VM; output in $out" >&2

res=$out/bench/trace.txt
if [ "$(cat "$out/bench/trace.rc" 2>/dev/null)" != 0 ] || [ ! -s "$res" ]; then
	echo "trace.sh: the benchmark did not complete:" >&2
	cat "$out/bench/trace.err" 2>/dev/null >&2
	tail -n 30 "$out/console.log" >&2
	exit 1
fi
cat "$res"
echo
awk '
/^RESULT/ {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	if (v["mode"] == "pages")
		printf "preserve with luo-top --pages attached: %.3fx untraced (median; %.3fx by minimum; per-folio probes: no goal)\n",
			v["ratio"], v["ratio_min"]
	else if (v["mode"] != "off")
		printf "preserve with luo-top %-6s attached: %.3fx untraced (median; %.3fx by minimum) (goal <= 1.10): %s\n",
			v["mode"], v["ratio"], v["ratio_min"], v["ratio"] <= 1.10 ? "met" : "NOT met"
}
/^CPU/ {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "luo-top -b -d 1, %s sessions, %-6s: %.2f %% of a core (goal <= 1 %%): %s\n", v["sessions"], v["mode"],
		v["cpu_pct"], v["cpu_pct"] <= 1.0 ? "met" : "NOT met"
}' "$res"
