#!/usr/bin/env bats
# The upgrade-script commands as they ran live in the test VM (tests/vm/init, sc_hook), checked
# on the host against what the agent created (its log) and, offline, against the snapshots the
# VM saved. KT_VM_OUT=OUTDIR of tests/vm/run-cycle.sh.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/sessions/preflight.rc" ] || skip "kho-inspect (with preflight) was not in the VM's initramfs"
	out=$KT_VM_OUT
	KI=${KT_BIN:-$BATS_TEST_DIRNAME/../../build}/kho-inspect
	mf=$out/sessions/manifest.json
}

rc() {
	cat "$out/$1.rc"
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

# Whether a stage's stderr says the incoming LUO sessions could not be told (stale header).
cannot_tell() {
	grep -q "in/sub_fdts/LUO is stale" "$out/$1.err"
}

# A strict check of the Prometheus text exposition, line by line: HELP/TYPE before a family's
# samples and once each, families contiguous, name and label charsets, label escapes, float
# values, no series twice, a final newline.
prom_check() {
	[ "$(tail -c 1 "$1" | od -A n -t x1 | tr -d ' ')" = 0a ] || { echo "$1: no final newline"; return 1; }
	awk '
	function bad(msg) { printf "%s:%d: %s: %s\n", FILENAME, NR, msg, $0; err = 1; exit 1 }
	function family(n) {
		if (n == cur) return
		if (n in closed) bad("family reappears after another one")
		if (cur != "") closed[cur] = 1
		cur = n
	}
	/^$/ { bad("empty line") }
	/^# HELP / {
		if ($3 !~ /^kho_[a-zA-Z0-9_:]*$/) bad("bad metric name")
		family($3)
		if (($3 in help) || ($3 in type)) bad("HELP repeated or after TYPE")
		rest = substr($0, length("# HELP " $3 " ") + 1)
		gsub(/\\\\|\\n/, "", rest)
		if (rest ~ /\\/) bad("bad escape in HELP")
		help[$3] = 1
		next
	}
	/^# TYPE / {
		if (NF != 4 || $3 !~ /^kho_[a-zA-Z0-9_:]*$/) bad("bad TYPE line")
		family($3)
		if ($3 in type) bad("TYPE repeated")
		if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/) bad("unknown TYPE")
		if ($4 == "counter" && $3 !~ /_total$/) bad("a counter without _total")
		type[$3] = $4
		next
	}
	/^#/ { bad("a comment that is neither HELP nor TYPE") }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) bad("bad metric name")
		name = substr($0, 1, RLENGTH)
		rest = substr($0, RLENGTH + 1)
		if (name !~ /^kho_/) bad("a name without the kho_ prefix")
		if (!(name in type)) bad("sample before its TYPE")
		family(name)
		labels = ""
		if (substr(rest, 1, 1) == "{") {
			rest = substr(rest, 2)
			while (substr(rest, 1, 1) != "}") {
				if (!match(rest, /^[a-zA-Z_][a-zA-Z0-9_]*="/)) bad("bad label name")
				ln = substr(rest, 1, RLENGTH - 2)
				if (ln ~ /^__/) bad("reserved label name")
				if (index(labels, "," ln "=")) bad("duplicate label")
				rest = substr(rest, RLENGTH + 1)
				if (!match(rest, /^([^"\\\n]|\\[\\"n])*"/)) bad("bad label value")
				labels = labels "," ln "=" substr(rest, 1, RLENGTH - 1)
				rest = substr(rest, RLENGTH + 1)
				if (substr(rest, 1, 1) == "," && substr(rest, 2, 1) != "}")
					rest = substr(rest, 2)
				else if (substr(rest, 1, 1) != "}")
					bad("expected , or } after a label")
			}
			rest = substr(rest, 2)
		}
		if (rest !~ /^ [-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?( -?[0-9]+)?$/ &&
		    rest !~ /^ (NaN|[-+]Inf)( -?[0-9]+)?$/)
			bad("value is not a float")
		if ((name labels) in series) bad("duplicate series")
		series[name labels] = 1
	}
	END {
		if (err) exit 1
		for (n in type) if (!(n in help)) { print FILENAME ": " n ": no HELP"; exit 1 }
		for (n in help) if (!(n in type)) { print FILENAME ": " n ": no TYPE"; exit 1 }
	}' "$1"
}

# The value of one sample line (exact name and labels) in a metrics file.
sample() {
	awk -v k="$2" 'substr($0, 1, length(k) + 1) == k " " { print $2 }' "$out/$1"
}

@test "preflight before the kexec image is loaded: every check but kexec holds, kexec fails" {
	assert_equal "$(rc sessions/preflight-noimage)" 1
	f=sessions/preflight-noimage.out
	[ "$(j $f .verdict)" = no-go ]
	[ "$(j $f '[.checks[] | select(.status == "fail") | .name] | join(",")')" = kexec ]
	[ "$(j $f .unknown)" = 0 ]
	j $f '.checks[] | select(.name == "kexec") | .message' | grep -q "no kexec image loaded"
}

@test "preflight after kho-agent load: go; the agent, its pid and every session named" {
	assert_equal "$(rc sessions/load)" 0
	assert_equal "$(rc sessions/preflight)" 0
	f=sessions/preflight.out
	[ "$(j $f .verdict)" = go ]
	[ "$(j $f '[.checks[] | select(.status == "fail" or .status == "unknown")] | length')" = 0 ]
	for c in debugfs kho luo kcore scratch overlap agent owners shell kexec finalize; do
		[ "$(j $f ".checks[] | select(.name == \"$c\") | .status")" = ok ] || fail "check $c is not ok"
	done
	pid=$(cat "$out/sessions/agent.pid")
	j $f '.checks[] | select(.name == "agent") | .message' | grep -q "^pid $pid (kho-agent, "
	j $f '.checks[] | select(.name == "overlap") | .message' | grep -q "none inside scratch"
	j $f '.checks[] | select(.name == "finalize") | .message' | grep -q "not needed"
	# The sessions the agent left empty are warned about, by name; the others are not.
	empty=$(created | awk '$2 == 0 { print $1 }' | paste -sd, | sed 's/,/, /g')
	if [ -n "$empty" ]; then
		[ "$(j $f '.checks[] | select(.name == "sessions") | .status')" = warn ]
		# Long lists are cut after a few names: what is listed is the start of the list.
		msg=$(j $f '.checks[] | select(.name == "sessions") | .message')
		[[ "$msg" == "$(created | awk '$2 == 0' | wc -l) of $(created | wc -l) session(s) hold no file: "* ]]
		listed=${msg#*: }
		listed=${listed%, ...}
		[[ "$empty" == "$listed"* ]] || fail "preflight lists '$listed', the empty sessions are '$empty'"
	fi
	grep -qE '^go: 0 failed, [0-9]+ warning\(s\), 0 unknown$' "$out/sessions/preflight-text.out"
}

@test "save --manifest before the kexec: exactly the agent's sessions, tokens and sizes" {
	assert_equal "$(rc sessions/manifest)" 0
	jq -e '.schema_version == 1 and .kind == "kho-tools-manifest"' "$mf"
	assert_equal "$(jq -r '.sessions[] | "\(.name) \(.files | length)"' "$mf" | sort)" "$(created)"
	assert_equal "$(jq -r '.sessions[] | .name as $s | .files[] | "\($s) \(.token) \(.size)"' "$mf" | sort)" \
		"$(created_files)"
	[ "$(jq -r '[.sessions[].files[].handler] | unique | join(",")' "$mf")" = memfd-v2 ]
	[ "$(jq -r '.reserve_mem[] | select(.name == "kt_mem") | .size' "$mf")" = 2097152 ]
	# Every outgoing sub-blob, with the size debugfs showed; LUO is rewritten at the reboot.
	for b in "$out"/sessions/kho/out/sub_fdts/*; do
		n=${b##*/}
		[ "$(jq -r ".subtrees[] | select(.name == \"$n\") | .size" "$mf")" = "$(stat -c %s "$b")" ]
	done
	[ "$(jq -r '[.subtrees[] | select(.content == false) | .name] | join(",")' "$mf")" = LUO ]
}

@test "verify after the kexec: everything in the manifest arrived" {
	# With the agent's sessions retrieved, from the kernel's incoming list.
	assert_equal "$(rc retrieved/verify)" 0
	n=$(created | wc -l) files=$(created_files | wc -l)
	assert_equal "$(cat "$out/retrieved/verify.out")" \
		"verified: $n session(s), $files file(s), 1 reserve-mem region(s), $(jq '.subtrees | length' "$mf") subtree(s), $(jq '.flbs | length' "$mf") FLB(s)"
	# Before any retrieve the sessions are in the previous kernel's chains, reachable only through
	# in/sub_fdts/LUO; when LUO has already freed that header (stale), verify cannot tell.
	case $(rc kexec/verify) in
	0) grep -q "^verified: $n session(s), $files file(s)" "$out/kexec/verify.out" ;;
	2) cannot_tell kexec/verify ;;
	*) fail "kexec verify: rc $(rc kexec/verify): $(cat "$out/kexec/verify.out" "$out/kexec/verify.err")" ;;
	esac
}

@test "verify with a manifest claiming a token the agent never preserved: exit 1 naming it" {
	assert_equal "$(rc retrieved/verify-altered)" 1
	run cat "$out/retrieved/verify-altered.out"
	assert_line --index 0 --regexp '^missing file vm-0 token=4000000001 \(memfd-v2, [0-9.]+ [KMG]iB\)$'
	assert_line --index 1 "verify: 1 problem(s)"
	assert_equal "${#lines[@]}" 2
	case $(rc kexec/verify-altered) in
	1) grep -qx "missing file vm-0 token=4000000001 .*" "$out/kexec/verify-altered.out" ;;
	2) cannot_tell kexec/verify-altered ;;
	*) fail "rc $(rc kexec/verify-altered)" ;;
	esac
}

