#!/usr/bin/env bats
# The upgrade-script commands: assert, preflight, save --manifest / verify, finalize / abort,
# metrics. Snapshots are the committed real 7.3 fixtures, with a LUO state file (luo/state, the
# form `save` writes) added where a test needs sessions. "Live" runs point KHO_TOOLS_DEBUGFS at
# a directory: for finalize/abort one laid out like the 6.16-6.19 debugfs (kho/out/finalize),
# which no 7.x kernel has; the 7.x side of those commands is tested against the real kernel in
# tests/vm/scripts.bats.

bats_require_minimum_version 1.5.0
load helper

setup() {
	TMP=$(mktemp -d)
	export KHO_TOOLS_KCORE=$TMP/no-kcore
}

teardown() {
	chmod -R u+rwX "$TMP" 2>/dev/null || true
	rm -rf "$TMP"
}

# A saved LUO state (model/luo_saved.c) with no session.
luo_state_empty() {
	jq -cn '{kind: "kho-tools-luo-state", version: 2,
		sources: {kernel: false, serialized: false, flbs: false, incoming_settled: false, notes: {}},
		sessions: [], flbs: []}'
}

# The agent's layout of the fixtures (tests/vm/agent.c): vm-0..vm-2 with two 4 MiB memfds, vm-3 empty.
luo_state() { # STATE
	luo_state_empty | jq -c --arg st "$1" '.sessions = [range(4) as $s | {name: "vm-\($s)", state: $st, pid: -1,
		fd: -1, fds: 0, comm: "", files_known: true, claimed: (if $s < 3 then 2 else 0 end),
		files: [if $s < 3 then range(1; 3) as $f | {handler: "memfd-v2", token: ($s * 100000 + $f), data: "0x0",
			retrieve_status: 0, size: 4194304} else empty end]}]'
}

# A copy of fixture stage $1 at $TMP/$2 with LUO state in state $3 (none if empty).
stage() {
	cp -r "$FIX/$1" "$TMP/$2"
	if [ -n "${3:-}" ]; then
		mkdir -p "$TMP/$2/luo"
		luo_state "$3" >"$TMP/$2/luo/state"
	fi
}

# ---- assert ------------------------------------------------------------------------------

@test "assert: every snapshot predicate, true and false, exit 0 or 1" {
	for e in 'subtree memblock' 'subtree in/memblock size=210' incoming 'not subtree nope' \
		'kexec-count=1' 'liveupdate-number=1' 'scratch>=100M' 'kexec-count != 0'; do
		run "$KI" --root "$FIX/kexec" assert "$e"
		[ "$status" = 0 ] || fail "'$e' should hold: $output"
		assert_output ''
	done
	for e in 'subtree nope' 'subtree out/kho_test' 'not incoming' 'kexec-count=2' \
		'liveupdate-number>1' 'scratch<1M' 'subtree memblock size>210'; do
		run "$KI" --root "$FIX/kexec" assert -P "$e"
		[ "$status" = 1 ] || fail "'$e' should fail: $output"
		[ "${#lines[@]}" = 1 ]
		[[ ${lines[0]} == "EXPR=\"$e\" RESULT=\"FAIL\" SEEN=\""* ]]
	done
	run "$KI" --root "$FIX/boot" assert 'not incoming' kexec-count=0 liveupdate-number=0
	assert_success
}

@test "assert: LUO predicates over sessions, handlers, FLBs, true and false" {
	stage sessions s outgoing
	for e in 'session vm-0' 'session vm-1 files=2 bytes=8M state=outgoing' 'session vm-3 files=0' \
		'not session vm-9' 'handler memfd-v2 files=6 sessions=3' 'sessions=4' 'files>=6' 'flbs=0'; do
		run "$KI" --root "$TMP/s" assert "$e"
		[ "$status" = 0 ] || fail "'$e' should hold: $output"
	done
	for e in 'session vm-9' 'session vm-0 files=3' 'session vm-0 state=retrieved' 'handler memfd-v1' \
		'handler memfd-v2 bytes<1M' 'sessions>4' 'flb memfd-v2'; do
		run "$KI" --root "$TMP/s" assert "$e"
		[ "$status" = 1 ] || fail "'$e' should fail: $output"
	done
	run "$KI" --root "$TMP/s" assert -o SEEN -n 'session vm-0 files=3'
	assert_output "files=2"
}

