#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The scale figures inside the test VM: QEMU TCG (instructions emulated one by one), so
# slower than native by a factor that depends on the host: never compared with the native
# figures of bench/sessions.sh, only with each other, run to run.
#   bench/vm.sh [OUTDIR]   the output of a scale run (default build/vm/scale; make bench-vm
#                          makes one first)
# From it: kho-inspect -J and sessions -J at each stage, luo-top's frames at the
# "sessions" stage, and the churn test's reads (sessions -J: held or "changing"; luo-top
# frames at 0.2 s: full refreshes, and how many showed an older read).
set -eu

d=${1:-build/vm/scale}
[ -f "$d/vm.info" ] || {
	echo "vm.sh: $d holds no VM run (make bench-vm, or make vm-scale first)" >&2
	exit 2
}
command -v jq >/dev/null || {
	echo "vm.sh: jq not found" >&2
	exit 2
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# line NAME VALUE UNIT: one figure, marked as TCG.
line() {
	printf '%-56s %10s %-4s (TCG)\n' "$1" "$2" "$3"
}

echo "== in the VM, QEMU TCG: $(sed -n 's/^layout=//p' "$d/vm.info"); kernel $(sed -n 's/^kernel_version=//p' "$d/vm.info")"
for stage in sessions kexec retrieved finished; do
	for v in kho-inspect sessions; do
		f=$d/$stage/$v.seconds
		[ -f "$f" ] || continue
		line "$stage: kho-inspect $([ $v = sessions ] && echo "sessions -J" || echo "-J")" \
			"$(awk '{ printf "%.2f", $1 }' "$f")" s
	done
done
f=$d/sessions/luo-top.json
if [ -f "$f" ]; then
	line "sessions: luo-top first frame (collect)" "$(jq -s '.[0].collect_us / 1000' "$f")" ms
	line "sessions: luo-top next frame (collect)" "$(jq -s '.[1].collect_us / 1000' "$f")" ms
fi
# luo-top with BPF: its first frame does not wait for the probes (lt_frames in the init).
t=$d/sessions/luo-top.times
if [ -f "$t" ] && grep -q '^on ' "$t"; then
	line "luo-top with BPF: first frame out, from its start" \
		"$(awk '$1 == "start" { s = $2 } $1 == "first" { printf "%.2f", $2 - s }' "$t")" s
	line "luo-top with BPF: probes attached, from its start" \
		"$(jq -s '[.[] | select(.tracing.attached_after_ms != null)][0].tracing.attached_after_ms / 1000' "$f")" s
	line "luo-top with BPF: frames drawn while the probes loaded" \
		"$(jq -s '[.[] | select(.tracing.loading)] | length' "$f")" ""
fi
c=$d/churn
if [ -f "$c/luo-top.ndjson" ]; then
	n=$(ls "$c"/sessions-*.rc | wc -l)
	ok=$(cat "$c"/sessions-*.rc | grep -cx 0 || true)
	changing=$(cat "$c"/sessions-*.rc | grep -cx 2 || true)
	echo "-- churn: $(cat "$c/at-once") sessions replaced about 200 times a second"
	line "sessions -J reads that held" "$ok/$n" ""
	line "sessions -J reads that said the list was changing" "$changing/$n" ""
	line "sessions -J read (median)" "$(cat "$c"/sessions-*.seconds 2>/dev/null | median)" s
	line "luo-top full refresh (collect, median)" \
		"$(jq -r 'select(.frame % 5 == 1) | .collect_us / 1000' "$c/luo-top.ndjson" | median)" ms
	line "luo-top frames showing an older read" \
		"$(jq -r 'select(.sessions_changing) | .frame' "$c/luo-top.ndjson" | wc -l)/$(wc -l <"$c/luo-top.ndjson")" ""
fi
