#!/usr/bin/env bats
# systemd as the holder of LUO sessions, on the host: a fabricated kernel after a kexec
# (tests/unit/test_luo_kernel --fixture DIR systemd: the incoming session "systemd" with the
# mapping systemd 262 writes as its token 0, two fd-store memfds as tokens 1 and 2, and the
# LUOSession= session luosession-te-x) and a stand-in for PID 1 on its private D-Bus socket
# (tests/unit/test_sd --serve: a.service keeps mem1, an eventfd evt and the session demo =
# luosession-te-x across a kexec; c.service an empty store). Expectations come from what those
# two lay out (see their sources); the real systemd runs in tests/vm/systemd.

bats_require_minimum_version 1.5.0
load helper

LT=$KT_BIN/luo-top
MKK=$KT_BIN/tests/unit/test_luo_kernel
PID1=$KT_BIN/tests/unit/test_sd

setup() {
	TMP=$(mktemp -d)
	[ -x "$MKK" ] && [ -x "$PID1" ] || skip "no $MKK or $PID1 (make unit-test builds them)"
	"$MKK" --fixture "$TMP/k" systemd >/dev/null
	mkdir -p "$TMP/proc"
	export KHO_TOOLS_BTF=$TMP/k/btf KHO_TOOLS_KALLSYMS=$TMP/k/kallsyms KHO_TOOLS_KCORE=$TMP/k/kcore \
		KHO_TOOLS_IOMEM=$TMP/k/iomem KHO_TOOLS_DEBUGFS=$FIX/kexec KHO_TOOLS_PROC=$TMP/proc
}

teardown() {
	[ -z "${pid1:-}" ] || kill "$pid1" 2>/dev/null || true
	rm -rf "$TMP"
}

# Start the fake PID 1 and point the tools at it.
start_pid1() {
	"$PID1" --serve "$TMP/private" &
	pid1=$!
	for _ in $(seq 50); do
		[ -S "$TMP/private" ] && break
		sleep 0.1
	done
	export KHO_TOOLS_SYSTEMD_BUS=unix:path=$TMP/private
}

# PID 1 holds the LUOSession= session in a's store, fd 56.
pid1_holds_session() {
	mkdir -p "$TMP/proc/1/fd"
	echo systemd >"$TMP/proc/1/comm"
	printf '0::/init.scope\n' >"$TMP/proc/1/cgroup"
	ln -s 'anon_inode:[luo_session] luosession-te-x' "$TMP/proc/1/fd/56"
}

file_of() { # TOKEN: "UNIT FDNAME" of that file of session "systemd"
	jqo --arg t "$1" '.tree[] | select(.name == "incoming") | .children[] | select(.name == "systemd")
		| .children[] | select(.name == $t) | "\(.fields.unit // "-") \(.fields.fdname // "-")"'
}

