#!/usr/bin/env bats
# luo-top's BPF tracing in the test kernel, read on the host from a run-cycle output
# (KT_VM_OUT=OUTDIR): the init's luo-top hook traced stage 1 with fentry/fexit into
# trace.ndjson (sessions created, memfds preserved) and stage 2 with the kprobe/kretprobe
# fallback into trace2.ndjson (retrieve, finish, release).
# The agent's own log says what really happened; every traced call is checked against it.
# At the sessions stage luo-top -b -J ran too (luo-top.json): its first frames came while its
# probes loaded in the background, then tracing was on.

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

@test "luo-top -b -J at the sessions stage: frames 1, 2, ..., each with the agent's sessions from /proc" {
	local f=$out/sessions/luo-top.json want line i=0
	assert_equal "$(cat "$out/sessions/luo-top.rc")" 0
	want=$(grep '^SESSION ' "$create_log" | while read -r l; do field "$l" name; done | sort)
	while read -r line; do
		i=$((i + 1))
		assert_equal "$(jq .frame <<<"$line")" $i
		assert_equal "$(jq -r '.sessions[].name' <<<"$line" | sort)" "$want"
		assert_equal "$(jq -r '[.sessions[] | .comm] | unique | .[]' <<<"$line")" kho-agent
		assert_equal "$(jq -r '[.sessions[] | .pid] | unique | .[]' <<<"$line")" "$(cat "$out/sessions/agent.pid")"
		assert_equal "$(jq -r '.kho.available' <<<"$line")" true
	done <"$f"
	assert [ "$i" -ge 3 ]
}

# The init's lt_frames ran `luo-top -b -d 0.5 -J` until two or more frames said the probes were loaded,
# and noted from outside luo-top when its first frame and its first loaded one came out
# (luo-top.times, guest uptime) and which fds it held then (luo-top.fds-*).
@test "luo-top -b -J: frames every 0.5 s from the start while the probes load, then tracing on and its attach time" {
	local f=$out/sessions/luo-top.json b=$out/sessions/luo-top l n up active after fns status
	local loading_up on_up on_after start first on
	# Loading frames, then loaded ones; never back.
	assert_equal "$(jq -r .tracing.loading "$f" | uniq | paste -sd' ')" "true false"
	assert [ "$(jq -r .tracing.loading "$f" | grep -c false)" -ge 2 ]
	assert_equal "$(head -n 1 "$f" | jq -c '.tracing | [.loading, .active, .attached_after_ms]')" '[true,false,null]'
	# While loading: said so, no functions.
	run jq -r 'select(.tracing.loading) | [.frame, .uptime_ms, .tracing.active, (.tracing.attached_after_ms | tostring),
		(.functions | length), .tracing.status] | @tsv' "$f"
	for l in "${lines[@]}"; do
		IFS=$'\t' read -r n up active after fns status <<<"$l"
		assert_equal "$active $after $fns" "false null 0"
		[[ $status =~ ^loading\ probes\ \([0-9]+\.[0-9]\ s\)$ ]] || fail "frame $n: status '$status'"
		loading_up=$up
	done
	# None waited for the probes: frame 1 in its 0.5 s, and frame n at (n - 1) * 0.5 s, or as soon
	# as frame n - 1 was collected when that took longer (250 ms for printing it and scheduling).
	assert [ "$(head -n 1 "$f" | jq .uptime_ms)" -lt 500 ]
	run jq -sc '[range(1; length) as $i | .[$i - 1] as $p | .[$i] | select(.tracing.loading)
		| {frame, uptime_ms, due: ([$i * 500, $p.uptime_ms + $p.collect_us / 1000] | max)}
		| select(.uptime_ms > .due + 250)]' "$f"
	assert_output "[]"
	# Loaded: tracing on, the status with the attach time, which is after the last loading frame was
	# made and before the first loaded one. (The load's end is measured just before it is handed
	# over: 100 ms for a loader thread paused between the two.)
	run jq -r 'select(.tracing.loading | not) | [.uptime_ms, .tracing.active, .tracing.probes_attached,
		.tracing.attached_after_ms, (.functions | length), .tracing.status] | @tsv' "$f"
	IFS=$'\t' read -r on_up active n on_after fns status <<<"${lines[0]}"
	assert_equal "$active $n $fns" "true 30 38"
	[[ $status =~ ^on:\ 30\ of\ 38\ probes\ attached\ \(fentry\ 30,\ kprobe\ 0\;\ per-page\ probes\ off:\ --pages\)\ in\ ([0-9]+\.[0-9])\ s$ ]] ||
		fail "status '$status'"
	awk -v s="${BASH_REMATCH[1]}" -v ms="$on_after" 'BEGIN { d = s - ms / 1000; exit !(d < 0.051 && d > -0.051) }' ||
		fail "the status says ${BASH_REMATCH[1]} s, attached_after_ms $on_after"
	[ "$on_after" -gt 0 ] && [ "$on_after" -ge $((loading_up - 100)) ] && [ "$on_after" -le $((on_up + 100)) ] ||
		fail "attached after $on_after ms; last loading frame at $loading_up ms, first loaded at $on_up ms"
	assert_equal "$(sed -n 2p <<<"$output" | cut -f4)" "$on_after"
	# From outside luo-top: its first frame was out before it says the probes were attached, and
	# the loaded frame after (luo-top's clock starts once it runs, after "start"; /proc/uptime
	# counts in 10 ms).
	start=$(sed -n 's/^start //p' "$b.times") first=$(sed -n 's/^first //p' "$b.times") on=$(sed -n 's/^on //p' "$b.times")
	awk -v s="$start" -v f="$first" -v o="$on" -v a="$on_after" 'BEGIN { exit !((f - s) * 1000 < a && (o - s) * 1000 + 10 >= a) }' ||
		fail "started at $start, first frame seen at $first, loaded one at $on; attached after $on_after ms"
	# The kernel: no BPF link while the first frame was out; one per entry and exit program of
	# each attached probe when the loaded one was.
	assert_equal "$(grep -c 'anon_inode:bpf_link' "$b.fds-first")" 0
	assert_equal "$(grep -c 'anon_inode:bpf_link' "$b.fds-on")" 60
}

@test "luo-top -b -n 1 ends with its one frame, sooner than the probes take to attach" {
	local b=$out/sessions/luo-top-once start end after framed
	assert_equal "$(cat "$b.rc")" 0
	assert_equal "$(cat "$b.err")" ""
	assert_equal "$(wc -l <"$b.json")" 1
	assert_equal "$(jq -c '.tracing | [.loading, .active]' "$b.json")" '[true,false]'
	# Not joining a loader thread still at work: the whole run took less time than the probes
	# of the run after it needed to attach (lt_frames, same kernel, same stage), and at most
	# 3 s (starting, printing, exiting) more than its frame says it took to get there.
	start=$(sed -n 's/^start //p' "$b.times") end=$(sed -n 's/^end //p' "$b.times")
	after=$(jq -s 'map(.tracing.attached_after_ms | values) | first' "$out/sessions/luo-top.json")
	awk -v s="$start" -v e="$end" -v a="$after" 'BEGIN { exit !((e - s) * 1000 < a) }' ||
		fail "luo-top -b -n 1 ran from $start to $end; the other run's probes attached after $after ms"
	framed=$(jq '.uptime_ms + .collect_us / 1000' "$b.json")
	awk -v s="$start" -v e="$end" -v f="$framed" 'BEGIN { exit !((e - s) * 1000 < f + 3000) }' ||
		fail "luo-top -b -n 1 ran from $start to $end; its frame was collected $framed ms after its start"
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
