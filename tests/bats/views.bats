#!/usr/bin/env bats
# sessions, handlers and global offline, on the snapshots kho-inspect saved live in the test VM
# (tests/fixtures/linux-7.3/saved/<stage>.tar), checked against the raw blobs they carry and
# against the layout the VM agent used (tests/fixtures/linux-7.3/README.md).

bats_require_minimum_version 1.5.0
load helper

SAVED=$FIX/saved

# Sessions the agent created: "sessions=N files=M size=S empty=E" from the fixture README.
layout() {
	sed -n 's/^Layout: .*\b'"$1"'=\([^ ]*\).*/\1/p' "$FIX/README.md"
}

@test "sessions offline before the kexec: every agent session, owner and memfd" {
	run "$KI" --root "$SAVED/sessions.tar" -J sessions
	assert_success
	n=$(layout sessions)
	[ "$(jqo '.tree[] | select(.name == "outgoing") | .fields.sessions')" = "$n" ]
	[ "$(jqo '[.tree[] | select(.name == "outgoing") | .children[] | .fields.comm] | unique | join(",")')" = kho-agent ]
	# Every session with files holds `files` memfds of `size` bytes (4M = 4194304).
	[ "$(jqo '[.. | objects | select(.format? == "memfd-v2") | .size] | unique | join(",")')" = 4194304 ]
	files=$(( ($(layout sessions) - $(layout empty)) * $(layout files) ))
	[ "$(jqo '[.. | objects | select(.format? == "memfd-v2")] | length')" = "$files" ]
}

@test "sessions offline after the kexec: serialized incoming sessions with folio lists" {
	run "$KI" --root "$SAVED/kexec.tar" -J sessions --folios
	assert_success
	[ "$(jqo '.tree[] | select(.name == "incoming") | .fields.sessions')" = "$(layout sessions)" ]
	[ "$(jqo '[.tree[] | select(.name == "incoming") | .children[] | .fields.state] | unique | join(",")')" = serialized ]
	# One folio entry per preserved folio, each with a page address.
	[ "$(jqo '[.. | objects | select(.format? == "memfd-v2") | (.fields.folios == ([.children[] | select(.name == "folios") | .children[]] | length))] | all')" = true ]
	jqo '[.. | objects | select(.name? == "folios") | .children[] | .fields.phys] | all(test("^0x[0-9a-f]+000$"))'
}

@test "handlers and global offline" {
	run "$KI" --root "$SAVED/sessions.tar" -J handlers
	assert_success
	[ "$(jqo '.tree[] | select(.name == "memfd-v2") | .fields.bytes_outgoing')" = \
		$(( ($(layout sessions) - $(layout empty)) * $(layout files) * 4194304 )) ]
	run "$KI" --root "$SAVED/kexec.tar" -J global
	assert_success
	[ "$(jqo '.tree[] | select(.name == "luo") | .fields.serialized')" = "$(layout sessions)" ]
	[ "$(jqo '.tree[] | select(.name == "kho") | .children[] | select(.name == "kexec_metadata_in") | .fields.kexec_count')" = 1 ]
}

@test "a plain copy of debugfs has no LUO state: one line, exit 2" {
	run --separate-stderr "$KI" --root "$FIX/kexec" sessions
	assert_failure 2
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == *"no LUO state"* ]]
}

@test "a saved LUO state that was altered is refused by the manifest" {
	mkdir "$BATS_TEST_TMPDIR/s"
	tar -xf "$SAVED/sessions.tar" -C "$BATS_TEST_TMPDIR/s"
	sed -i 's/"vm-0"/"vm-X"/' "$BATS_TEST_TMPDIR/s/luo/state"
	run "$KI" --root "$BATS_TEST_TMPDIR/s" sessions
	assert_failure 2
	assert_output --partial "luo/state does not match its manifest checksum"
}