@test "verify offline on the snapshots the VM saved: the same answers" {
	run "$KI" --root "$out/retrieved/snapshot.tar" verify "$mf"
	assert_success
	run "$KI" --root "$out/retrieved/snapshot.tar" verify "$out/retrieved/manifest-altered.json"
	assert_failure 1
	assert_line --index 0 --partial "missing file vm-0 token=4000000001 "
	run "$KI" --root "$out/kexec/snapshot.tar" -J verify "$mf"
	if [ "$status" = 2 ]; then
		skip "the kexec capture's in/sub_fdts/LUO was stale: serialized sessions not saved"
	fi
	assert_success
	[ "$(printf '%s' "$output" | jq .failed)" = 0 ]
}

@test "after FINISH the sessions are gone: verify names every one missing, or cannot tell" {
	case $(rc finished/verify) in
	1)
		for s in $(created | cut -d' ' -f1); do
			grep -q "^missing session $s " "$out/finished/verify.out" || fail "$s not named"
		done
		;;
	2) cannot_tell finished/verify ;;
	*) fail "rc $(rc finished/verify)" ;;
	esac
}

@test "assert live at every stage: the predicates hold, failures are named with what was seen" {
	assert_equal "$(rc sessions/assert)" 0
	[ "$(j sessions/assert.out .failed)" = 0 ]
	[ "$(j sessions/assert.out '.results | length')" = 8 ]
	assert_equal "$(rc sessions/assert-fail)" 1
	assert_equal "$(cat "$out/sessions/assert-fail.out")" \
		"EXPR=\"session vm-0 files=999\" RESULT=\"FAIL\" SEEN=\"files=$(created | awk '$1 == "vm-0" { print $2 }')\"
EXPR=\"incoming\" RESULT=\"FAIL\" SEEN=\"no in/ (not started by a KHO kexec)\""
	assert_equal "$(rc kexec/assert)" 0
	assert_equal "$(rc retrieved/assert)" 0
	[ "$(j retrieved/assert.out '.results[0].seen')" = "state=retrieved" ]
	case $(rc finished/assert) in
	0) ;;
	2) cannot_tell finished/assert ;;
	*) fail "finished assert: $(cat "$out/finished/assert.out")" ;;
	esac
}

