#!/usr/bin/env bats
# FLBs (LUO's file-lifecycle-bound global state) read from a running kernel, on the kernel
# tests/unit/test_luo_kernel.c fabricates (--fixture: its BTF, kallsyms, kcore and iomem)
# after a kexec. What it holds is what the expectations below come from (scene_sessions and
# scene_handover there):
#   registered here, all on memfd-v2: liveupdate-test-flb-v0 (6 files, data 0xfeedf00dcafebee0,
#     object made), -v1 and -v2 (no file); -v2 also on iommu-v1;
#   handed over by the previous kernel: liveupdate-test-flb-v1 (3 files then, data 0x1234;
#     retrieved here, 2 files still depending on it) and gone-v9 (1 file, data 0x99), which no
#     handler of this kernel registered;
#   sessions: vm-0 outgoing (memfd-v2 tokens 1 and 2), vm-1 retrieved (token 7), vm-2 incoming.
# The real kernel's FLBs are checked in the VM (tests/vm/flb.bats).

bats_require_minimum_version 1.5.0
load helper

MKFIX=$KT_BIN/tests/unit/test_luo_kernel
LT=$KT_BIN/luo-top

setup() {
	TMP=$(mktemp -d)
	[ -x "$MKFIX" ] || skip "no $MKFIX (make unit-test builds the fixture generator)"
	"$MKFIX" --fixture "$TMP/k" >/dev/null
	mkdir "$TMP/proc" # no process holds a session
	export KHO_TOOLS_BTF=$TMP/k/btf KHO_TOOLS_KALLSYMS=$TMP/k/kallsyms KHO_TOOLS_KCORE=$TMP/k/kcore \
		KHO_TOOLS_IOMEM=$TMP/k/iomem KHO_TOOLS_DEBUGFS=$FIX/kexec KHO_TOOLS_PROC=$TMP/proc
}

teardown() {
	rm -rf "$TMP"
}

V0=liveupdate-test-flb-v0 V1=liveupdate-test-flb-v1 V2=liveupdate-test-flb-v2

# One FLB of `global -J` as "direction state files handed data object handlers".
flb() { # NAME DIRECTION
	jqo --arg n "$1" --arg d "$2" '.tree[] | select(.name == "luo") | .children[] | select(.name == "flbs")
		| .children[] | select(.name == $n and .fields.direction == $d) | .fields
		| "\(.state) \(.files) \(.files_handed_over // "-") \(.data) \(.object) \((.handlers // []) | join(","))"'
}

check_global() {
	[ "$(flb $V0 outgoing)" = "preserved 6 - 0xfeedf00dcafebee0 true memfd-v2" ]
	[ "$(flb $V1 outgoing)" = "registered 0 - 0x0 false memfd-v2" ]
	[ "$(flb $V2 outgoing)" = "registered 0 - 0x0 false memfd-v2,iommu-v1" ]
	[ "$(flb $V1 incoming)" = "retrieved 2 3 0x1234 false memfd-v2" ]
	[ "$(flb gone-v9 incoming)" = "unclaimed 1 1 0x99 false " ]
	[ "$(jqo '.tree[] | select(.name == "luo") | .fields | [.flbs, .flbs_outgoing, .flbs_handed_over,
		.flbs_registered, .flbs_preserved, .flbs_retrieved, .flbs_unclaimed, .flbs_finished]
		| map(tostring) | join(" ")')" = "5 3 2 2 1 1 1 0" ]
}

@test "global: every FLB, registered and handed over, with its state, files, data and handlers" {
	run "$KI" global -J
	assert_success
	check_global
	# Nothing will retrieve an FLB no handler registered: said on the FLB.
	jqo '.. | objects | select(.name? == "gone-v9") | .notes[] | select(.level == "warning") | .message' |
		grep -q 'no FLB of this name is registered'
	# The data handle is no preserved address here (no outgoing tree to look in): not claimed either way.
	[ "$(jqo '[.. | objects | select(.fields.data_preserved? != null)] | length')" = 0 ]
}

@test "handlers: the FLBs under each handler, in each direction; a handler with FLBs and no file" {
	run "$KI" handlers -J
	assert_success
	[ "$(jqo '.tree[] | select(.name == "memfd-v2") | .fields | "\(.flbs | join(",")) \(.flbs_incoming | join(","))"')" = \
		"$V0,$V1,$V2 $V1" ]
	[ "$(jqo '.tree[] | select(.name == "iommu-v1") | .fields | "\(.sessions) \(.files_outgoing) \(.flbs | join(","))"')" = \
		"0 0 $V2" ]
}

