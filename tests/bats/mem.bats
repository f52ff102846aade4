#!/usr/bin/env bats
# kho-inspect mem: the preserved-memory radix tree read through physical memory.
# The committed fixtures are debugfs copies without physical memory: mem must say so.
# A fabricated machine (test_radix --fixture: a debugfs-like kho/, a kcore-like ELF core
# and an iomem) stands in for a live one through KHO_TOOLS_{DEBUGFS,KCORE,IOMEM}.

bats_require_minimum_version 1.5.0
load helper

MKFIX=$KT_BIN/tests/unit/test_radix
# The root table sits in the first page of low RAM: after the ELF header page and
# the 4 pages of the vmalloc segment (tests/unit/test_radix.c, img_write).
ROOT_OFF=$((5 * 4096))

setup() {
	TMP=$(mktemp -d)
	[ -x "$MKFIX" ] || skip "no $MKFIX (make unit-test builds the fixture generator)"
	"$MKFIX" --fixture "$TMP/m" >/dev/null
	export KHO_TOOLS_DEBUGFS=$TMP/m/kho KHO_TOOLS_KCORE=$TMP/m/kcore KHO_TOOLS_IOMEM=$TMP/m/iomem
}

teardown() {
	rm -rf "$TMP"
}

# Write u64 $3 (decimal) at byte offset $2 of file $1, little-endian.
put64() {
	local v=$3 i bytes=
	for i in 0 1 2 3 4 5 6 7; do
		bytes="$bytes\\$(printf %03o $((v >> (8 * i) & 255)))"
	done
	# shellcheck disable=SC2059 # the octal escapes are the point
	printf "$bytes" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "mem on the committed fixtures: no physical memory, one line, exit 2" {
	unset KHO_TOOLS_DEBUGFS KHO_TOOLS_KCORE KHO_TOOLS_IOMEM
	for st in $(fixture_stages); do
		run --separate-stderr "$KI" --root "$FIX/$st" mem
		assert_failure 2
		assert_output ''
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ $stderr == *"no physical memory in this snapshot"* ]]
		run --separate-stderr "$KI" --root "$FIX/$st" mem -J
		assert_failure 2
		[[ "$(jqo .error)" == *"no physical memory in this snapshot"* ]]
	done
}

