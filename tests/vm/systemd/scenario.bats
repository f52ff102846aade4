#!/usr/bin/env bats
# The systemd scenario (tests/vm/run-systemd.sh OUTDIR) read on the host from KT_VM_OUT=OUTDIR.
# Expected values come only from sources independent of kho-tools: what the test services
# recorded themselves (services/*.result, the LISTEN_* variables they got), systemd's own
# reports (systemd-analyze fdstore, the D-Bus dump of kt-fdstore-dump, systemctl show, its
# console lines) and raw kernel facts (/proc/1/fd links, /sys/kernel/kexec_loaded, dmesg,
# the debugfs tree). The tools' output, captured by the stage hook (stage.sh, its TOOLS
# table), is only ever the value under test.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-systemd.sh OUTDIR first"
	[ -f "$KT_VM_OUT/result" ] || skip "$KT_VM_OUT holds no run-systemd output"
	out=$KT_VM_OUT
	svc=$out/services
}

# The serial console of both boots without systemd's colours and the serial line's CRs.
console() {
	tr -d '\r' <"$out/console.log" | sed 's/\x1b\[[0-9;:]*m//g'
}

# The fd names systemd-shutdown says it failed to preserve, one a line, sorted.
lost() {
	console | sed -n "s/.*Failed to preserve LUO fd [0-9]* (name '\([^']*\)').*/\1/p" | sort
}

# rc STAGE NAME: the exit status of the stage hook's tool command NAME at STAGE.
rc() {
	cat "$out/$1/$2.rc"
}

# jqs STAGE NAME FILTER: FILTER over a tool's JSON output at STAGE.
jqs() {
	jq -r "$3" "$out/$1/$2.out"
}

# The LUO sessions PID 1 holds at STAGE, as /proc/1/fd links name them: "FD NAME", sorted.
pid1_sessions() {
	sed -n 's/^\([0-9]*\) anon_inode:\[luo_session\] \(.*\)$/\1 \2/p' "$out/$1/proc1-fds" | sort -k 2
}

# The kernel name of the LUOSession= session as luosession-test read it back (GET_NAME).
kname() {
	sed -n 's/^session fdname=demo kernel=\([^ ]*\)$/\1/p' "$svc/luosession-test.store.result"
}

# The token luosession-test preserved its memfd under, in decimal, and that memfd's size.
ls_token() {
	printf '%u\n' "$(sed -n 's/^memfd token=\(0x[0-9a-f]*\) .*PRESERVED$/\1/p' "$svc/luosession-test.store.result")"
}
ls_size() {
	sed -n 's/^memfd token=0x[0-9a-f]* \([0-9]*\) PRESERVED$/\1/p' "$svc/luosession-test.store.result"
}

# How many fds systemd-shutdown preserved in session systemd besides its mapping: the fd store
# entries it serialized (its console), less those it failed to preserve, less the LUOSession=
# sessions among them (sessions of their own, not files; counted in the D-Bus dump before).
kept() {
	local serialized luo_entries
	serialized=$(console | sed -n 's/^Serialized \([0-9]*\) fd store entries for LUO\./\1/p' | head -n 1)
	luo_entries=$(grep -c ' path=anon_inode:\[luo_session\] ' "$out/before/dbus-fdstore.out")
	echo $((serialized - $(lost | wc -l) - luo_entries))
}

# The test module's FLBs (on memfd-v2) the second kernel found, as its console names them.
flbs_found() {
	sed -n 's/.*liveupdate test: \([^: ]*\): found flb data from the previous boot$/\1/p' "$out/early/dmesg" |
		sort
}

# session_files STAGE NAME: the sessions view of session NAME at STAGE, "TOKEN SIZE" a file,
# sorted by token (a file's name there is its token: above 2^53 it stays exact as text).
session_files() {
	jqs "$1" sessions ".tree[].children[] | select(.name == \"$2\") | .children[] |
		\"\\(.name) \\(.fields.size)\"" | sort -n
}

