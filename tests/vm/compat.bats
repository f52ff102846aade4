#!/usr/bin/env bats
# compat and preflight --target as they ran live in the test VM before the kexec (tests/vm/init,
# sc_hook at "sessions"), on /boot/bzImage: the image the agent kexecs into, the same kernel. It
# must know everything handed over; the files checked are the ones the agent made (its log).
# KT_VM_OUT=OUTDIR of tests/vm/run-cycle.sh.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/sessions/compat.rc" ] || skip "kho-inspect (with compat) was not in the VM's initramfs"
	out=$KT_VM_OUT
}

j() {
	jq -er "$2" "$out/$1"
}

@test "compat on the image being kexec'd: compatible, every object known" {
	[ "$(cat "$out/sessions/compat.rc")" = 0 ] || fail "$(cat "$out/sessions/compat.err")"
	f=sessions/compat.out
	[ "$(j $f .verdict)" = compatible ]
	[ "$(j $f '[.objects[] | select(.status != "ok")] | length')" = 0 ]
	[ "$(j $f .target.kind)" = bzImage ]
	[ "$(j $f '.objects[] | select(.holder == "root") | .compatible')" = kho-v4 ]
	[ "$(j $f '.objects[] | select(.holder == "LUO") | .compatible')" = luo-v5 ]
}

@test "compat in the VM: every file the agent preserved is checked, by session and token" {
	f=sessions/compat.out
	want=$(sed -n 's/^FILE session=\([^ ]*\) token=\([0-9]*\) .*/\1 \2/p' "$out/sessions/agent.log" | sort)
	[ -n "$want" ]
	got=$(j $f '.objects[] | select(.holder == "file handler") | "\(.session) \(.token)"' | sort)
	assert_equal "$got" "$want"
	[ "$(j $f '[.objects[] | select(.holder == "file handler") | .compatible] | unique | join(",")')" = memfd-v2 ]
}

@test "preflight --target in the VM: go, with one compat check that is ok" {
	[ "$(cat "$out/sessions/preflight-target.rc")" = 0 ] || fail "$(cat "$out/sessions/preflight-target.err")"
	f=sessions/preflight-target.out
	[ "$(j $f .verdict)" = go ]
	[ "$(j $f '[.checks[] | select(.name == "compat")] | length')" = 1 ]
	j $f '.checks[] | select(.name == "compat") | .message' | grep -qE '^the target \(Linux 7\.[0-9.]+[^)]*\) knows the [0-9]+ object\(s\) handed over$'
}