@test "mem -J: blocks by order, totals, checks; sizes are numbers, addresses 0x strings" {
	run "$KI" mem -J
	assert_success
	f='.tree[] | select(.name == "out") | .fields'
	[ "$(jqo ".schema_version")" = 1 ]
	[ "$(jqo ".errors")" = 0 ]
	[ "$(jqo ".tree[] | select(.name == \"out\") | .format")" = kho-v4 ]
	[ "$(jqo "$f.memory_map")" = 0x100000 ]
	[ "$(jqo "$f.blocks")" = 4 ]
	[ "$(jqo "$f.pages")" = 1538 ]
	[ "$(jqo "$f.total")" = $((2 * 4096 + 2097152 + 4194304)) ]
	[ "$(jqo "$f.ranges")" = 3 ]
	[ "$(jqo "$f.complete")" = true ]
	[ "$(jqo "$f.scratch_overlap")" = 0 ]
	[ "$(jqo "$f.outside_ram")" = 0 ]
	[ "$(jqo "$f.total | type")" = number ]
	[ "$(jqo "$f.memory_map | type")" = string ]
	o='.tree[] | select(.name == "out") | .children[] | select(.name == "orders") | .children[]'
	[ "$(jqo "[$o | .fields.order] | join(\",\")")" = 0,9,10 ]
	[ "$(jqo "$o | select(.name == \"9\") | .fields.total")" = 2097152 ]
	[ "$(jqo "$o | select(.name == \"0\") | .fields.count")" = 2 ]
	# No ranges without --ranges; no incoming state on this machine.
	[ "$(jqo '[.tree[] | select(.name == "out") | .children[] | select(.name == "ranges")] | length')" = 0 ]
	jqo '.tree[] | select(.name == "in") | .notes[0].message' | grep -q 'not started by a KHO kexec'
}

@test "mem --ranges lists every coalesced range" {
	run "$KI" mem -J --ranges --out
	assert_success
	r='.tree[] | select(.name == "out") | .children[] | select(.name == "ranges")'
	[ "$(jqo "$r | .fields.count")" = 3 ]
	[ "$(jqo "[$r | .children[] | .fields.start] | join(\" \")")" = "0x210000 0x400000 0x800000" ]
	[ "$(jqo "[$r | .children[] | .fields.end] | join(\" \")")" = "0x212000 0x600000 0xc00000" ]
	[ "$(jqo "$r | .children[0].fields.size")" = 8192 ]
	[ "$(jqo '[.tree[] | select(.name == "in")] | length')" = 0 ]
}

@test "mem text output names the format, totals and orders" {
	run "$KI" mem
	assert_success
	assert_line 'out  [kho-v4]'
	assert_line '  total: 6.0 MiB'
	assert_line '  scratch_overlap: 0 B'
	assert_line '    9'
}

@test "save carries the pages the walk read; mem works offline with the same answer" {
	run "$KI" mem -J --ranges
	assert_success
	live=$(jqo '.tree')
	run "$KI" save -o "$TMP/snap"
	assert_success
	[ -f "$TMP/snap/physmem" ]
	grep -q '^file physmem ' "$TMP/snap/MANIFEST"
	unset KHO_TOOLS_DEBUGFS KHO_TOOLS_KCORE KHO_TOOLS_IOMEM
	run "$KI" --root "$TMP/snap" mem -J --ranges
	assert_success
	[ "$(jqo '.tree')" = "$live" ]
	# The same from a tarball.
	KHO_TOOLS_DEBUGFS=$TMP/m/kho KHO_TOOLS_KCORE=$TMP/m/kcore KHO_TOOLS_IOMEM=$TMP/m/iomem \
		run "$KI" save -o "$TMP/snap.tar"
	assert_success
	run "$KI" --root "$TMP/snap.tar" mem -J --ranges
	assert_success
	[ "$(jqo '.tree')" = "$live" ]
}

@test "save without kcore still saves, and says why only with -v" {
	export KHO_TOOLS_KCORE=$TMP/none
	run --separate-stderr "$KI" save -o "$TMP/a"
	assert_success
	[ -z "$stderr" ]
	[ ! -e "$TMP/a/physmem" ]
	run --separate-stderr "$KI" -v save -o "$TMP/b"
	assert_success
	[[ $stderr == *"$TMP/none"* ]]
	run --separate-stderr "$KI" --root "$TMP/a" mem
	assert_failure 2
	[[ $stderr == *"no physical memory in this snapshot"* ]]
}

@test "a saved physmem that was altered is refused by the manifest" {
	run "$KI" save -o "$TMP/snap"
	assert_success
	printf 'X' | dd of="$TMP/snap/physmem" bs=1 seek=100 conv=notrunc status=none
	run --separate-stderr "$KI" --root "$TMP/snap" mem
	assert_failure 2
	[[ $stderr == *"physmem does not match its manifest"* ]]
}

@test "no kcore, unreadable iomem: one line naming the path, exit 2" {
	KHO_TOOLS_KCORE=$TMP/none run --separate-stderr "$KI" mem
	assert_failure 2
	assert_output ''
	[ "$stderr" = "kho-inspect: $TMP/none: No such file or directory" ]
	printf '00000000-00000000 : System RAM\n' >"$TMP/m/iomem"
	run --separate-stderr "$KI" mem -J
	assert_failure 2
	[[ "$(jqo .error)" == *"run as root"* ]]
}

@test "a corrupt tree is an error note on that node, exit 2, the rest still counted" {
	# Root entry 1 (order-1 keys; the fixture has orders 0, 9 and 10 under entries 2 and 0): out of RAM.
	put64 "$TMP/m/kcore" $((ROOT_OFF + 8)) $((0xfee00000))
	# Entry 5: beyond the 53-bit key space.
	put64 "$TMP/m/kcore" $((ROOT_OFF + 40)) $((0x101000))
	run "$KI" mem -J
	assert_failure 2
	[ "$(jqo '.errors')" = 2 ]
	n='.tree[] | select(.name == "out")'
	[ "$(jqo "$n | .fields.complete")" = false ]
	[ "$(jqo "$n | .fields.blocks")" = 4 ]
	jqo "$n | .notes[] | select(.level == \"error\") | .message" | grep -q 'node 0xfee00000 (entry 1 of level-5 node 0x100000): outside RAM'
	jqo "$n | .notes[] | select(.level == \"error\") | .message" | grep -q 'entry 5 lies beyond the 53-bit key space'
}

@test "a loop in the tree is reported, never a hang" {
	# Root entry 3 points back at the root itself.
	put64 "$TMP/m/kcore" $((ROOT_OFF + 24)) $((0x100000))
	run timeout 20 "$KI" mem -J
	assert_failure 2
	jqo '.tree[] | select(.name == "out") | .notes[].message' | grep -q 'already visited'
}