# "UNIT PRESERVE" of every service systemd showed at STAGE (systemctl show): its
# FileDescriptorStorePreserve= setting.
preserve_of() {
	awk 'BEGIN { RS = ""; FS = "\n" } {
		id = ""; p = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^Id=/) id = substr($i, 4)
			if ($i ~ /^FileDescriptorStorePreserve=/) p = substr($i, 29)
		}
		if (id != "") print id, p }' "$out/$1/fdstore-units.show"
}

# Every fd in a store at STAGE as systemd's D-Bus dump lists it: "UNIT FDNAME KIND", KIND
# what LUO can hold of it by its link and mode: memfd (a regular file /memfd:NAME),
# luo_session, or other (no LUO file handler takes it).
stored() {
	awk '$2 !~ /=/ {
		path = $0; sub(/.* path=/, "", path)
		mode = $3; sub(/^mode=/, "", mode)
		kind = "other"
		if (path ~ /^anon_inode:\[luo_session\] /) kind = "luo_session"
		else if (path ~ /^\/memfd:/ && mode ~ /^010/) kind = "memfd"
		print $1, $2, kind }' "$out/$1/dbus-fdstore.out"
}

# The stored fds a kexec cannot carry, from systemd's view before it: every fd of a store
# that is not kept (FileDescriptorStorePreserve= other than yes), and the fds no LUO
# handler takes in the stores that are. "UNIT FDNAME", sorted. With "kept" only those of
# stores the unit asked to keep (Preserve=yes), with "dropped" only the others.
doomed() { # [kept|dropped]
	stored before | awk -v want="${1:-}" 'NR == FNR { p[$1] = $2; next }
		(p[$1] != "yes" || $3 == "other") && (want == "" || (want == "kept") == (p[$1] == "yes")) {
			print $1, $2 }' <(preserve_of before) - | sort
}

# fdstore_lines STAGE STATUS: the stored fds preflight's fdstore check names with STATUS
# (fail, warn) at STAGE, "UNIT FDNAME", sorted.
fdstore_lines() {
	jqs "$1" "${3:-preflight}" ".checks[] | select(.name == \"fdstore\" and .status == \"$2\") | .message" |
		sed -n "s/^\([^:]*\): fd '\([^']*\)' (.*/\1 \2/p" | sort
}

# The test units as this repository configures them (units/*.service): "UNIT SETTING VALUE"
# for SETTING, one a line.
unit_setting() {
	local u
	for u in "$BATS_TEST_DIRNAME"/units/*.service; do
		sed -n "s/^$1=\(.*\)/${u##*/} \1/p" "$u"
	done
}

# The program a test unit runs (its result files are named after it): "UNIT PROGRAM".
unit_program() {
	unit_setting ExecStart | sed 's|^\([^ ]*\) [^ ]*/\([^/ ]*\).*|\1 \2|'
}

# kept_memfds STAGE: "UNIT NAME" of every memfd a service put in a store its unit file keeps
# across kexec (FileDescriptorStorePreserve=yes) and still held at STAGE (before, or dropped:
# after fdstore-drop took its fds out again), from the services' own "store" results.
kept_memfds() {
	join <(unit_setting FileDescriptorStorePreserve | awk '$2 == "yes" { print $1 }' | sort) \
		<(unit_program | sort) | while read -r unit prog; do
		[ -f "$svc/$prog.store.result" ] || continue
		awk -v u="$unit" -v stage="$1" '$3 == "STORED" && $2 > 0 { held[$1] = 1 }
			stage == "dropped" && $3 == "REMOVED" { delete held[$1] }
			END { for (n in held) print u, n }' "$svc/$prog.store.result"
	done | sort
}

# not_back STAGE: what a manifest saved at STAGE lists that the services did not get back
# whole after the kexec, by their own "check" results, named as verify names them:
# UNIT/NAME for a stored memfd, SESSION/TOKEN for luosession-test's. Sorted.
not_back() {
	local unit name prog
	kept_memfds "$1" | while read -r unit name; do
		prog=$(unit_program | awk -v u="$unit" '$1 == u { print $2 }')
		awk -v n="$name" '$1 == n && $3 == "OK" { ok = 1 } END { exit !ok }' \
			"$svc/$prog.check.result" 2>/dev/null || echo "$unit/$name"
	done
	grep -q "^memfd token=0x[0-9a-f]* $(ls_size) OK " "$svc/luosession-test.check.result" ||
		echo "$(kname)/$(ls_token)"
}

