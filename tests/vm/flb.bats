#!/usr/bin/env bats
# FLBs (LUO's file-lifecycle-bound global state) through a real kexec: the test kernel's
# LIVEUPDATE_TEST module registers its FLBs on memfd-v2 and says on the console what happens to
# each ("Registered N FLBs with file handler: [H]", "NAME: preserve was triggered" on the first
# preserved file, "NAME: found flb data from the previous boot" when it retrieves it after the
# kexec, "NAME: finish was triggered" when the last file finishes); the agent's log says how
# many memfds it preserved. Every view is checked against those, live (as captured in the VM)
# and offline from the snapshot saved at the same stage. KT_VM_OUT=OUTDIR of run-cycle.sh.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/sessions/global.json" ] || skip "kho-inspect was not in the VM's initramfs"
	out=$KT_VM_OUT
	KI=${KT_BIN:-$BATS_TEST_DIRNAME/../../build}/kho-inspect
	nfiles=$(grep -c '^FILE ' "$out/sessions/agent.log")
}

# The FLB names the console gives for an event at a stage, sorted.
said() { # STAGE WHAT
	sed -n "s/.*liveupdate test: \([^: ]*\): $2\$/\1/p" "$out/$1/dmesg" | sort -u
}

# The handler the module registered its FLBs with, and how many.
registered() { # STAGE
	sed -n 's/.*liveupdate test: Registered \([0-9]*\) FLBs with file handler: \[\(.*\)\]$/\1 \2/p' \
		"$out/$1/dmesg" | tail -n 1
}

# FLBs of a `global -J` document as "NAME DIRECTION STATE FILES HANDED_OVER HANDLERS", sorted.
flbs() { # FILE
	jq -r '.tree[] | select(.name == "luo") | .children[] | select(.name == "flbs") | .children[]
		| "\(.name) \(.fields | "\(.direction) \(.state) \(.files) \(.files_handed_over // "-") \((.handlers // []) | join(","))")"' \
		"$1" | sort
}

# What global -J must list at a stage: every FLB the console names, in the state it implies.
expect() { # STAGE
	local n handler
	handler=$(registered "$1" | cut -d' ' -f2)
	case $1 in
	sessions)
		for n in $(said sessions 'preserve was triggered'); do
			echo "$n outgoing preserved $nfiles - $handler"
		done ;;
	kexec | retrieved | finished)
		for n in $(said "$1" 'found flb data from the previous boot'); do
			echo "$n outgoing registered 0 - $handler"
			if grep -q "liveupdate test: $n: finish was triggered\$" "$out/$1/dmesg"; then
				echo "$n incoming finished 0 $nfiles $handler"
			else
				echo "$n incoming retrieved $nfiles $nfiles $handler"
			fi
		done ;;
	esac | sort
}

# global -J at a stage, live and from the snapshot saved there, against what the console says.
check_stage() { # STAGE
	local st=$1 want
	want=$(expect "$st")
	[ -n "$want" ] || fail "$st: the console names no FLB"
	[ "$(registered "$st" | cut -d' ' -f1)" = "$(said sessions 'preserve was triggered' | wc -l)" ] ||
		fail "$st: the module registered $(registered "$st") but $(said sessions 'preserve was triggered' | wc -l) were preserved"
	assert_equal "$(flbs "$out/$st/global.json")" "$want"
	"$KI" --root "$out/$st/snapshot.tar" -J global >"$BATS_TEST_TMPDIR/g.json"
	assert_equal "$(flbs "$BATS_TEST_TMPDIR/g.json")" "$want"
}

@test "before the kexec: every FLB the kernel preserved, with the agent's file count" {
	check_stage sessions
}

@test "after the kexec: the FLBs the kernel found, retrieved, with the files handed over" {
	check_stage kexec
	check_stage retrieved
}

@test "after FINISH: every FLB the kernel finished, no file left depending on it" {
	[ "$(said finished 'finish was triggered')" = "$(said sessions 'preserve was triggered')" ]
	check_stage finished
}

@test "the data handle handed over is the one preserved" {
	local before after
	data() { jq -r --arg d "$2" '.. | objects | select(.fields.direction? == $d) | "\(.name) \(.fields.data)"' \
		"$out/$1/global.json" | sort; }
	before=$(data sessions outgoing)
	after=$(data retrieved incoming)
	[ -n "$before" ]
	assert_equal "$after" "$before"
	# The test module's handles are not addresses: nothing preserved there.
	[ "$(jq '[.. | objects | select(.fields.data_preserved? == true)] | length' "$out/sessions/global.json")" = 0 ]
}