@test "assert: several expressions, each failure on its own line with what was seen; -v shows all" {
	stage sessions s outgoing
	run "$KI" --root "$TMP/s" assert subtree memblock session vm-0 files=5 'kexec-count=3' incoming
	assert_failure 1
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 --regexp '^EXPR +RESULT +SEEN$'
	assert_line --index 1 --regexp '^session vm-0 files=5 +FAIL +files=2$'
	assert_line --index 2 --regexp '^kexec-count=3 +FAIL +kexec-count=0$'
	assert_line --index 3 --regexp '^incoming +FAIL +no in/ \(not started by a KHO kexec\)$'
	run "$KI" --root "$TMP/s" -v assert -P 'subtree memblock' 'sessions = 4'
	assert_success
	assert_line --index 0 'EXPR="subtree memblock" RESULT="ok" SEEN="out/sub_fdts/memblock"'
	assert_line --index 1 'EXPR="sessions=4" RESULT="ok" SEEN="sessions=4"'
}

@test "assert -J: schema_version, results of {expr, ok, seen}, failed" {
	stage sessions s outgoing
	run --separate-stderr "$KI" --root "$TMP/s" -J assert 'session vm-0 files=2' 'preserved>=0' 2>/dev/null
	# preserved cannot be told without memory: the whole answer is an error object.
	assert_failure 2
	[ "$(jqo '.schema_version')" = 1 ]
	jqo '.error' | grep -q "cannot tell 'preserved>=0'"
	run "$KI" --root "$TMP/s" -J assert 'session vm-0 files=2' 'handler memfd-v2 files=7'
	assert_failure 1
	[ "$(jqo '.schema_version')" = 1 ]
	[ "$(jqo '.failed')" = 1 ]
	[ "$(jqo '[.results[] | keys | join(",")] | unique | join(";")')" = "expr,ok,seen" ]
	[ "$(jqo '.results[1].expr')" = "handler memfd-v2 files=7" ]
	[ "$(jqo '.results[1].ok')" = false ]
	[ "$(jqo '.results[1].seen')" = "files=6" ]
}

