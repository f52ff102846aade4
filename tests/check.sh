#!/bin/sh
# Every test of kho-tools, as `make check` (and .ci/run) runs them:
#   the layering and format checks, unit tests and shell tests against the ASan+UBSan build,
#   a short run of every fuzz target,
#   the live-update cycle in the test VM (builds the test kernel on first use, then cached),
#   once with the default layout and once at scale, and the systemd VM (one kexec with
#   systemd >= 262 as PID 1; builds its Debian root on first use, then cached).
# Each suite prints its own summary; the last line is the total: "N passed, M failed".
# KT_SKIP_VM=1 leaves the VM suites out (counted as a skip, and said so).
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
passed=0 failed=0 skipped=0 log=build/check
mkdir -p "$log"

add() { passed=$((passed + $1)); failed=$((failed + $2)); }

# Count a bats TAP stream: "ok N", "ok N ... # skip", "not ok N".
tap() {
	name=$1 file=$2 rc=$3
	p=$(grep -c '^ok ' "$file") s=$(grep -c '^ok .*# skip' "$file") f=$(grep -c '^not ok ' "$file")
	p=$((p - s))
	# A suite that died before any test ran is one failure, not zero, and its log says why.
	died=0
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 died=1
	echo "$name: $p passed, $f failed, $s skipped"
	[ "$f" -eq 0 ] || grep -A 12 '^not ok ' "$file" | head -n 60
	[ "$died" -eq 0 ] || tail -n 30 "$file"
	skipped=$((skipped + s))
	add "$p" "$f"
}

# A suite that ends with "NAME: N passed, M failed".
summary() {
	name=$1 file=$2 rc=$3
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$file" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: did not run to the end (rc $rc)"
		tail -n 30 "$file"
		add 0 1
		return
	fi
	echo "$line"
	set -- $(echo "$line" | sed 's/^[^:]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/')
	# A non-zero exit with no failure counted is still a failure.
	[ "$rc" -ne 0 ] && [ "$2" -eq 0 ] && set -- "$1" 1
	[ "$2" -eq 0 ] || tail -n 40 "$file"
	add "$1" "$2"
}

echo "== build (ASan+UBSan)"
if ! make -s SAN=1 >"$log/build.log" 2>&1; then
	cat "$log/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# One pass or failure each: the layering of lib/ and tools/ (includes and the calls in the
# objects just built), and one clang-format style over every C file.
echo "== lint"
lint() {
	name=$1
	shift
	if "$@" >"$log/$name.log" 2>&1; then
		add 1 0
		echo "$name: $(tail -n 1 "$log/$name.log")"
	else
		add 0 1
		echo "$name: FAILED"
		tail -n 20 "$log/$name.log"
	fi
}
lint layering tests/layering.sh "$top" "$top/build/san"
lint format make -s format-check

echo "== unit"
make -s SAN=1 unit-test >"$log/unit.log" 2>&1
summary unit "$log/unit.log" $?

echo "== shell"
KT_BIN=$top/build/san bats --tap tests/bats >"$log/shell.log" 2>&1
tap shell "$log/shell.log" $?

echo "== fuzz (smoke)"
make -s fuzz-smoke >"$log/fuzz.log" 2>&1
summary fuzz "$log/fuzz.log" $?

if [ "${KT_SKIP_VM:-0}" = 1 ]; then
	echo "== vm: skipped (KT_SKIP_VM=1)"
	skipped=$((skipped + 1))
else
	echo "== vm (test kernel under QEMU TCG)"
	start=$(date +%s)
	make -s vm-test >"$log/vm.log" 2>&1
	tap vm "$log/vm.log" $?
	echo "vm: $(($(date +%s) - start)) s including any kernel build"
	# The same checks at a real host's scale: 1000 sessions, 256 memfds in one, a 1 GiB memfd.
	echo "== vm at scale"
	start=$(date +%s)
	make -s vm-scale >"$log/vm-scale.log" 2>&1
	tap vm-scale "$log/vm-scale.log" $?
	echo "vm-scale: $(($(date +%s) - start)) s"
	# systemd as PID 1 carrying an fd store and a LUOSession= session across one kexec.
	echo "== vm-systemd"
	start=$(date +%s)
	make -s vm-systemd >"$log/vm-systemd.log" 2>&1
	tap vm-systemd "$log/vm-systemd.log" $?
	echo "vm-systemd: $(($(date +%s) - start)) s including any root filesystem build"
fi

[ "$skipped" -eq 0 ] || echo "($skipped skipped, reasons above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