@test "sessions: each file names the FLBs it depends on, in its own direction" {
	run --separate-stderr "$KI" sessions -J
	file_flbs() { jqo --arg t "$1" '.. | objects | select(.name? == $t and .fields.token? != null) | .fields.flbs | join(",")'; }
	[ "$(file_flbs 1)" = "$V0,$V1,$V2" ]
	[ "$(file_flbs 2)" = "$V0,$V1,$V2" ]
	[ "$(file_flbs 7)" = "$V1" ]
}

@test "assert flb: state, files and data, in either direction; a miss names what was seen" {
	run "$KI" assert "flb $V0 state=preserved files=6 data=0xfeedf00dcafebee0" "flb $V1 state=retrieved files=2" \
		"flb gone-v9 state=unclaimed" 'flbs=5' "not flb nope-v1"
	assert_success
	assert_output ''
	run "$KI" assert -P "flb $V2 state=preserved"
	assert_failure 1
	assert_output "EXPR=\"flb $V2 state=preserved\" RESULT=\"FAIL\" SEEN=\"out state=registered\""
	run "$KI" assert "flb $V0 files>6"
	assert_failure 1
}

@test "metrics: files and state per FLB and direction" {
	run "$KI" metrics
	assert_success
	assert_line "kho_luo_flbs 5"
	assert_line "kho_luo_flb_files{flb=\"$V0\",direction=\"out\"} 6"
	assert_line "kho_luo_flb_files{flb=\"$V1\",direction=\"in\"} 2"
	assert_line "kho_luo_flb_state{flb=\"$V1\",direction=\"in\",state=\"retrieved\"} 1"
	assert_line "kho_luo_flb_state{flb=\"gone-v9\",direction=\"in\",state=\"unclaimed\"} 1"
}

@test "save, then offline: the same FLBs from the snapshot" {
	run "$KI" save -o "$TMP/s.tar"
	assert_success
	unset KHO_TOOLS_BTF KHO_TOOLS_KALLSYMS KHO_TOOLS_KCORE KHO_TOOLS_IOMEM KHO_TOOLS_DEBUGFS
	run "$KI" --root "$TMP/s.tar" global -J
	assert_success
	check_global
}

@test "luo-top without tracing: handler rows with their FLBs, FLB rows in the global view" {
	run --separate-stderr "$LT" -b -n 1 --no-bpf
	assert_success
	grep -qE "^memfd-v2 +2 +3 +1\.0 MiB +$V0,$V1,$V2 +- " <<<"$output"
	grep -qE "^iommu-v1 +0 +0 +0 B +$V2 " <<<"$output"
	grep -qE "^$V0 +out +preserved +6 +- +0xfeedf00dcafebee0 +yes +memfd-v2$" <<<"$output"
	grep -qE "^$V1 +in +retrieved +2 +3 +0x1234 +no +memfd-v2$" <<<"$output"
	grep -qE "^gone-v9 +in +unclaimed +1 +1 +0x99 +no +-$" <<<"$output"
	run --separate-stderr "$LT" -b -J -n 1 --no-bpf
	assert_success
	[ "$(jqo '.handlers[] | select(.handler == "memfd-v2") | "\(.files) \(.flbs | join(",")) \(.ops)"')" = \
		"3 $V0,$V1,$V2 null" ]
	[ "$(jqo --arg n $V1 '.flbs[] | select(.name == $n and .direction == "incoming") | "\(.state) \(.files) \(.files_handed_over)"')" = \
		"retrieved 2 3" ]
	[ "$(jqo '.flbs | length')" = 5 ]
}

@test "a kernel without FLBs (BTF lacks them): FLB views say why, sessions still read" {
	# The sessions' layouts without the FLB structures: this BTF from the fixture, FLB types renamed away.
	sed 's/luo_flb_global/luo_flb_globaX/' "$TMP/k/btf" >"$TMP/k/btf-old"
	export KHO_TOOLS_BTF=$TMP/k/btf-old
	run "$KI" global -J
	assert_success
	[ "$(jqo '.tree[] | select(.name == "luo") | .fields.flbs')" = 0 ]
	jqo '.. | objects | .notes[]? | .message' | grep -q 'kernel BTF lacks struct luo_flb_global.incoming (a kernel without FLBs?)'
	[ "$(jqo '.tree[] | select(.name == "luo") | .fields.outgoing')" = 1 ]
}
