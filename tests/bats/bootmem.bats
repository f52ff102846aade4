#!/usr/bin/env bats
# Linux 7.4 renamed KHO's "scratch" areas to "bootmem" (out/bootmem_phys, out/bootmem_len;
# kho_bootmem= for kho_scratch=). tests/fixtures/linux-7.4-derived holds the real 7.3 captures
# in that layout (derive-7.4.sh); every reader must take both and use the kernel's word. The
# expected areas come from the files themselves.

bats_require_minimum_version 1.5.0
load helper

F74=$BATS_TEST_DIRNAME/../fixtures/linux-7.4-derived

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# Sum of the hex lengths in a *_len file.
total_of() {
	local t=0 l
	while read -r l; do t=$((t + l)); done <"$1"
	echo "$t"
}

@test "status and global: the 7.4 areas are read, named bootmem, the same as 7.3's scratch" {
	for st in boot sessions kexec finished; do
		run "$KI" --root "$F74/$st" -J status
		assert_success
		[ "$(jqo '.. | objects | select(.name? == "scratch") | .fields.word')" = bootmem ]
		[ "$(jqo '.. | objects | select(.name? == "scratch") | .fields.count')" = "$(wc -l <"$F74/$st/out/bootmem_phys")" ]
		# A plain copy of debugfs has no LUO state (exit 2), but the KHO half is there.
		run --separate-stderr "$KI" --root "$F74/$st" -J global
		[ "$(jqo '.tree[] | select(.name == "kho") | .fields | "\(.boot_areas) \(.scratch_bytes)"')" = \
			"bootmem $(total_of "$F74/$st/out/bootmem_len")" ]
		run --separate-stderr "$KI" --root "$FIX/$st" -J global
		[ "$(jqo '.tree[] | select(.name == "kho") | .fields.boot_areas')" = scratch ]
	done
}

@test "diff: the same areas under the other word are no difference" {
	run "$KI" diff "$FIX/sessions" "$F74/sessions"
	assert_success
}

@test "preflight on 7.4: the bootmem areas count, in the kernel's word" {
	n=$(wc -l <"$F74/sessions/out/bootmem_phys")
	KHO_TOOLS_DEBUGFS=$F74/sessions run "$KI" -J preflight
	jqo '.checks[] | select(.name == "scratch") | "\(.status) \(.message)"' | grep -q "^ok $n bootmem area(s), "
	# Empty (the kdump kernel reserves none): no-go, with 7.4's parameter in the advice.
	cp -r "$F74/sessions" "$TMP/k"
	: >"$TMP/k/out/bootmem_phys"
	: >"$TMP/k/out/bootmem_len"
	KHO_TOOLS_DEBUGFS=$TMP/k run "$KI" -J preflight
	[ "$(jqo '.checks[] | select(.name == "scratch") | .status')" = fail ]
	jqo '.checks[] | select(.name == "scratch") | .message' | grep -q 'no bootmem areas in out/bootmem_phys.*kho_bootmem='
	# Neither file: both names in the message.
	rm "$TMP/k/out/bootmem_phys" "$TMP/k/out/bootmem_len"
	KHO_TOOLS_DEBUGFS=$TMP/k run "$KI" -J preflight
	jqo '.checks[] | select(.name == "scratch") | .message' | grep -q 'neither out/scratch_phys nor, from 7.4, out/bootmem_phys'
}

@test "metrics and assert: one set of numbers, the layout told apart" {
	n=$(wc -l <"$F74/kexec/out/bootmem_phys")
	run "$KI" --root "$F74/kexec" metrics
	assert_success
	assert_line "kho_scratch_areas $n"
	assert_line 'kho_boot_areas_layout{word="bootmem"} 1'
	run "$KI" --root "$FIX/kexec" metrics
	assert_line 'kho_boot_areas_layout{word="scratch"} 1'
	total=$(total_of "$F74/kexec/out/bootmem_len")
	run "$KI" --root "$F74/kexec" assert "bootmem=$total" "scratch=$total"
	assert_success
}