@test "the guest passed both boots: the services judged their own results after one kexec" {
	run cat "$out/result"
	assert_line --index 0 "stage1 OK"
	assert_line "stage2 OK"
	assert_equal "$(tail -n 1 "$out/result")" PASS
	assert_equal "$(console | grep -c 'kexec_core: Starting new kernel')" 1
}

@test "systemd 262 or newer was PID 1 before and after the kexec" {
	for s in before after; do
		v=$(sed -n '1s/^systemd \([0-9]*\).*/\1/p' "$out/$s/systemd-version")
		[ "${v:-0}" -ge 262 ] || fail "$s: $(head -n 1 "$out/$s/systemd-version")"
	done
}

@test "fdstore-test stored mem1, mem2 and evt, and systemd listed all three before the kexec" {
	stored=$(awk '$3 == "STORED" { print $1 }' "$svc/fdstore-test.store.result" | sort)
	assert_equal "$stored" "$(printf '%s\n' evt mem1 mem2)"
	assert_equal "$(awk 'NR > 1 { print $1 }' "$out/before/fdstore-fdstore-test.out" | sort)" "$stored"
	assert_equal "$(awk '$1 == "fdstore-test.service" && $2 !~ /=/ { print $2 }' \
		"$out/before/dbus-fdstore.out" | sort)" "$stored"
	grep -qx 'fdstore-test.service signature=a(suuutuusu)' "$out/before/dbus-fdstore.out"
}

@test "PID 1 held the LUOSession= session under the name luosession-test read back, and passed it as demo" {
	[ -n "$(kname)" ]
	grep -q "^[0-9]* anon_inode:\[luo_session\] $(kname)\$" "$out/before/proc1-fds"
	grep -qx 'LISTEN_FDNAMES=demo' "$out/before/luosession-test-env"
	grep -qx 'LUOSession=demo' "$out/before/units.show"
	grep -q "^luosession-test.service demo .* path=anon_inode:\[luo_session\] $(kname)\$" \
		"$out/before/dbus-fdstore.out"
}

@test "systemd-shutdown preserved the fd stores in LUO session systemd and lost evt, with ENOENT, but no memfd" {
	console | grep -q '^Serialized [0-9]* fd store entries for LUO\.'
	console | grep -q "^Preserved fd stores in LUO session 'systemd' for kexec\."
	console | grep -q "Failed to preserve LUO fd [0-9]* (name 'evt') .*: No such file or directory"
	run lost
	refute_line mem1
	refute_line mem2
	refute_line demo
}

@test "KExecCount was 0 before the kexec and 1 after it" {
	grep -qx KExecCount=0 "$out/before/kexec-count-prop.out"
	grep -qx KExecCount=1 "$out/after/kexec-count-prop.out"
}

@test "the second kernel came by a KHO kexec with LUO data, and the first did not" {
	[ ! -e "$out/before/kho/in" ]
	[ -s "$out/early/kho/in/fdt" ]
	grep -q 'luo: Retrieved live update data, liveupdate number: 1' "$out/early/dmesg"
}

@test "after the kexec fdstore-test got mem1 and mem2 back byte for byte, and no evt" {
	grep -qx 'LISTEN_FDNAMES=mem1:mem2\|LISTEN_FDNAMES=mem2:mem1' "$out/after/fdstore-test-env"
	run cat "$svc/fdstore-test.check.result"
	assert_line --regexp '^mem1 65536 OK '
	assert_line --regexp '^mem2 1048576 OK '
	assert_line 'evt - MISSING'
	assert_line 'summary ok=2 bad=0 missing=1 extra=0'
}

@test "after the kexec luosession-test got its session back, retrieved its memfd by its token and finished it" {
	run cat "$svc/luosession-test.check.result"
	assert_line "session fdname=demo kernel=$(kname)"
	assert_line --regexp "^memfd token=0x[0-9a-f]* $(ls_size) OK "
	assert_line 'finish OK'
	assert_line 'summary ok=2 bad=0'
	grep -qx 'LISTEN_FDNAMES=demo' "$out/after/luosession-test-env"
}