@test "assert: malformed expressions exit 2 with one line naming the expression" {
	for e in 'sesion vm-1' session 'files>=x' 'files!2' 'frobs=1' 'session vm-1 size=2' \
		'session vm-1 state=gone' 'session vm-1 files=2 extra' 'preserved>=1Q' not; do
		run --separate-stderr "$KI" --root "$FIX/kexec" assert "$e"
		[ "$status" = 2 ] || fail "'$e' was accepted: $output"
		assert_output ''
		[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
		[[ $stderr == "kho-inspect: assert: '"* ]]
	done
	run "$KI" --root "$FIX/kexec" assert
	assert_failure 2
	assert_output --partial "at least one expression"
}

@test "assert: state that cannot be read exits 2 saying why" {
	run "$KI" --root "$FIX/kexec" assert 'session vm-0'
	assert_failure 2
	assert_output --partial "LUO state unavailable"
	run "$KI" --root "$FIX/kexec" assert 'preserved>=1'
	assert_failure 2
	assert_output --partial "no physical memory"
	# The incoming LUO header is stale and no incoming session is known: finished, or not yet
	# deserialized? Never answered as "no such session".
	stage kexec-stale-luo k
	mkdir -p "$TMP/k/luo" && luo_state_empty >"$TMP/k/luo/state"
	run "$KI" --root "$TMP/k" assert 'not session vm-0'
	assert_failure 2
	assert_output --partial "in/sub_fdts/LUO is stale"
}

@test "assert preserved: the total of the preserved-memory tree (fabricated machine)" {
	mk=$KT_BIN/tests/unit/test_radix
	[ -x "$mk" ] || skip "no $mk (make unit-test builds the fixture generator)"
	"$mk" --fixture "$TMP/m" >/dev/null
	export KHO_TOOLS_DEBUGFS=$TMP/m/kho KHO_TOOLS_KCORE=$TMP/m/kcore KHO_TOOLS_IOMEM=$TMP/m/iomem
	run "$KI" mem -J
	assert_success
	total=$(jqo '.tree[] | select(.name == "out") | .fields.total')
	run "$KI" assert "preserved=$total" "preserved>=$((total / 1024))K"
	assert_success
	run "$KI" assert -o SEEN -n "preserved>$total"
	assert_failure 1
	assert_output --partial "preserved=$total ("
}

@test "assert on the snapshots saved in the VM (LUO state and pages): sessions, handler, preserved" {
	S=$FIX/saved
	[ -f "$S/sessions.tar" ] || skip "no saved VM snapshots in $S"
	run "$KI" --root "$S/sessions.tar" assert 'sessions=4' 'session vm-0 files=2 state=outgoing' \
		'handler memfd-v2 files=6 bytes=24M' 'preserved>=24M' 'session vm-3 files=0' 'not incoming'
	assert_success
	run "$KI" --root "$S/sessions.tar" assert -P 'preserved<1M'
	assert_failure 1
	assert_output --regexp '^EXPR="preserved<1M" RESULT="FAIL" SEEN="preserved=[0-9]+ \([0-9.]+ MiB\)"$'
	run "$KI" --root "$S/kexec.tar" assert incoming 'kexec-count=1' 'session vm-1 state=serialized files=2'
	assert_success
}

# ---- save --manifest / verify --------------------------------------------------------------

@test "save --manifest, then verify after the kexec: everything arrived" {
	stage sessions s outgoing
	stage kexec k serialized
	run "$KI" --root "$TMP/s" save --manifest "$TMP/m.json"
	assert_success
	assert_output "manifest $TMP/m.json: 4 session(s), 6 file(s), 1 reserve-mem region(s), 4 subtree(s), 0 FLB(s)"
	[ ! -e "$TMP/s/kho-snapshot"* ]
	jq -e '.schema_version == 1 and .kind == "kho-tools-manifest"' "$TMP/m.json"
	jq -e '[.sessions[].files[].token] | sort == [1, 2, 100001, 100002, 200001, 200002]' "$TMP/m.json"
	jq -e '.reserve_mem == [{"name": "kt_mem", "start": .reserve_mem[0].start, "size": 2097152}]' "$TMP/m.json"
	jq -e '[.subtrees[] | select(.content == false) | .name] == ["LUO"]' "$TMP/m.json"
	run "$KI" --root "$TMP/k" verify "$TMP/m.json"
	assert_success
	assert_output "verified: 4 session(s), 6 file(s), 1 reserve-mem region(s), 4 subtree(s), 0 FLB(s)"
	run "$KI" --root "$TMP/k" -J verify "$TMP/m.json"
	assert_success
	[ "$(jqo '.schema_version')" = 1 ]
	[ "$(jqo '.failed')" = 0 ]
	[ "$(jqo '.checked | [.sessions, .files, .reserve_mem, .subtrees] | join(",")')" = "4,6,1,4" ]
	[ "$(jqo '.problems | length')" = 0 ]
}

@test "save --manifest and verify on the snapshots saved in the VM: what was sent arrived" {
	S=$FIX/saved
	[ -f "$S/sessions.tar" ] || skip "no saved VM snapshots in $S"
	run "$KI" --root "$S/sessions.tar" save --manifest "$TMP/m.json"
	assert_success
	run "$KI" --root "$S/kexec.tar" verify "$TMP/m.json"
	assert_success
	assert_output "verified: 4 session(s), 6 file(s), 1 reserve-mem region(s), 4 subtree(s), 3 FLB(s)"
	# After FINISH: missing sessions, or (stale incoming header) cannot tell; never "verified".
	run "$KI" --root "$S/finished.tar" verify "$TMP/m.json"
	[ "$status" = 1 ] || [ "$status" = 2 ]
	refute_output --partial verified
}

@test "verify: a file the agent did not preserve, a changed size, a lost session: one line each, exit 1" {
	stage sessions s outgoing
	run "$KI" --root "$TMP/s" save --manifest "$TMP/m.json"
	assert_success
	# After the reboot: token 100002 missing, 200001 shorter, vm-3 gone.
	stage kexec k
	mkdir -p "$TMP/k/luo"
	luo_state serialized | jq -c 'del(.sessions[].files[] | select(.token == 100002)) |
		(.sessions[].files[] | select(.token == 200001) | .size) = 4096 | del(.sessions[] | select(.name == "vm-3"))' \
		>"$TMP/k/luo/state"
	run "$KI" --root "$TMP/k" verify "$TMP/m.json"
	assert_failure 1
	assert_line "missing file vm-1 token=100002 (memfd-v2, 4 MiB)"
	assert_line "changed file vm-2 token=200001: size 4194304 -> 4096"
	assert_line "missing session vm-3 (0 files)"
	assert_line "verify: 3 problem(s)"
	run "$KI" --root "$TMP/k" -J verify "$TMP/m.json"
	assert_failure 1
	[ "$(jqo '.failed')" = 3 ]
	[ "$(jqo '[.problems[] | keys | join(",")] | unique | join(";")')" = "change,kind,message,name" ]
	[ "$(jqo '.problems[] | select(.change == "missing" and .kind == "file") | .name')" = vm-1/100002 ]
	# The same with a manifest edited to claim one more file than was preserved.
	stage kexec k2 serialized
	jq '.sessions[0].files += [{"token": 3, "handler": "memfd-v2", "size": 4096}]' "$TMP/m.json" >"$TMP/m2.json"
	run "$KI" --root "$TMP/k2" verify "$TMP/m2.json"
	assert_failure 1
	assert_line --index 0 "missing file vm-0 token=3 (memfd-v2, 4 KiB)"
}

@test "verify: reserve-mem regions and sub-blobs that did not arrive, or changed" {
	stage sessions s outgoing
	"$KI" --root "$TMP/s" save --manifest "$TMP/m.json"
	stage kexec k serialized
	rm "$TMP/k/in/sub_fdts/kho_test"
	printf 'x' | dd of="$TMP/k/in/sub_fdts/kexec-metadata" bs=1 seek=10 conv=notrunc status=none
	rm "$TMP/k/in/sub_fdts/memblock"
	run "$KI" --root "$TMP/k" verify "$TMP/m.json"
	assert_failure 1
	assert_line --partial "changed subtree kexec-metadata: content (sha256 "
	assert_line "missing subtree kho_test (240 bytes)"
	assert_line "missing subtree memblock (210 bytes)"
	assert_line "missing reserve-mem kt_mem (no in/sub_fdts/memblock)"
	# LUO is rewritten at the reboot: its presence is what counts.
	refute_line --partial "subtree LUO"
}

@test "verify: before the kexec (no in/) says so and exits 1; stale incoming LUO cannot tell (2)" {
	stage sessions s outgoing
	"$KI" --root "$TMP/s" save --manifest "$TMP/m.json"
	run "$KI" --root "$TMP/s" verify "$TMP/m.json"
	assert_failure 1
	assert_line --index 0 "no incoming KHO state (no in/): this kernel was not started by a KHO kexec"
	stage kexec-stale-luo k
	mkdir -p "$TMP/k/luo" && luo_state_empty >"$TMP/k/luo/state"
	run --separate-stderr "$KI" --root "$TMP/k" verify "$TMP/m.json"
	assert_failure 2
	assert_output ''
	[[ $stderr == *"cannot tell whether the sessions arrived"* ]]
}

@test "verify: a malformed or unreadable manifest exits 2 naming the file and the place" {
	stage kexec k serialized
	run "$KI" --root "$TMP/k" verify "$TMP/none.json"
	assert_failure 2
	assert_output "kho-inspect: $TMP/none.json: No such file or directory"
	printf '{"schema_version": 1, "kind": "kho-tools-manifest", "sessions": [' >"$TMP/cut.json"
	run "$KI" --root "$TMP/k" verify "$TMP/cut.json"
	assert_failure 2
	assert_output --regexp "^kho-inspect: $TMP/cut.json: line [0-9]+, column [0-9]+: "
	echo '{"schema_version":1,"kind":"kho-tools-manifest","kernel_release":null,"taken":null,"sessions":[{"name":"a","files":[{"token":-1,"handler":"h"}]}],"reserve_mem":[],"subtrees":[]}' >"$TMP/neg.json"
	run "$KI" --root "$TMP/k" verify "$TMP/neg.json"
	assert_failure 2
	assert_output --partial "negative number"
	cp "$FIX/kexec/in/fdt" "$TMP/bin.json"
	run --separate-stderr "$KI" --root "$TMP/k" -J verify "$TMP/bin.json"
	assert_failure 2
	jqo .error | grep -q "$TMP/bin.json"
	run "$KI" --root "$TMP/k" verify
	assert_failure 2
}

@test "save --manifest: never overwrites; needs the LUO state; with -o also writes the snapshot" {
	stage sessions s outgoing
	echo keep >"$TMP/m.json"
	run "$KI" --root "$TMP/s" save --manifest "$TMP/m.json"
	assert_failure 2
	assert_output --partial "exists; not overwritten"
	[ "$(cat "$TMP/m.json")" = keep ]
	run "$KI" --root "$FIX/sessions" save --manifest "$TMP/n.json"
	assert_failure 2
	assert_output --partial "cannot list the LUO sessions"
	[ ! -e "$TMP/n.json" ]
	run "$KI" --root "$TMP/s" -J save --manifest "$TMP/o.json" -o "$TMP/snap.tar"
	assert_success
	[ "$(jqo .manifest)" = "$TMP/o.json" ]
	[ "$(jqo .saved)" = "$TMP/snap.tar" ]
	[ -s "$TMP/o.json" ] && [ -s "$TMP/snap.tar" ]
	# The saved snapshot carries the LUO state: its manifest is the same (the release aside: the
	# snapshot's MANIFEST says "unknown" where the source had none).
	"$KI" --root "$TMP/snap.tar" save --manifest "$TMP/p.json"
	assert_equal "$(jq -c 'del(.taken, .kernel_release)' "$TMP/o.json")" \
		"$(jq -c 'del(.taken, .kernel_release)' "$TMP/p.json")"
}

# ---- preflight -----------------------------------------------------------------------------

# The status of check $1 in the last preflight -J output.
check() {
	jqo ".checks[] | select(.name == \"$1\") | .status"
}

@test "preflight -J: every check with a status; the exit status is the verdict" {
	KHO_TOOLS_DEBUGFS=$FIX/sessions run "$KI" -J preflight
	[ "$(jqo .schema_version)" = 1 ]
	[ "$(jqo '[.checks[].name] | join(",")')" = \
		"debugfs,kho,luo,kcore,scratch,overlap,sessions,agent,owners,shell,fdstore,kexec,finalize" ]
	[ "$(jqo '[.checks[].status] | map(. == "ok" or . == "warn" or . == "fail" or . == "unknown") | all')" = true ]
	[ "$(check debugfs)" = ok ] && [ "$(check kho)" = ok ] && [ "$(check luo)" = ok ]
	[ "$(check scratch)" = ok ] && [ "$(check finalize)" = ok ]
	# No kcore here (KHO_TOOLS_KCORE): a warning, and what it cannot check says so.
	[ "$(check kcore)" = warn ] && [ "$(check overlap)" = warn ]
	verdict=$(jqo .verdict)
	case $status in
	0) [ "$verdict" = go ] ;;
	1) [ "$verdict" = no-go ] && [ "$(jqo .failed)" -ge 1 ] ;;
	*) false ;;
	esac
	if [ "$(cat /sys/kernel/kexec_loaded 2>/dev/null)" != 1 ]; then
		[ "$(check kexec)" = fail ]
		assert_failure 1
	fi
}

