#!/usr/bin/env bats
# Live reads under churn (the scale run, kt.churn=N): while the agent replaced N sessions
# churn-K continuously, luo-top ran batch frames at 0.2 s and kho-inspect sessions -J ran
# in a loop (tests/vm/init churn_test). Every listing must name only sessions that
# existed (the agent's log) and never more churn sessions than existed at once; a read
# that could not hold says the list was changing.

bats_load_library bats-support
bats_load_library bats-assert

setup() {
	[ -n "${KT_VM_OUT:-}" ] || skip "KT_VM_OUT is not set: run tests/vm/run-cycle.sh OUTDIR first"
	[ -f "$KT_VM_OUT/churn/at-once" ] || skip "no churn test in this run (the scale run has it: make vm-scale)"
	out=$KT_VM_OUT
	d=$out/churn
	at_once=$(cat "$d/at-once")
	# Every session name that ever existed: the held ones and each churn session opened.
	real=$BATS_TEST_TMPDIR/real
	{
		sed -n 's/^SESSION name=\([^ ]*\) .*/\1/p' "$out/sessions/agent.log"
		sed -n 's/^CHURN open name=\([^ ]*\)$/\1/p' "$out/sessions/agent.log"
	} | sort -u >"$real"
}

# real_names WHAT: the names on stdin all existed.
real_names() {
	local n
	n=$(sort | comm -23 - "$real" | head -n 3 | tr '\n' ' ')
	[ -z "$n" ] || fail "$1 lists sessions that never existed: $n"
}

# at_once WHAT: of the live sessions named on stdin, at most $at_once are churn ones.
at_once() {
	local n
	n=$(grep -c '^churn-' || true)
	[ "$n" -le "$at_once" ] || fail "$1 lists $n live churn sessions, at most $at_once existed at once"
}

@test "the churner created and closed sessions while the readers ran" {
	opened=$(grep -c '^CHURN open' "$out/sessions/agent.log")
	[ "$opened" -ge 20 ] || fail "only $opened churn sessions opened"
	grep -q '^CHURN stopped' "$out/sessions/agent.log"
	echo "# churn: $opened sessions opened, $(grep -c '^CHURN close' "$out/sessions/agent.log") closed" >&3
}

@test "kho-inspect sessions -J under churn: exit 0 with a list, or 2 saying the list was changing" {
	held=$(sed -n 's/^SESSION name=\([^ ]*\) .*/\1/p' "$out/sessions/agent.log" | sort)
	ok=0 changing=0
	for rc in "$d"/sessions-*.rc; do
		i=${rc%.rc}
		case $(cat "$rc") in
		0)
			ok=$((ok + 1))
			# A read that held lists every held session.
			got=$(jq -r '.tree[] | select(.name == "outgoing") | .children[].name' "$i.json" |
				grep -v '^churn-' | sort)
			[ "$got" = "$held" ] || fail "${i##*/}: the held sessions are not all listed"
			;;
		2)
			grep -q 'session list was changing: [0-9]* attempts' "$i.err" ||
				fail "${i##*/}: exit 2: $(cat "$i.err")"
			[ "$(jq -r '.tree[] | select(.name == "outgoing") | .fields.changing' "$i.json")" = true ] ||
				fail "${i##*/}: exit 2 without \"changing\": true"
			changing=$((changing + 1))
			;;
		*) fail "${i##*/}: exit $(cat "$rc"): $(cat "$i.err")" ;;
		esac
	done
	[ $((ok + changing)) -ge 10 ]
	echo "# sessions -J: $ok reads held, $changing said the list was changing" >&3
}

@test "kho-inspect sessions -J under churn: only real session names, never more churn sessions than existed" {
	for j in "$d"/sessions-*.json; do
		jq -r '.tree[] | select(.name == "outgoing") | .children[].name' "$j" >"$BATS_TEST_TMPDIR/names"
		real_names "${j##*/}" <"$BATS_TEST_TMPDIR/names"
		at_once "${j##*/}" <"$BATS_TEST_TMPDIR/names"
	done
}

# Traced sessions stay as rows in state "released" (their history): real, not live.
@test "luo-top batch frames at 0.2 s under churn: exit 0, only real sessions, never more live churn ones than existed" {
	[ "$(cat "$d/luo-top.rc")" = 0 ] || fail "luo-top exit $(cat "$d/luo-top.rc"): $(cat "$d/luo-top.err")"
	[ "$(wc -l <"$d/luo-top.ndjson")" -eq 50 ]
	n=0
	while IFS= read -r frame; do
		n=$((n + 1))
		echo "$frame" | jq -r '.sessions[].name' | real_names "frame $n"
		echo "$frame" | jq -r '.sessions[] | select(.state != "released") | .name' | at_once "frame $n"
	done <"$d/luo-top.ndjson"
	changing=$(jq -r 'select(.sessions_changing) | .frame' "$d/luo-top.ndjson" | wc -l)
	echo "# luo-top: $n frames, $changing showed an older read (the list was changing)" >&3
}