@test "kho-inspect, sessions, global and save exit 0 at every stage: the KHO tree was readable there" {
	for s in before early after; do
		[ -n "$(find "$out/$s/kho" -type f -size +0)" ] || fail "$s: nothing read from the KHO tree"
		for t in inspect sessions global save; do
			[ "$(rc "$s" "$t")" = 0 ] || fail "$s $t: rc $(rc "$s" "$t"): $(head -n 3 "$out/$s/$t.err")"
		done
		[ -s "$out/$s/snap.tar" ] || fail "$s: save wrote no snap.tar"
	done
}

@test "before the kexec, sessions lists exactly the LUO sessions /proc/1/fd shows, with PID 1 and that fd" {
	[ -n "$(pid1_sessions before)" ]
	assert_equal "$(jqs before sessions '.tree[] | select(.name == "outgoing") | .children[] |
		"\(.fields.fd) \(.name)"' | sort -k 2)" "$(pid1_sessions before)"
	assert_equal "$(jqs before sessions '[.tree[] | select(.name == "outgoing") | .children[].fields.pid] |
		unique | join(",")')" 1
	assert_equal "$(jqs before sessions '.tree[] | select(.name == "incoming") | .fields.sessions')" 0
}

@test "before the kexec, sessions names the session PID 1 holds by the unit and fd name of its LUOSession= setting" {
	[ -n "$(kname)" ]
	# One unit sets LUOSession=; its value is the fd name the session sits under in the store.
	assert_equal "$(unit_setting LUOSession | wc -l)" 1
	assert_equal "$(jqs before sessions '.tree[] | select(.name == "outgoing") | .children[] |
		"\(.name) \(.fields.unit // "-") \(.fields.fdname // "-")"')" "$(kname) $(unit_setting LUOSession)"
}

@test "before the kexec, the LUOSession= session holds the one memfd luosession-test preserved, under its token" {
	assert_equal "$(session_files before "$(kname)")" "$(ls_token) $(ls_size)"
}

@test "before the kexec, preflight's fdstore check fails on exactly the stored fds of kept stores the kexec cannot carry, and warns of the rest" {
	# The scenario has two: fdstore-test's eventfd (its unit asked for its store to be kept)
	# and fdstore-volatile's memfd (a store kept across restarts only, by the unit's choice).
	run doomed kept
	assert_line 'fdstore-test.service evt'
	run doomed dropped
	assert_line 'fdstore-volatile.service vol'
	assert_equal "$(fdstore_lines before fail)" "$(doomed kept)"
	assert_equal "$(fdstore_lines before warn)" "$(doomed dropped)"
}

@test "before the kexec, preflight says no-go for those fds alone: a kexec image is loaded" {
	assert_equal "$(cat "$out/before/kexec_loaded")" 1
	assert_equal "$(jqs before preflight '.checks[] | select(.name == "kexec") | .status')" ok
	assert_equal "$(jqs before preflight '[.checks[] | select(.status == "fail") | .name] | unique | join(",")')" \
		fdstore
	assert_equal "$(jqs before preflight .verdict)" no-go
	assert_equal "$(rc before preflight)" 1
}

@test "before the kexec, preflight --accept-loss fdstore-test.service:evt --accept-loss fdstore-volatile.service warns of exactly those" {
	accepted='^(fdstore-test\.service evt|fdstore-volatile\.service .*)$'
	assert_equal "$(fdstore_lines before warn preflight-accept)" \
		"$( (doomed dropped; doomed kept | grep -E "$accepted") | sort -u)"
	assert_equal "$(fdstore_lines before fail preflight-accept)" "$(doomed kept | grep -vE "$accepted" || true)"
	if doomed kept | grep -qvE "$accepted"; then
		assert_equal "$(rc before preflight-accept)" 1
	else
		assert_equal "$(rc before preflight-accept)" 0
	fi
}

@test "after the kexec fdstore-volatile got nothing back: systemd did not carry its store (FileDescriptorStorePreserve=restart)" {
	run preserve_of before
	assert_line 'fdstore-volatile.service restart'
	grep -q '^vol 131072 STORED ' "$svc/fdstore-volatile.store.result"
	run cat "$svc/fdstore-volatile.check.result"
	assert_line 'vol - MISSING'
	assert_line 'summary ok=0 bad=0 missing=1 extra=0'
}