@test "handlers and sessions: the FLBs under memfd-v2 and on each of its files" {
	local names handler st
	names=$(said sessions 'preserve was triggered' | paste -sd,)
	handler=$(registered sessions | cut -d' ' -f2)
	for st in sessions retrieved; do
		[ "$(jq -r --arg h "$handler" --arg st "$st" '.tree[] | select(.name == $h) | .fields
			| if $st == "sessions" then .flbs else .flbs_incoming end | sort | join(",")' \
			"$out/$st/handlers.json")" = "$names" ] ||
			fail "$st: handlers.json"
		# Every file of the handler names them (the agent's files are all memfds).
		[ "$(jq -r --arg h "$handler" '[.. | objects | select(.fields.handler? == $h) | .fields.flbs | sort | join(",")]
			| unique | join(" ")' "$out/$st/sessions.json")" = "$names" ] || fail "$st: sessions.json"
		[ "$(jq '[.. | objects | select(.fields.handler? != null and .fields.token? != null)] | length' \
			"$out/$st/sessions.json")" = "$nfiles" ]
	done
}

@test "assert flb, live at every stage: the console's FLBs in the state it implies" {
	for st in sessions kexec retrieved finished; do
		[ "$(cat "$out/$st/assert-flb.rc")" = 0 ] || fail "$st: $(cat "$out/$st/assert-flb.out" "$out/$st/assert-flb.err")"
		assert_equal "$(jq -r '.results | length' "$out/$st/assert-flb.out")" \
			"$(registered "$st" | cut -d' ' -f1)"
	done
}

@test "metrics, manifest and verify carry the FLBs" {
	local n
	for n in $(said sessions 'preserve was triggered'); do
		grep -qx "kho_luo_flb_files{flb=\"$n\",direction=\"out\"} $nfiles" "$out/sessions/metrics.out"
		grep -qx "kho_luo_flb_state{flb=\"$n\",direction=\"in\",state=\"retrieved\"} 1" "$out/retrieved/metrics.out"
	done
	assert_equal "$(jq -r '.flbs[] | "\(.name) \(.files)"' "$out/sessions/manifest.json" | sort)" \
		"$(said sessions 'preserve was triggered' | sed "s/\$/ $nfiles/")"
	grep -q ", $(registered sessions | cut -d' ' -f1) FLB(s)\$" "$out/retrieved/verify.out"
}

@test "luo-top without tracing: FLB rows and the handler's FLBs in its JSON frames" {
	local f=$out/sessions/luo-top.json names
	names=$(said sessions 'preserve was triggered')
	assert_equal "$(tail -n 1 "$f" | jq -r '.flbs[] | select(.direction == "outgoing") | "\(.name) \(.state) \(.files)"' | sort)" \
		"$(sed "s/\$/ preserved $nfiles/" <<<"$names")"
	assert_equal "$(tail -n 1 "$f" | jq -r '.handlers[] | select(.handler == "memfd-v2") | .flbs | sort | join(" ")')" \
		"$(paste -sd' ' <<<"$names")"
}

# The per-call traces run in the standard cycle only; the scale run has none.
need_trace() { # FILE
	[ -f "$1.err" ] || skip "no per-call trace in $out (a scale run, or luo-top missing from the initramfs)"
}

@test "luo-top --trace: each FLB created once by the first preserve, then updated per file" {
	local n
	need_trace "$out/trace.ndjson"
	for n in $(said sessions 'preserve was triggered'); do
		assert_equal "$(jq -r --arg n "$n" 'select(.type == "flb_step" and .flb == $n) | "\(.function) \(.flb_step) \(.files) \(.handler)"' \
			"$out/trace.ndjson")" \
			"$(for i in $(seq "$nfiles"); do
				echo "luo_flb_file_preserve $([ "$i" = 1 ] && echo create || echo update) $i memfd-v2"
			done)"
	done
}

@test "luo-top --trace after the kexec: each FLB finished once, by the last file's finish" {
	local n
	need_trace "$out/trace2.ndjson"
	for n in $(said finished 'finish was triggered'); do
		assert_equal "$(jq -r --arg n "$n" 'select(.type == "flb_step" and .flb == $n and .function == "luo_flb_file_finish")
			| "\(.flb_step) \(.files)"' "$out/trace2.ndjson")" \
			"$(for i in $(seq $((nfiles - 1)) -1 0); do
				echo "$([ "$i" = 0 ] && echo finish || echo update) $i"
			done)"
	done
}