@test "preflight: text, a table of checks, then the verdict; -P for scripts" {
	KHO_TOOLS_DEBUGFS=$FIX/sessions run "$KI" preflight
	assert_line --index 0 --regexp '^STATUS +CHECK +MESSAGE$'
	assert_line --index 1 --regexp '^ok +debugfs +'
	assert_line --regexp '^ok +finalize +not needed: this kernel finalizes KHO during the kexec reboot$'
	assert_line --regexp '^(go|no-go|cannot tell): [0-9]+ failed, [0-9]+ warning\(s\), [0-9]+ unknown$'
	# Pairs: one line a check, no heading, no verdict line.
	KHO_TOOLS_DEBUGFS=$FIX/sessions run "$KI" preflight -P -o CHECK,STATUS
	assert_line --index 0 'CHECK="debugfs" STATUS="ok"'
	assert_line 'CHECK="finalize" STATUS="ok"'
	refute_output --partial 'failed,'
	refute_output --partial 'MESSAGE'
}

@test "preflight: no KHO is no-go; the preserved memory is checked against scratch (fabricated machine)" {
	KHO_TOOLS_DEBUGFS=$TMP/nokho run "$KI" -J preflight
	assert_failure 1
	[ "$(check kho)" = fail ]
	jqo '.checks[] | select(.name == "kho") | .message' | grep -q "KHO is not enabled"
	mk=$KT_BIN/tests/unit/test_radix
	[ -x "$mk" ] || skip "no $mk (make unit-test builds the fixture generator)"
	"$mk" --fixture "$TMP/m" >/dev/null
	KHO_TOOLS_DEBUGFS=$TMP/m/kho KHO_TOOLS_KCORE=$TMP/m/kcore KHO_TOOLS_IOMEM=$TMP/m/iomem run "$KI" -J preflight
	[ "$(check kcore)" = ok ]
	[ "$(check overlap)" = ok ]
	jqo '.checks[] | select(.name == "overlap") | .message' | grep -q "none inside scratch"
}