@test "after a kexec, before PID 1 retrieves: systemd's mapping names each file and the LUOSession= session" {
	run --separate-stderr "$KI" sessions -J
	[ "$(file_of 1)" = "fdstore-test.service mem2" ]
	[ "$(file_of 2)" = "fdstore-test.service mem1" ]
	[ "$(file_of 0)" = "- -" ] # the mapping itself
	jqo '.. | objects | select(.name? == "0") | .notes[].message' | grep -q "systemd's LUO mapping"
	[ "$(jqo '.tree[] | select(.name == "incoming") | .children[] | select(.name == "luosession-te-x")
		| "\(.fields.unit) \(.fields.fdname)"')" = "luosession-test.service demo" ]
	# The agent's own session belongs to no unit here.
	[ "$(jqo '.. | objects | select(.name? == "vm-0") | .fields.unit // "-"')" = - ]
}

@test "global: the kexec count and how long the shutdown took, as systemd's mapping says" {
	run "$KI" global -J
	assert_success
	[ "$(jqo '.. | objects | select(.name? == "systemd" and .fields.mapping != null) | .fields
		| "\(.mapping) \(.units) \(.kexec_count) \(.shutdown_us)"')" = "true 2 4 $((91271027 - 82907616))" ]
}

@test "saved and read back offline: the same units and fd names" {
	run "$KI" save -o "$TMP/s.tar"
	assert_success
	unset KHO_TOOLS_BTF KHO_TOOLS_KALLSYMS KHO_TOOLS_KCORE KHO_TOOLS_IOMEM KHO_TOOLS_DEBUGFS
	run --separate-stderr "$KI" --root "$TMP/s.tar" sessions -J
	[ "$(file_of 1)" = "fdstore-test.service mem2" ]
	[ "$(file_of 2)" = "fdstore-test.service mem1" ]
}

@test "a mapping in a version this tool does not read: one warning on the session, nothing named" {
	# Patch the version in the memfd's page (the only "version":1 in RAM).
	off=$(grep -obUa '"version":1' "$TMP/k/kcore" | cut -d: -f1)
	[ -n "$off" ]
	printf '2' | dd of="$TMP/k/kcore" bs=1 seek=$((off + 10)) conv=notrunc status=none
	run --separate-stderr "$KI" sessions -J
	[ "$(file_of 1)" = "- -" ]
	jqo '.. | objects | select(.name? == "systemd") | .notes[] | select(.level == "warning") | .message' |
		grep -q "systemd LUO mapping version 2 (this kho-tools reads version 1)"
}

@test "preflight names each stored fd the kexec will lose, by unit and fd name; --accept-loss warns" {
	start_pid1
	run --separate-stderr "$KI" -J preflight
	[ "$(jqo '.checks[] | select(.name == "fdstore" and .status == "fail") | .message')" = \
		"a.service: fd 'evt' (anon_inode:[eventfd]) will be lost across the kexec: no LUO file handler takes it" ]
	jqo '.checks[] | select(.name == "fdstore" and .status == "ok") | .message' |
		grep -q '^2 unit(s) keep their fd store across a kexec: 1 memfd(s) and 1 LUO session(s) carried, 1 fd(s) lost$'
	[ "$status" = 1 ]
	run --separate-stderr "$KI" -J preflight --accept-loss a.service:evt
	[ "$(jqo '[.checks[] | select(.name == "fdstore") | .status] | sort | join(",")')" = ok,warn ]
	run "$KI" preflight --accept-loss
	assert_failure 2
}

@test "without systemd there is no fd store to carry" {
	run --separate-stderr "$KI" -J preflight
	[ "$(jqo '.checks[] | select(.name == "fdstore") | .status')" = ok ]
	jqo '.checks[] | select(.name == "fdstore") | .message' | grep -q 'no fd store to carry'
}

@test "save --manifest records the units and fd names LUO will carry, never their tokens" {
	start_pid1
	run "$KI" save --manifest "$TMP/m.json"
	assert_success
	assert_output --partial ", 2 fd(s) of 2 systemd unit(s)"
	[ "$(jq -c '.systemd' "$TMP/m.json")" = \
		'[{"unit":"a.service","fds":[{"name":"mem1","kind":"memfd"},{"name":"demo","kind":"luo_session"}]},{"unit":"c.service","fds":[]}]' ]
	! jq -e '.systemd[].fds[] | has("token")' "$TMP/m.json" >/dev/null
}

@test "a session PID 1 holds is named by the unit store it sits in, in kho-inspect and luo-top's OWNER" {
	start_pid1
	pid1_holds_session
	run --separate-stderr "$KI" sessions -J
	[ "$(jqo '.. | objects | select(.name? == "luosession-te-x") | "\(.fields.unit) \(.fields.fdname) \(.fields.pid)"')" = \
		"a.service demo 1" ]
	run --separate-stderr "$LT" -b -n 1 --no-bpf
	assert_success
	grep -qE '^luosession-te-x +1 +a\.service:demo +56 ' <<<"$output"
	run --separate-stderr "$LT" -b -J -n 1 --no-bpf
	[ "$(jqo '.sessions[] | select(.name == "luosession-te-x") | "\(.unit) \(.fdname)"')" = "a.service demo" ]
}

@test "asking PID 1 fails: the sessions view says why, and still lists every session" {
	pid1_holds_session
	export KHO_TOOLS_SYSTEMD_BUS=unix:path=$TMP/none
	run --separate-stderr "$KI" sessions -J
	jqo '.. | objects | .notes[]? | .message' | grep -q "the units of sessions PID 1 holds: systemd: unix:path=$TMP/none"
	[ "$(jqo '[.. | objects | select(.name? == "luosession-te-x")] | length')" = 1 ]
}

@test "no tool opens /dev/liveupdate: every command, traced (strace)" {
	command -v strace >/dev/null || skip "strace not installed"
	export ASAN_OPTIONS=detect_leaks=0 # LeakSanitizer cannot run under ptrace
	start_pid1
	pid1_holds_session
	for args in "" status sessions handlers global "mem" "assert sessions>=0" preflight metrics \
		"save -o $TMP/x.tar" "save --manifest $TMP/m2.json" "verify $TMP/m2.json"; do
		# shellcheck disable=SC2086 # one word per argument
		strace -f -qq -e trace=open,openat,openat2 -o "$TMP/trace" "$KI" $args >/dev/null 2>&1 || true
		[ -s "$TMP/trace" ] || fail "strace saw nothing for '$args'"
		! grep -F '/dev/liveupdate' "$TMP/trace" || fail "kho-inspect $args opened /dev/liveupdate"
	done
	strace -f -qq -e trace=open,openat,openat2 -o "$TMP/trace" "$LT" -b -n 2 -d 0.1 --no-bpf >/dev/null 2>&1
	[ -s "$TMP/trace" ]
	! grep -F '/dev/liveupdate' "$TMP/trace"
}
