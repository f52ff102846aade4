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

@test "sessions as a table: -o NAME,FILES,SIZE -P -b, the agent's layout in every row" {
	local n files size empty want
	n=$(layout sessions) files=$(layout files) empty=$(layout empty) size=$((4 << 20)) # size=4M
	run "$KI" --root "$SAVED/sessions.tar" sessions --list -o TYPE,NAME,FILES,SIZE -P -b
	assert_success
	# Sessions vm-0.. hold `files` memfds of 4M each, the last `empty` none; each file row follows.
	want=$(for ((i = 0; i < n; i++)); do
		if ((i < n - empty)); then
			echo "TYPE=\"session\" NAME=\"vm-$i\" FILES=\"$files\" SIZE=\"$((files * size))\""
			for ((k = 0; k < files; k++)); do echo "file $size"; done
		else
			echo "TYPE=\"session\" NAME=\"vm-$i\" FILES=\"0\" SIZE=\"0\""
		fi
	done)
	assert_equal "$(sed -E 's/^TYPE="file" NAME="[0-9]+" FILES="" SIZE="([0-9]+)"$/file \1/' <<<"$output")" "$want"
}

@test "sessions table options: -n, -r, --output-all, +LIST, -s by value, unknown columns" {
	run "$KI" --root "$SAVED/sessions.tar" sessions
	assert_success
	assert_line --index 0 --regexp '^NAME +STATE +OWNER +PID +FDNAME +HANDLER +FILES +SIZE$'
	# Files are drawn under their session.
	assert_line --index 2 --regexp '^.-[0-9]+ +memfd-v2 +4 MiB$'
	run "$KI" --root "$SAVED/sessions.tar" sessions -n -o +TOKEN
	refute_line --partial NAME
	assert_line --index 1 --regexp ' memfd-v2 +4 MiB +[0-9]+$'
	run "$KI" --root "$SAVED/sessions.tar" sessions --output-all -n -r
	assert_success
	# Every column in every raw line: as many cells as --help lists columns.
	ncols=$("$KI" sessions --help | sed -n '/^Available output columns/,/^$/p' | grep -c '^ ')
	while IFS= read -r line; do
		[ "$(tr ' ' '\n' <<<"$line" | wc -l)" = "$ncols" ] || fail "not $ncols cells: $line"
	done <<<"$output"
	# By size, as numbers: the empty session first (0 < 4 MiB < 8 MiB).
	run "$KI" --root "$SAVED/sessions.tar" sessions --list -n -r -o NAME -s SIZE
	assert_line --index 0 "vm-$(($(layout sessions) - 1))"
	run --separate-stderr "$KI" --root "$SAVED/sessions.tar" sessions -o NAME,BOGUS
	assert_failure 2
	assert_equal "$stderr" "kho-inspect: unknown column 'BOGUS' (--help lists them)"
	assert_output ''
}