@test "preflight: --root and arguments are refused" {
	run "$KI" --root "$FIX/sessions" preflight
	assert_failure 2
	assert_output --partial "--root does not apply"
	run "$KI" preflight now
	assert_failure 2
}

# ---- finalize / abort ------------------------------------------------------------------------

# A directory laid out like a 6.16-6.18 debugfs kho/ (the sessions fixture plus out/finalize).
old_kho() { # VALUE
	cp -r "$FIX/sessions" "$TMP/kho"
	echo "$1" >"$TMP/kho/out/finalize"
	export KHO_TOOLS_DEBUGFS=$TMP/kho
}

@test "finalize on a 6.16-6.19 style debugfs dir: --dry-run writes nothing, no --yes refuses, --yes writes" {
	[ "$(id -u)" = 0 ] || skip "writing the control needs root"
	old_kho 0
	run "$KI" finalize --dry-run
	assert_success
	assert_output "would write 1 to $TMP/kho/out/finalize (now 0: not finalized)"
	[ "$(cat "$TMP/kho/out/finalize")" = 0 ]
	run "$KI" finalize
	assert_failure 2
	assert_output --partial "refusing to write $TMP/kho/out/finalize without --yes"
	[ "$(cat "$TMP/kho/out/finalize")" = 0 ]
	run "$KI" -J finalize --yes
	assert_success
	[ "$(jqo '[.action, .before, .after, .changed, .dry_run] | join(",")')" = "finalize,0,1,true,false" ]
	[ "$(cat "$TMP/kho/out/finalize")" = 1 ]
	run "$KI" finalize --yes
	assert_success
	assert_output "KHO is already finalized ($TMP/kho/out/finalize = 1): nothing to do"
}