@test "after the kexec, preflight exits 1 at early and after: no kexec image is loaded then" {
	for s in early after; do
		assert_equal "$(cat "$out/$s/kexec_loaded")" 0
		assert_equal "$(rc "$s" preflight)" 1
		assert_equal "$(jqs "$s" preflight '.checks[] | select(.name == "kexec") | .status')" fail
	done
}

@test "before the kexec, save --manifest records the sessions /proc/1/fd shows and the service's token" {
	assert_equal "$(rc before manifest)" 0
	assert_equal "$(jq -r '.sessions[].name' "$out/manifest.json" | sort)" \
		"$(pid1_sessions before | cut -d' ' -f2)"
	# Compared as text: jq reads numbers as doubles, and this token is above 2^53.
	grep -q "\"token\": *$(ls_token)[,}]" "$out/manifest.json"
}

@test "before the kexec, save --manifest lists every unit systemd keeps a store of, with exactly the memfds and sessions in it" {
	# Units with FileDescriptorStorePreserve=yes (systemctl show), each with the fds its store
	# held (the D-Bus dump) that LUO can carry; "UNIT - -" for an empty store.
	want=$(stored before | awk 'NR == FNR { if ($2 == "yes") keep[$1] = 1; next }
		($1 in keep) && $3 != "other" { print; seen[$1] = 1 }
		END { for (u in keep) if (!(u in seen)) print u, "-", "-" }' <(preserve_of before) - | sort)
	run grep -c ' memfd$' <<<"$want"
	assert_output 3 # fdstore-test's mem1 and mem2, fdstore-drop's drop
	assert_equal "$(jq -r '.systemd[] | .unit as $u | if (.fds | length) == 0 then "\($u) - -"
		else .fds[] | "\($u) \(.name) \(.kind)" end' "$out/manifest.json" | sort)" "$want"
}

@test "before the kexec, save --manifest ties the LUOSession= session to the unit and fd name of its setting" {
	assert_equal "$(jq -r --arg n "$(kname)" '.sessions[] | select(.name == $n) | "\(.unit) \(.fdname)"' \
		"$out/manifest.json")" "$(unit_setting LUOSession)"
}

@test "at early, sessions lists session systemd: its mapping at token 0 and one file per memfd systemd-shutdown kept" {
	kept=$(kept)
	[ "$kept" -ge 1 ]
	# Tokens count up from 1, one per fd preserved; 0 is the mapping.
	assert_equal "$(session_files early systemd | cut -d' ' -f1)" "$(seq 0 "$kept")"
	# The memfds kept are the ones fdstore-test stored and systemd-shutdown did not lose.
	assert_equal "$(session_files early systemd | awk '$1 > 0 { print $2 }' | sort -n)" \
		"$(lost | awk 'NR == FNR { lost[$1] = 1; next }
			$3 == "STORED" && $2 > 0 && !($1 in lost) { print $2 }' - "$svc/fdstore-test.store.result" |
			sort -n)"
	# systemd seals its mapping.
	run jqs early sessions '.tree[].children[] | select(.name == "systemd") | .children[] |
		select(.name == "0") | .fields.seals[]'
	assert_line write
	assert_line grow
	assert_line shrink
}

@test "at early, sessions names each memfd of session systemd by the unit and fd name its service stored it under" {
	# "UNIT FDNAME SIZE" of every memfd held at the kexec in a store its unit file keeps
	# (FileDescriptorStorePreserve=yes), with the size its service recorded, less what
	# systemd-shutdown lost.
	want=$(kept_memfds dropped | while read -r unit name; do
		prog=$(unit_program | awk -v u="$unit" '$1 == u { print $2 }')
		awk -v u="$unit" -v n="$name" '$1 == n && $3 == "STORED" { print u, n, $2 }' "$svc/$prog.store.result"
	done | awk -v lost=" $(lost | tr '\n' ' ')" 'index(lost, " " $2 " ") == 0' | sort)
	[ -n "$want" ]
	assert_equal "$(jqs early sessions '.tree[] | select(.name == "incoming") | .children[] |
		select(.name == "systemd") | .children[] | select(.name != "0") |
		"\(.fields.unit // "-") \(.fields.fdname // "-") \(.fields.size)"' | sort)" "$want"
}

