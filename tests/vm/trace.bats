#!/usr/bin/env bats
# luo-top's BPF tracing in the test kernel, read on the host from a run-cycle output
# (KT_VM_OUT=OUTDIR): the init's luo-top hook traced stage 1 with fentry/fexit into
# trace.ndjson (sessions created, memfds preserved) and stage 2 with the kprobe/kretprobe
# fallback into trace2.ndjson (retrieve, finish, release).
# The agent's own log says what really happened; every traced call is checked against it.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/result" ] || skip "$KT_VM_OUT holds no run-cycle output"
	out=$KT_VM_OUT
	[ -f "$out/sessions/luo-top.rc" ] || skip "luo-top was not in the initramfs (make build/luo-top)"
	t1=$out/trace.ndjson
	t2=$out/trace2.ndjson
	create_log=$out/sessions/agent.log
	retrieve_log=$out/finished/agent.log
}

# The per-call traces run in the standard cycle; the scale run (over 64 sessions) has none.
need_trace() {
	[ -f "$t1.err" ] || skip "no per-call trace in $out (a scale run, or luo-top missing from the initramfs)"
}

# Value of key=$2 on a record line $1 of the agent's output.
field() {
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

# Traced calls of function $2 in trace file $1, as compact JSON lines.
calls() {
	jq -c --arg f "$2" 'select(.type == "event" and .function == $f)' "$1"
}

skip_token() {
	sed -n 's/.*kt.skip=\([0-9]*\).*/\1/p' "$out/kexec/cmdline" 2>/dev/null
}

@test "--probes: every 7.3 function attaches as a kprobe too; 6.x-only ones are missing; per-page off by default" {
	need_trace
	# fentry: the traces below attach all 36 with --pages; here every one as a kprobe too.
	for f in "$out/boot/luo-top-probes-kprobe.json"; do
		kind=kprobe
		assert_equal "$(jq .active "$f")" true
		assert_equal "$(jq .fentry "$f")" '"usable"'
		assert_equal "$(jq .kprobe "$f")" '"available"'
		assert_equal "$(jq -r '.probes | length' "$f")" 38
		assert_equal "$(jq -r --arg k $kind '[.probes[] | select(.attached and .kind == $k)] | length' "$f")" 36
		run jq -r '.probes[] | select(.attached | not) | "\(.function): \(.reason)"' "$f"
		assert_output "kho_finalize: missing in this kernel (static: absent or inlined)
kho_abort: missing in this kernel (static: absent or inlined)"
	done
	run jq -r '[.probes[] | select(.attached) | .reason] | unique | .[]' "$out/boot/luo-top-probes-kprobe.json"
	assert_output "kprobe requested (--kprobe)"
	# Without --pages the six per-page functions stay off, and say why.
	f=$out/boot/luo-top-probes.json
	assert_equal "$(jq -r '.status' "$f")" "on: 30 of 38 probes attached (fentry 30, kprobe 0; per-page probes off: --pages)"
	run jq -r '.probes[] | select(.reason == "per-page probe: off unless --pages") | .function' "$f"
	assert_output "kho_preserve_folio
kho_unpreserve_folio
kho_preserve_pages
kho_unpreserve_pages
kho_restore_folio
kho_restore_pages"
}

@test "the traces attached all 36 (fentry before the kexec, kprobes after) and left nothing behind" {
	need_trace
	for t in "$t1" "$t2"; do
		run cat "$t.err"
		# kho_finalize/kho_abort are gone since 7.x: 36 of the 38.
		if [ "$t" = "$t1" ]; then
			assert_line "luo-top: tracing on: 36 of 38 probes attached (fentry 36, kprobe 0)"
		else
			assert_line "luo-top: tracing on: 36 of 38 probes attached (fentry 0, kprobe 36)"
		fi
		assert_line "luo-top: detached 72 links"
		assert_equal "$(cat "$t.rc")" 0
		# luo-top --leftovers after it exited: no program of ours in the kernel.
		run tail -n 1 "$t.progs"
		assert_output --regexp '^[0-9]+ programs, 0 of luo-top$'
		assert_equal "$(cat "$t.progs.rc")" 0
	done
}

@test "the stream is complete: no drop, and the exact totals equal the events counted" {
	need_trace
	for t in "$t1" "$t2"; do
		run jq -c 'select(.type == "summary")' "$t"
		assert [ "${#lines[@]}" = 1 ]
		summary=${lines[0]}
		assert_equal "$(jq .events_dropped <<<"$summary")" 0
		assert_equal "$(jq .events <<<"$summary")" "$(grep -c '"type":"event"' "$t")"
		assert_equal "$(jq .flb_steps <<<"$summary")" "$(grep -c '"type":"flb_step"' "$t")"
		diff <(jq -r '.functions[] | "\(.function) \(.count)"' <<<"$summary" | sort) \
			<(jq -r 'select(.type == "event") | .function' "$t" | sort | uniq -c | awk '{print $2, $1}') ||
			fail "$t: per-function totals differ from the events"
		run jq -c 'select(.type == "event" and .error)' "$t"
		assert_output ""
	done
}

@test "one luo_session_create per session, with its name, by the agent" {
	need_trace
	local want got
	want=$(grep '^SESSION ' "$create_log" | while read -r l; do field "$l" name; done | sort)
	got=$(calls "$t1" luo_session_create | jq -r '.session' | sort)
	assert [ -n "$want" ]
	assert_equal "$got" "$want"
	run calls "$t1" luo_session_create
	for l in "${lines[@]}"; do
		assert_equal "$(jq -r '[.ret, .comm, .latency_ns > 0] | @tsv' <<<"$l")" "$(printf '0\tkho-agent\ttrue')"
	done
}

@test "one luo_preserve_file and one memfd_luo_preserve per memfd: session, token, memfd-v2, size" {
	need_trace
	local line s tok size n=0
	while read -r line; do
		s=$(field "$line" session) tok=$(field "$line" token) size=$(field "$line" size)
		for fn in luo_preserve_file memfd_luo_preserve; do
			run jq -c --arg f "$fn" --arg s "$s" --argjson t "$tok" \
				'select(.type == "event" and .function == $f and .token == $t)' "$t1"
			assert [ "${#lines[@]}" = 1 ]
			assert_equal "$(jq -r '[.session, .handler, .bytes, .ret] | @tsv' <<<"${lines[0]}")" \
				"$(printf '%s\tmemfd-v2\t%s\t0' "$s" "$size")"
		done
		n=$((n + 1))
	done < <(grep '^FILE ' "$create_log")
	assert [ "$n" -gt 0 ]
	assert_equal "$(calls "$t1" luo_preserve_file | wc -l)" "$n"
}

@test "each memfd's pages were preserved: folio bytes under its token cover its size" {
	need_trace
	local line s tok size bytes folios kho
	while read -r line; do
		s=$(field "$line" session) tok=$(field "$line" token) size=$(field "$line" size)
		# Data folios (order 0: 4 KiB each, or fewer larger ones) plus the handler's own pages.
		bytes=$(jq -s --argjson t "$tok" \
			'[.[] | select(.type == "event" and .function == "kho_preserve_folio" and .token == $t) | .bytes] | add // 0' "$t1")
		folios=$(jq -s --argjson t "$tok" \
			'[.[] | select(.type == "event" and .function == "kho_preserve_folio" and .token == $t)] | length' "$t1")
		[ "$bytes" -ge "$size" ] || fail "token $tok: $bytes bytes of folios preserved for a $size-byte memfd"
		[ "$folios" -le $((size / 4096 + 2)) ] || fail "token $tok: $folios folios for $size bytes"
		# The per-file total (kho_bytes) adds up everything under the call, and is exact.
		kho=$(calls "$t1" luo_preserve_file | jq --argjson t "$tok" 'select(.token == $t) | .kho_bytes')
		[ "$kho" -ge "$bytes" ] || fail "token $tok: luo_preserve_file kho_bytes $kho < folio bytes $bytes"
		# Nothing of this token was attributed to another session.
		run jq -r --argjson t "$tok" 'select(.type == "event" and .token == $t) | .session' "$t1"
		assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" "$s"
	done < <(grep '^FILE ' "$create_log")
}

@test "after the kexec: one retrieve per session and per memfd, then finish, then release" {
	need_trace
	local line s tok size skip want got
	skip=$(skip_token)
	want=$(grep '^SESSION ' "$create_log" | while read -r l; do field "$l" name; done | sort)
	for fn in luo_session_retrieve luo_session_finish luo_session_release; do
		got=$(calls "$t2" "$fn" | jq -r 'select(.ret == 0) | .session' | sort)
		assert_equal "$got" "$want"
	done
	while read -r line; do
		s=$(field "$line" session) tok=$(field "$line" token) size=$(field "$line" size)
		if [ "$tok" = "$skip" ]; then
			assert_equal "$(calls "$t2" luo_retrieve_file | jq --argjson t "$tok" 'select(.token == $t)' | wc -c)" 0
			continue
		fi
		for fn in luo_retrieve_file memfd_luo_retrieve; do
			run jq -c --arg f "$fn" --argjson t "$tok" \
				'select(.type == "event" and .function == $f and .token == $t)' "$t2"
			assert [ "${#lines[@]}" = 1 ]
			assert_equal "$(jq -r '[.session, .handler, .bytes, .ret] | @tsv' <<<"${lines[0]}")" \
				"$(printf '%s\tmemfd-v2\t%s\t0' "$s" "$size")"
		done
		# Restored pages under the retrieve cover the file.
		bytes=$(jq -s --argjson t "$tok" \
			'[.[] | select(.type == "event" and .function == "kho_restore_folio" and .token == $t) | .bytes] | add // 0' "$t2")
		[ "$bytes" -ge "$size" ] || fail "token $tok: $bytes bytes restored for a $size-byte memfd"
		# Finish names the file it finishes (the file set's tail), retrieved or not.
		run jq -c --argjson t "$tok" 'select(.type == "event" and .function == "memfd_luo_finish" and .token == $t)' "$t2"
		assert [ "${#lines[@]}" = 1 ]
		assert_equal "$(jq -r .session <<<"${lines[0]}")" "$s"
	done < <(grep '^FILE ' "$create_log")
}

@test "luo-top -b -J at the sessions stage: two frames, the agent's sessions from /proc" {
	local f=$out/sessions/luo-top.json want
	assert_equal "$(cat "$out/sessions/luo-top.rc")" 0
	assert_equal "$(wc -l <"$f")" 2
	want=$(grep '^SESSION ' "$create_log" | while read -r l; do field "$l" name; done | sort)
	for i in 0 1; do
		line=$(sed -n "$((i + 1))p" "$f")
		assert_equal "$(jq .frame <<<"$line")" $((i + 1))
		assert_equal "$(jq .tracing.active <<<"$line")" true
		assert_equal "$(jq -r '.sessions[].name' <<<"$line" | sort)" "$want"
		assert_equal "$(jq -r '[.sessions[] | .comm] | unique | .[]' <<<"$line")" kho-agent
		assert_equal "$(jq -r '[.sessions[] | .pid] | unique | .[]' <<<"$line")" "$(cat "$out/sessions/agent.pid")"
		assert_equal "$(jq -r '.kho.available' <<<"$line")" true
	done
}

@test "a second, concurrent luo-top --trace (fentry, text lines) saw the same calls after the kexec" {
	need_trace
	local t=$out/trace2.txt line s tok size
	[ -f "$t.err" ] || skip "no text trace in $out"
	run cat "$t.err"
	assert_line "luo-top: tracing on: 30 of 38 probes attached (fentry 30, kprobe 0; per-page probes off: --pages)"
	assert_line "luo-top: detached 60 links"
	assert_equal "$(cat "$t.rc")" 0
	assert_equal "$(tail -n 1 "$t.progs")" "$(tail -n 1 "$t2.progs")"
	run head -n 1 "$t"
	assert_output --regexp '^ *TIME\(s\) +PID +COMM +FUNCTION +SESSION +HANDLER +TOKEN +BYTES +KHO_BYTES +RET +LAT\(us\)$'
	# Every call and FLB step but the per-page calls, which only the --pages trace has.
	assert_equal "$(($(wc -l <"$t") - 1))" \
		"$(jq -r 'select(.type == "event" or .type == "flb_step") | .function' "$t2" |
			grep -cvE '^kho_(un)?(preserve|restore)_(folio|pages)$')"
	while read -r line; do
		s=$(field "$line" session) tok=$(field "$line" token) size=$(field "$line" size)
		[ "$tok" = "$(skip_token)" ] && continue
		run awk -v s="$s" -v t="$tok" '$4 == "luo_retrieve_file" && $5 == s && $7 == t { print $6, $8, $10 }' "$t"
		assert_output "memfd-v2 $size 0"
	done < <(grep '^FILE ' "$create_log")
}