@test "abort on a 6.16-6.18 style dir writes 0; status and preflight see the control" {
	[ "$(id -u)" = 0 ] || skip "writing the control needs root"
	[ ! -e /dev/liveupdate ] || skip "this host has /dev/liveupdate: the 6.19 heuristic would apply"
	old_kho 1
	run "$KI" abort --yes
	assert_success
	assert_output "abort: $TMP/kho/out/finalize 1 -> 0 (not finalized)"
	[ "$(cat "$TMP/kho/out/finalize")" = 0 ]
	run "$KI" abort --yes
	assert_success
	assert_output --partial "already not finalized"
	run "$KI" -J preflight
	[ "$(check finalize)" = fail ]
	jqo '.checks[] | select(.name == "finalize") | .message' | grep -q "kho-inspect finalize --yes"
}

@test "abort on 6.19 (a luo-v1 LUO sub-tree): finalize only, exit 2 saying so" {
	command -v dtc >/dev/null || skip "dtc not installed"
	old_kho 1
	printf '/dts-v1/;\n/ { compatible = "luo-v1"; liveupdate-number = /bits/ 64 <0x100000000000000>; };\n' |
		dtc -I dts -O dtb -o "$TMP/kho/out/sub_fdts/LUO" - 2>/dev/null
	run "$KI" abort --yes
	assert_failure 2
	assert_output --partial "no abort: 6.19 removed it"
	[ "$(cat "$TMP/kho/out/finalize")" = 1 ]
	run "$KI" finalize --dry-run
	assert_success
	assert_output --partial "already finalized"
}

