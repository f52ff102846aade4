#!/usr/bin/env bats
# Assertions on a captured live-update cycle (tests/vm/run-cycle.sh OUTDIR), read on the host
# from KT_VM_OUT=OUTDIR. Blobs are parsed here with od, never with our own tools, so a bug in
# the tools cannot hide a change in the kernel. Values are little-endian (x86-64 native).

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/result" ] || skip "$KT_VM_OUT holds no run-cycle output"
	out=$KT_VM_OUT
	create_log=$out/sessions/agent.log
	retrieve_log=$out/finished/agent.log
}

# u32 at byte offset $2 of file $1, little-endian.
u32_at() {
	od -A n --endian=little -t u4 -j "$2" -N 4 "$1" | tr -d ' '
}

# u64 at byte offset $2 of file $1, little-endian.
u64_at() {
	od -A n --endian=little -t u8 -j "$2" -N 8 "$1" | tr -d ' '
}

# NUL-terminated string of at most $3 bytes at byte offset $2 of file $1.
str_at() {
	dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | tr '\0' '\n' | head -n 1
}

# Value of key=$2 on a record line $1 of the agent's output.
field() {
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

created_sessions() {
	grep '^SESSION ' "$create_log" | while read -r line; do field "$line" name; done
}

@test "the VM completed the cycle" {
	run tail -n 1 "$out/result"
	assert_output PASS
}

@test "before the kexec: kho/out exists and kho/in does not" {
	for stage in boot sessions; do
		assert [ -d "$out/$stage/kho/out" ]
		assert [ -f "$out/$stage/kho/out/fdt" ]
		assert [ -d "$out/$stage/kho/out/sub_fdts" ]
		assert [ ! -e "$out/$stage/kho/in" ]
	done
}

@test "after the kexec: kho/in/fdt is an FDT and kho/in/sub_fdts exists" {
	local fdt=$out/kexec/kho/in/fdt
	assert [ -s "$fdt" ]
	run od -A n -t x1 -N 4 "$fdt"
	assert_output " d0 0d fe ed"
	assert [ -d "$out/kexec/kho/in/sub_fdts" ]
	assert [ -s "$out/kexec/kho/in/sub_fdts/LUO" ]
}

@test "the incoming root FDT is complete: its header totalsize is its byte length" {
	local fdt=$out/kexec/kho/in/fdt
	local total
	total=$(od -A n --endian=big -t u4 -j 4 -N 4 "$fdt" | tr -d ' ')
	assert_equal "$(wc -c <"$fdt")" "$total"
}

@test "the memblock sub-blob names the reserve_mem region, before and after the kexec" {
	for blob in "$out/boot/kho/out/sub_fdts/memblock" "$out/kexec/kho/in/sub_fdts/memblock"; do
		assert [ -s "$blob" ]
		run strings -n 3 "$blob"
		assert_line memblock-v1
		assert_line reserve-mem-v1
		assert_line kt_mem
	done
}

@test "the outgoing LUO blob before the kexec is luo-v5 with no sessions serialized yet" {
	local luo=$out/sessions/kho/out/sub_fdts/LUO
	assert_equal "$(wc -c <"$luo")" 32
	assert_equal "$(str_at "$luo" 0 8)" luo-v5
	assert_equal "$(u64_at "$luo" 16)" 0
}

@test "the sessions stage: the agent's fds name each session" {
	local fds=$out/sessions/agent-fds
	local n=0 name
	assert [ -s "$fds" ]
	while read -r name; do
		# agent-fds lines are "FD TARGET".
		run awk -v want="anon_inode:[luo_session] $name" \
			'{ sub(/^[0-9]+ /, ""); if ($0 == want) n++ } END { print n + 0 }' "$fds"
		assert_output 1
		n=$((n + 1))
	done < <(created_sessions)
	assert [ "$n" -gt 0 ]
	run grep -c 'anon_inode:\[luo_session\]' "$fds"
	assert_output "$n"
}

@test "every preserved memfd came back byte-exact" {
	local line token nfiles summary
	run grep -E '^(MISMATCH|MISSING) ' "$retrieve_log"
	assert_output ""
	nfiles=$(grep -c '^FILE ' "$create_log" || true)
	summary=$(grep '^SUMMARY ' "$retrieve_log") || fail "no SUMMARY line in $retrieve_log"
	assert_equal "$(field "$summary" result)" PASS
	assert_equal "$(field "$summary" mismatch)" 0
	assert_equal "$(field "$summary" missing)" 0
	# A token the run chose not to retrieve (KT_SKIP_TOKEN) is reported SKIP instead of OK.
	assert_equal "$(($(field "$summary" ok) + $(field "$summary" skipped)))" "$nfiles"
	while read -r line; do
		token=$(field "$line" token)
		grep -qx "SKIP session=$(field "$line" session) token=$token" "$retrieve_log" && continue
		run grep -c "^OK session=$(field "$line" session) token=$token size=$(field "$line" size)\$" \
			"$retrieve_log"
		assert_output 1
	done < <(grep '^FILE ' "$create_log")
}

@test "FINISH succeeded for every session" {
	local n=0 name
	while read -r name; do
		run grep -cx "FINISH session=$name result=OK" "$retrieve_log"
		assert_output 1
		n=$((n + 1))
	done < <(created_sessions)
	assert [ "$n" -gt 0 ]
	refute grep -q 'result=FAIL' "$retrieve_log"
	assert_equal "$(cat "$out/finished/agent.rc")" 0
}

@test "kexec-metadata after the kexec: 73 bytes, version 1, count 1, the previous release" {
	local md=$out/kexec/kho/in/sub_fdts/kexec-metadata
	assert_equal "$(wc -c <"$md")" 73
	assert_equal "$(u32_at "$md" 0)" 1
	assert_equal "$(str_at "$md" 4 65)" "$(cat "$out/boot/uname")"
	assert_equal "$(u32_at "$md" 69)" 1
}
