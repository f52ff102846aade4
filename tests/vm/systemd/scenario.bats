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

@test "before the kexec, the LUOSession= session holds the one memfd luosession-test preserved, under its token" {
	assert_equal "$(session_files before "$(kname)")" "$(ls_token) $(ls_size)"
}

@test "before the kexec, preflight runs and says go: a kexec image is loaded" {
	assert_equal "$(cat "$out/before/kexec_loaded")" 1
	assert_equal "$(rc before preflight)" 0
	assert_equal "$(jqs before preflight .verdict)" go
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

@test "at early, sessions lists the LUOSession= session untouched: one memfd, the service's token and size" {
	assert_equal "$(session_files early "$(kname)")" "$(ls_token) $(ls_size)"
	# Nothing came over but the sessions PID 1 held before and session systemd.
	assert_equal "$(jqs early sessions '.tree[] | select(.name == "incoming") | .children[].name' | sort)" \
		"$( (echo systemd; pid1_sessions before | cut -d' ' -f2) | sort)"
}

@test "at early, verify exits 1 for the memfd FLBs alone: they also count what systemd-shutdown added" {
	# The manifest was saved before systemd-shutdown preserved its memfds and its mapping; the
	# test module's FLBs on memfd-v2 count every memfd, so they alone differ.
	[ -n "$(flbs_found)" ]
	before=$(grep -c ' PRESERVED$' "$svc/luosession-test.store.result")
	assert_equal "$(rc early verify)" 1
	assert_equal "$(jqs early verify '.problems[] | "\(.kind) \(.name) \(.change)"')" \
		"$(flbs_found | sed 's/.*/flb & changed/')"
	assert_equal "$(jqs early verify '.problems[].message' | sed 's/.*: files //' | sort -u)" \
		"$before -> $((before + $(kept) + 1))"
}

@test "after the kexec, verify exits 1 naming the memfd luosession-test retrieved and finished" {
	grep -qx 'finish OK' "$svc/luosession-test.check.result"
	assert_equal "$(rc after verify)" 1
	assert_equal "$(jqs after verify '.problems[] | select(.kind != "flb") | "\(.name) \(.change)"')" \
		"$(kname)/$(ls_token) missing"
	assert_equal "$(jqs after verify '.problems[] | select(.kind == "flb") | .name' | sort)" "$(flbs_found)"
}

@test "after the kexec, PID 1 no longer holds session systemd and sessions no longer lists it" {
	run pid1_sessions after
	refute_output --regexp ' systemd$'
	run jqs after sessions '.tree[].children[].name'
	refute_line systemd
}