@test "finalize/abort on 7.x (no control): exit 2, one line pointing at preflight" {
	for c in finalize abort; do
		KHO_TOOLS_DEBUGFS=$FIX/sessions run --separate-stderr "$KI" "$c" --yes
		assert_failure 2
		assert_output ''
		[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
		[[ $stderr == *"no KHO finalize control"*"kho-inspect preflight"* ]]
	done
	run "$KI" --root "$FIX/sessions" finalize
	assert_failure 2
	assert_output --partial "--root does not apply"
}

@test "finalize as non-root: exit 2, nothing written" {
	[ "$(id -u)" = 0 ] || skip "needs root to drop to nobody"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	old_kho 0
	chmod -R a+rX "$TMP" && chmod a+w "$TMP/kho/out/finalize"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env KHO_TOOLS_DEBUGFS="$TMP/kho" "$KI" finalize --yes
	assert_failure 2
	assert_output --partial "needs root"
	[ "$(cat "$TMP/kho/out/finalize")" = 0 ]
}

# ---- metrics ---------------------------------------------------------------------------------

@test "metrics: HELP and TYPE before each family's samples, kho_ names, the values of the snapshot" {
	stage kexec k serialized
	run "$KI" --root "$TMP/k" metrics
	assert_success
	assert_line "kho_enabled 1"
	assert_line "kho_incoming 1"
	assert_line "kho_kexecs_total 1"
	assert_line "kho_luo_live_updates_total 1"
	assert_line 'kho_luo_sessions{state="serialized"} 4'
	assert_line 'kho_luo_files{handler="memfd-v2",direction="in"} 6'
	assert_line 'kho_luo_file_bytes{handler="memfd-v2",direction="in"} 25165824'
	assert_line 'kho_subtree_bytes{direction="in",name="memblock"} 210'
	assert_line "kho_preserved_memory_up 0"
	# Each sample's family was typed before it; every name has the prefix; no series twice.
	printf '%s\n' "$output" | awk '
		/^# TYPE / { typed[$3] = 1; next }
		/^# HELP / { next }
		{ n = $1; sub(/\{.*/, "", n); if (!(n in typed)) { print "untyped " $0; bad = 1 }
		  if (n !~ /^kho_[a-z_]+$/) { print "name " $0; bad = 1 }
		  if (seen[$1]++) { print "duplicate " $0; bad = 1 } }
		END { exit bad }'
	run "$KI" --root "$FIX/kexec" metrics
	assert_success
	assert_line "kho_luo_state_up 0"
	refute_line --partial "kho_luo_sessions{"
}

@test "metrics: KHO not enabled is kho_enabled 0; -J and unreadable snapshots exit 2" {
	KHO_TOOLS_DEBUGFS=$TMP/nokho run "$KI" metrics
	assert_success
	assert_output "# HELP kho_enabled Whether Kexec HandOver is enabled (kho/ in debugfs).
# TYPE kho_enabled gauge
kho_enabled 0"
	run "$KI" -J metrics
	assert_failure 2
	run "$KI" --root "$TMP/missing" metrics
	assert_failure 2
	assert_output "kho-inspect: $TMP/missing: No such file or directory"
}
