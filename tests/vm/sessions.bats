#!/usr/bin/env bats
# The pointer-following views (sessions, handlers, global, mem) as kho-inspect ran them live
# in the test VM, checked against what the agent created (its log) and against the raw blobs.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/sessions/sessions.json" ] || skip "kho-inspect was not in the VM's initramfs"
	out=$KT_VM_OUT
	KI=${KT_BIN:-$BATS_TEST_DIRNAME/../../build}/kho-inspect
}

j() {
	jq -er "$2" "$out/$1"
}

# The agent's records: "SESSION name=.. files=.." and "FILE session=.. token=.. size=..".
created() {
	sed -n 's/^SESSION name=\([^ ]*\) .*files=\([0-9]*\).*/\1 \2/p' "$out/sessions/agent.log" | sort
}

created_files() {
	sed -n 's/^FILE session=\([^ ]*\) token=\([0-9]*\) size=\([0-9]*\).*/\1 \2 \3/p' "$out/sessions/agent.log" | sort
}

# "name files" of one group of a sessions.json, sorted.
listed() {
	jq -r ".tree[] | select(.name == \"$2\") | .children[] | \"\(.name) \(.fields.files)\"" "$out/$1" | sort
}

listed_files() {
	jq -r ".tree[] | select(.name == \"$2\") | .children[] | .name as \$s | .children[] |
		\"\(\$s) \(.fields.token) \(.fields.size)\"" "$out/$1" | sort
}

@test "every view ran cleanly live at every stage" {
	for st in boot sessions kexec retrieved finished; do
		for v in sessions handlers global mem; do
			[ "$(cat "$out/$st/$v.rc")" = 0 ] || fail "$st $v: rc $(cat "$out/$st/$v.rc"): $(cat "$out/$st/$v.err")"
		done
	done
}

@test "before the kexec: exactly the agent's sessions, with its pid, comm, fds and files" {
	[ -n "$(created)" ]
	assert_equal "$(listed sessions/sessions.json outgoing)" "$(created)"
	assert_equal "$(listed_files sessions/sessions.json outgoing)" "$(created_files)"
	pid=$(cat "$out/sessions/agent.pid")
	[ "$(j sessions/sessions.json '[.tree[] | select(.name == "outgoing") | .children[] | .fields.pid] | unique | join(",")')" = "$pid" ]
	[ "$(j sessions/sessions.json '[.tree[] | select(.name == "outgoing") | .children[] | .fields.comm] | unique | join(",")')" = kho-agent ]
	# Each session's fd is the one /proc/PID/fd links to its name.
	for s in $(created | cut -d' ' -f1); do
		fd=$(j sessions/sessions.json ".tree[] | select(.name == \"outgoing\") | .children[] | select(.name == \"$s\") | .fields.fd")
		grep -qx "$fd anon_inode:\[luo_session\] $s" "$out/sessions/agent-fds"
	done
	[ "$(j sessions/sessions.json '[.. | objects | select(.fields.handler?) | .fields.handler] | unique | join(",")')" = memfd-v2 ]
	[ "$(j sessions/sessions.json '.tree[] | select(.name == "incoming") | .fields.sessions')" = 0 ]
}

@test "after the kexec, before retrieve: the incoming sessions are what was created" {
	assert_equal "$(listed kexec/sessions.json incoming)" "$(created)"
	assert_equal "$(listed_files kexec/sessions.json incoming)" "$(created_files)"
	# memfd-v2 state: folio count consistent with the size (at least one, at most one per page).
	jq -r '.tree[] | select(.name == "incoming") | .children[].children[] | "\(.fields.size) \(.fields.folios)"' \
		"$out/kexec/sessions.json" | while read -r size folios; do
		[ "$folios" -ge 1 ] && [ "$folios" -le $((size / 4096)) ]
	done
	[ "$(j kexec/sessions.json '[.tree[] | select(.name == "outgoing") | .children[]] | length')" = 0 ]
}

@test "retrieved sessions show as retrieved; after FINISH they are gone" {
	[ "$(j retrieved/sessions.json '[.tree[] | select(.name == "incoming") | .children[] | .fields.state] | unique | join(",")')" = retrieved ]
	[ "$(j finished/sessions.json '.tree[] | select(.name == "incoming") | .fields.sessions')" = 0 ]
}

@test "handlers: memfd-v2 with every file and byte the agent preserved" {
	files=$(created_files | wc -l)
	bytes=$(created_files | awk '{ s += $3 } END { print s }')
	h='.tree[] | select(.name == "memfd-v2") | .fields'
	[ "$(j sessions/handlers.json "$h.files_outgoing")" = "$files" ]
	[ "$(j sessions/handlers.json "$h.bytes_outgoing")" = "$bytes" ]
	[ "$(j kexec/handlers.json "$h.files_incoming")" = "$files" ]
}

@test "global: session counts by state across the cycle" {
	n=$(created | wc -l)
	[ "$(j sessions/global.json '.tree[] | select(.name == "luo") | .fields.outgoing')" = "$n" ]
	[ "$(j retrieved/global.json '.tree[] | select(.name == "luo") | .fields.retrieved')" = "$n" ]
	[ "$(j kexec/global.json '.tree[] | select(.name == "kho") | .children[] | select(.name == "kexec_metadata_in") | .fields.kexec_count')" = 1 ]
}

@test "mem: preserved memory covers every memfd byte and never overlaps scratch" {
	bytes=$(created_files | awk '{ s += $3 } END { print s }')
	total=$(j sessions/mem.json '.tree[] | select(.name == "out") | .fields.total')
	[ "$total" -ge "$bytes" ]
	[ "$(j sessions/mem.json '.tree[] | select(.name == "out") | .fields.complete')" = true ]
	for st in sessions kexec; do
		[ "$(j $st/mem.json '[.tree[] | .fields.scratch_overlap // 0] | add')" = 0 ]
		[ "$(j $st/mem.json '.errors')" = 0 ]
	done
	# After boot the kernel no longer keeps the previous map's pages: reported stale, or whole.
	in='.tree[] | select(.name == "in") | .fields'
	[ "$(j kexec/mem.json "$in.stale")" = true ] || [ "$(j kexec/mem.json "$in.total")" -ge "$bytes" ]
}

@test "saved in the VM, read on the host: the same sessions offline" {
	[ "$(cat "$out/sessions/save.rc")" = 0 ] || fail "$(cat "$out/sessions/save.err")"
	run "$KI" --root "$out/sessions/snapshot.tar" -J sessions
	assert_success
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/offline.json"
	assert_equal "$(cd "$BATS_TEST_TMPDIR" && out=. listed offline.json outgoing)" "$(created)"
	run "$KI" --root "$out/kexec/snapshot.tar" -J sessions --folios
	assert_success
	printf '%s' "$output" | jq -e '[.. | objects | select(.name? == "folios") | .children | length] | min >= 1'
}