@test "at early, sessions names the LUOSession= session by its unit and fd name, from systemd's mapping" {
	assert_equal "$(jq -r --arg n "$(kname)" '.tree[] | select(.name == "incoming") | .children[] |
		select(.name == $n) | "\(.fields.unit // "-") \(.fields.fdname // "-")"' "$out/early/sessions.out")" \
		"$(unit_setting LUOSession)"
}

@test "at early, sessions lists the LUOSession= session untouched: one memfd, the service's token and size" {
	assert_equal "$(session_files early "$(kname)")" "$(ls_token) $(ls_size)"
	# Nothing came over but the sessions PID 1 held before and session systemd.
	assert_equal "$(jqs early sessions '.tree[] | select(.name == "incoming") | .children[].name' | sort)" \
		"$( (echo systemd; pid1_sessions before | cut -d' ' -f2) | sort)"
}

@test "at early, before systemd runs, verify cannot tell whether the fd stores came back: exit 2" {
	[ ! -e "$out/early/systemd-version" ] # the stage hook saw no systemd
	[ -e "$out/before/systemd-version" ]
	assert_equal "$(rc early verify)" 2
}

@test "after the kexec, verify of the manifest saved before fdstore-drop emptied its store names exactly what did not come back" {
	run not_back before
	assert_line fdstore-drop.service/drop # removed after that manifest, never carried
	assert_equal "$(jqs after verify '.problems[] | .name' | sort)" "$(not_back before)"
	assert_equal "$(jqs after verify '[.problems[].change] | unique | join(",")')" missing
	assert_equal "$(rc after verify)" 1
}

@test "after the kexec, verify of the manifest saved once fdstore-drop emptied its store exits 0 when every service got its memfds back" {
	grep -q ' - REMOVED$' "$svc/fdstore-drop.store.result"
	assert_equal "$(jqs after verify-dropped '.problems[] | .name' | sort)" "$(not_back dropped)"
	if [ -n "$(not_back dropped)" ]; then
		assert_equal "$(rc after verify-dropped)" 1
	else
		assert_equal "$(rc after verify-dropped)" 0
	fi
}

@test "at early, global gives the kexec count of systemd's mapping: the KExecCount systemd showed before the kexec" {
	want=$(sed -n 's/^KExecCount=//p' "$out/before/kexec-count-prop.out")
	[ -n "$want" ]
	assert_equal "$(jqs early global '.. | objects | select(.name? == "systemd") | .fields.kexec_count')" "$want"
}

@test "at early, global's systemd shutdown falls between the kexec request and the second kernel's start" {
	# Guest wall clocks: the driver's date at systemctl kexec, and the second kernel's start
	# (its date at early less its uptime; the RTC it starts from counts whole seconds).
	req=$(cut -d' ' -f1 "$out/kexec-start")
	boot=$(awk '{ print $1 }' "$out/early/date")
	up=$(cut -d' ' -f1 "$out/early/uptime")
	run jqs early global '.. | objects | select(.name? == "systemd") | .fields |
		"\(.ShutdownStartTimestamp) \(.ShutdownLateFinishTimestamp) \(.shutdown_us)"'
	read -r start end us <<<"$output"
	awk -v req="$req" -v second="$(awk -v b="$boot" -v u="$up" 'BEGIN { printf "%.6f", b - u }')" \
		-v s="$start" -v e="$end" -v us="$us" 'BEGIN {
		s /= 1e6; e /= 1e6
		if (!(s >= req - 1 && s <= e && e <= second + 1 && us > 0 && us / 1e6 <= second + 1 - req)) {
			printf "request %.3f, shutdown %.3f..%.3f (%d us), second kernel %.3f\n", req, s, e, us, second
			exit 1
		} }'
}

@test "after the kexec, PID 1 no longer holds session systemd and sessions no longer lists it" {
	run pid1_sessions after
	refute_output --regexp ' systemd$'
	run jqs after sessions '.tree[].children[].name'
	refute_line systemd
}