@test "sessions as a raw table live: every session at the fd the agent holds it by, every file's token and size" {
	[ -f "$out/sessions/sessions-table.out" ] || skip "no sessions table captured"
	assert_equal "$(rc sessions/sessions-table)" 0
	# The agent's log: "SESSION name=N index=I fd=F files=K", then "FILE session=N token=T size=S".
	assert_equal "$(cat "$out/sessions/sessions-table.out")" \
		"$(awk 'function flush(i) { if (name == "") return; print "session " name " " fd "  " sum
				for (i = 0; i < nf; i++) print files[i] }
			/^SESSION / { flush(); split($2, n, "="); split($4, f, "="); name = n[2]; fd = f[2]; sum = nf = 0 }
			/^FILE / { split($3, t, "="); split($4, z, "="); files[nf++] = "file " t[2] "  " t[2] " " z[2]; sum += z[2] }
			END { flush() }' "$out/sessions/agent.log")"
}

@test "finalize/abort on the 7.3 kernel: no control, exit 2, one line pointing at preflight" {
	for f in sessions/finalize sessions/abort kexec/finalize; do
		assert_equal "$(rc $f)" 2
		[ ! -s "$out/$f.out" ]
		[ "$(wc -l <"$out/$f.err")" = 1 ]
		grep -q "no KHO finalize control.*kho-inspect preflight" "$out/$f.err"
	done
	[ ! -e "$out/sessions/kho/out/finalize" ]
}

@test "metrics live: a valid exposition whose values are the agent's" {
	for st in sessions kexec retrieved; do
		assert_equal "$(rc $st/metrics)" 0
		prom_check "$out/$st/metrics.out"
	done
	n=$(created | wc -l) files=$(created_files | wc -l) bytes=$(created_files | awk '{ s += $3 } END { print s }')
	[ "$(sample sessions/metrics.out kho_enabled)" = 1 ]
	[ "$(sample sessions/metrics.out kho_incoming)" = 0 ]
	[ "$(sample sessions/metrics.out 'kho_luo_sessions{state="outgoing"}')" = "$n" ]
	[ "$(sample sessions/metrics.out 'kho_luo_files{handler="memfd-v2",direction="out"}')" = "$files" ]
	[ "$(sample sessions/metrics.out 'kho_luo_file_bytes{handler="memfd-v2",direction="out"}')" = "$bytes" ]
	[ "$(sample sessions/metrics.out 'kho_preserved_bytes{direction="out"}')" -ge "$bytes" ]
	[ "$(sample sessions/metrics.out kho_kexecs_total)" = 0 ]
	[ "$(sample kexec/metrics.out kho_kexecs_total)" = 1 ]
	[ "$(sample kexec/metrics.out kho_luo_live_updates_total)" = 1 ]
	[ "$(sample retrieved/metrics.out 'kho_luo_sessions{state="retrieved"}')" = "$n" ]
	[ "$(sample retrieved/metrics.out 'kho_luo_files{handler="memfd-v2",direction="in"}')" = "$files" ]
}
