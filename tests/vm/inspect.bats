#!/usr/bin/env bats
# kho-inspect as it ran live inside the test VM at each stage of the cycle
# (OUTDIR/<stage>/kho-inspect.{json,rc,err}), checked against the raw blobs captured at the
# same moment and against what the agent did.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/boot/kho-inspect.json" ] || skip "kho-inspect was not in the VM's initramfs"
	out=$KT_VM_OUT
}

# jq on one stage's live kho-inspect output.
j() {
	jq -er "$2" "$out/$1/kho-inspect.json"
}

# The jq path of a node by names: n out sub_fdts LUO
n() {
	local q='.tree[]' last=${!#}
	for x in "$@"; do
		q="$q | select(.name == \"$x\")"
		[ "$x" = "$last" ] || q="$q | .children[]"
	done
	echo "$q"
}

le() {
	od -A n --endian=little -t "u$3" -j "$2" -N "$3" "$1" | tr -d ' '
}

@test "kho-inspect ran cleanly live at every stage" {
	for st in boot sessions kexec retrieved finished; do
		[ "$(cat "$out/$st/kho-inspect.rc")" = 0 ] || fail "$st: rc $(cat "$out/$st/kho-inspect.rc"): $(cat "$out/$st/kho-inspect.err")"
		[ "$(j $st .errors)" = 0 ]
		[ "$(j $st .source.kind)" = live ]
		[ "$(j $st .source.kernel_release)" = "$(cat "$out/$st/uname")" ]
	done
}

@test "live: in/ only after the kexec; out/fdt truncated before it, by the bytes debugfs gave" {
	for st in boot sessions; do
		[ "$(j $st "$(n in) | .fields.present")" = false ]
		have=$(stat -c %s "$out/$st/kho/out/fdt")
		j $st "$(n out fdt) | .notes[].message" | grep -F "truncated: $have of "
		[ "$(j $st "$(n out fdt) | .format")" = kho-v4 ]
	done
	for st in kexec retrieved finished; do
		[ "$(j $st "$(n in) | .fields.present")" = true ]
		[ "$(j $st "$(n in fdt) | .format")" = kho-v4 ]
	done
}

@test "live: memblock holds the reserve_mem region of the command line" {
	want=$(grep -o 'reserve_mem=[^ ]*' "$out/boot/cmdline" | cut -d= -f2 | cut -d: -f1)
	[ "$want" = 2M ]
	for st in boot kexec; do
		[ "$(j $st "$(n out sub_fdts memblock) | .format")" = memblock-v1 ]
		[ "$(j $st "$(n out sub_fdts memblock kt_mem) | .fields.size")" = 2097152 ]
	done
	[ "$(j kexec "$(n in sub_fdts memblock kt_mem) | .fields.start")" = \
		"$(j boot "$(n out sub_fdts memblock kt_mem) | .fields.start")" ]
}

@test "live: LUO luo-v5, not serialized before the kexec, liveupdate number advancing across it" {
	[ "$(j sessions "$(n out sub_fdts LUO) | .format")" = luo-v5 ]
	[ "$(j sessions "$(n out sub_fdts LUO) | .fields.sessions_pa")" = 0x0 ]
	before=$(j sessions "$(n out sub_fdts LUO) | .fields.liveupdate_num")
	[ "$before" = "$(le "$out/sessions/kho/out/sub_fdts/LUO" 8 8)" ]
	[ "$(j kexec "$(n out sub_fdts LUO) | .fields.liveupdate_num")" = $((before + 1)) ]
	# The incoming copy is either valid (the number sent) or reported stale, never garbage.
	for st in kexec finished; do
		if [ "$(j $st "$(n in sub_fdts LUO) | .fields.stale // false")" = true ]; then
			[ "$(j $st "$(n in sub_fdts LUO) | .fields | has(\"liveupdate_num\")")" = false ]
		else
			[ "$(j $st "$(n in sub_fdts LUO) | .fields.liveupdate_num")" = "$before" ]
			[ "$(j $st "$(n in sub_fdts LUO) | .fields.sessions_pa")" != 0x0 ]
		fi
	done
}

@test "live: kexec-metadata names the previous release with count 1 after one kexec" {
	[ "$(j kexec "$(n in sub_fdts kexec-metadata) | .fields.previous_release")" = "$(cat "$out/sessions/uname")" ]
	[ "$(j kexec "$(n in sub_fdts kexec-metadata) | .fields.kexec_count")" = 1 ]
	[ "$(le "$out/kexec/kho/in/sub_fdts/kexec-metadata" 69 4)" = 1 ]
}

@test "live: scratch areas as debugfs lists them" {
	for st in boot kexec; do
		[ "$(j $st "$(n out scratch) | .fields.count")" = "$(wc -l <"$out/$st/kho/out/scratch_phys")" ]
		[ "$(j $st "$(n out scratch) | .children[0].fields.phys")" = "$(head -n 1 "$out/$st/kho/out/scratch_phys")" ]
	done
}
