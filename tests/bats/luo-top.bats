#!/usr/bin/env bats
# luo-top on the host: batch and JSON frames on the committed real 7.3 fixtures, sessions
# from a fake /proc, tracing that cannot start here (exit status and reasons), the full
# screen in tmux, and help = man page = completion.

bats_require_minimum_version 1.5.0
load helper

LT=$KT_BIN/luo-top

setup() {
	TMP=$(mktemp -d)
	SOCK=$TMP/tmux.sock
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	chmod -R u+rwX "$TMP" 2>/dev/null || true
	rm -rf "$TMP"
}

# Expected blobs of a fixture stage, "dir name" per line, sorted.
fixture_blobs() {
	local d f
	for d in out in; do
		[ -d "$1/$d" ] || continue
		[ -f "$1/$d/fdt" ] && echo "$d fdt"
		for f in "$1/$d"/sub_fdts/*; do
			[ -f "$f" ] && echo "$d ${f##*/}"
		done
	done | sort
}

# A fake /proc: pid 4242 (kho-agent) holds sessions vm-0 (fd 5) and vm-1 (fd 9), a memfd
# and a pipe; pid 77 holds nothing of interest.
fake_proc() {
	rm -rf "$TMP/proc"
	mkdir -p "$TMP/proc/4242/fd" "$TMP/proc/77/fd" "$TMP/proc/self"
	echo kho-agent >"$TMP/proc/4242/comm"
	echo sh >"$TMP/proc/77/comm"
	ln -s 'anon_inode:[luo_session] vm-0' "$TMP/proc/4242/fd/5"
	ln -s 'anon_inode:[luo_session] vm-1' "$TMP/proc/4242/fd/9"
	ln -s '/memfd:kt-1 (deleted)' "$TMP/proc/4242/fd/6"
	ln -s 'pipe:[1234]' "$TMP/proc/77/fd/1"
	ln -s 'anon_inode:[eventfd]' "$TMP/proc/77/fd/3"
}

# True when this kernel has no KHO/LUO functions at all (the usual build host).
no_kho_functions() {
	! grep -qE ' [tT] (kho_preserve_folio|luo_session_create)$' /proc/kallsyms 2>/dev/null
}

@test "batch: two plain frames on every fixture stage, every section and blob" {
	for st in $(fixture_stages); do
		run --separate-stderr "$LT" -b -n 2 -d 0.05 --root "$FIX/$st" --no-bpf
		assert_success
		[ "$(grep -c '^luo-top - ' <<<"$output")" = 2 ]
		for sec in sessions handlers global functions events; do
			[ "$(grep -c "^\[$sec\]" <<<"$output")" = 2 ] || fail "$st: section [$sec] not in both frames"
		done
		assert_output --partial "tracing off: disabled (--no-bpf)"
		assert_output --partial "KHO snapshot $FIX/$st"
		# Each table starts on a line of its own; each blob line ends with its size.
		[ "$(grep -cE '^DIR +BLOB +FORMAT +SIZE$' <<<"$output")" = 2 ] || fail "$st: blob table titles"
		[ "$(grep -cE '^FLB +DIR +STATE ' <<<"$output")" = 2 ] || fail "$st: FLB table titles"
		while read -r dir name; do
			grep -qE "^$dir +$name +[^ ]+ +[0-9.]+ [KMG]?i?B$" <<<"$output" || fail "$st: blob $dir/$name not listed"
		done < <(fixture_blobs "$FIX/$st")
	done
}

@test "batch -J: one JSON object per frame, key set, blobs and formats of the fixture" {
	for st in $(fixture_stages); do
		run --separate-stderr "$LT" -b -J -n 2 -d 0.05 --root "$FIX/$st" --no-bpf
		assert_success
		[ "${#lines[@]}" = 2 ]
		for i in 0 1; do
			line=${lines[$i]}
			[ "$(jq -r .schema_version <<<"$line")" = 1 ]
			[ "$(jq -r .frame <<<"$line")" = $((i + 1)) ]
			[ "$(jq -c 'keys' <<<"$line")" = \
				'["collect_us","events","flbs","frame","functions","handlers","kho","new_events","schema_version","sessions","sessions_changing","sessions_frame","tracing","uptime_ms"]' ]
			[ "$(jq -c '.tracing | keys' <<<"$line")" = \
				'["active","attached_after_ms","events","events_dropped","loading","per_page","probes_attached","probes_total","status"]' ]
			[ "$(jq -r .kho.available <<<"$line")" = true ]
			[ "$(jq -r .kho.source.kind <<<"$line")" = dir ]
			[ "$(jq -r '.kho.status[0].name' <<<"$line")" = status ]
		done
		diff <(jq -r '.kho.blobs[] | "\(.dir) \(.name)"' <<<"${lines[0]}" | sort) <(fixture_blobs "$FIX/$st") ||
			fail "$st: blob list differs from the fixture"
	done
	# Sizes and decoded formats of one stage, checked against the files themselves.
	run --separate-stderr "$LT" -b -J -n 1 --root "$FIX/kexec" --no-bpf
	assert_success
	[ "$(jqo '.kho.blobs[] | select(.dir == "in" and .name == "fdt") | .format')" = kho-v4 ]
	[ "$(jqo '.kho.blobs[] | select(.dir == "in" and .name == "LUO") | .format')" = luo-v5 ]
	[ "$(jqo '.kho.blobs[] | select(.dir == "in" and .name == "memblock") | .size')" = \
		"$(stat -c %s "$FIX/kexec/in/sub_fdts/memblock")" ]
}

# Live mode on a fixture tree (KHO_TOOLS_DEBUGFS) with a fabricated /proc: the host kernel has
# no LUO in its BTF, so sessions and owners come from the session fds alone.
@test "live sessions come from /proc session fds: name, holder pid, comm and fd" {
	fake_proc
	KHO_TOOLS_DEBUGFS=$FIX/sessions KHO_TOOLS_PROC=$TMP/proc run --separate-stderr "$LT" -b -J -n 1 --no-bpf
	assert_success
	[ "$(jqo '.sessions | length')" = 2 ]
	[ "$(jqo -c '[.sessions[] | [.name, .pid, .comm, .fd, .state]] | sort')" = \
		'[["vm-0",4242,"kho-agent",5,"outgoing"],["vm-1",4242,"kho-agent",9,"outgoing"]]' ]
	[ "$(jqo '.sessions[0].files')" = null ]
	[ "$(jqo -c '.sessions[0].sources')" = '["luo"]' ]
	KHO_TOOLS_DEBUGFS=$FIX/sessions KHO_TOOLS_PROC=$TMP/proc run --separate-stderr "$LT" -b -n 1 --no-bpf
	assert_success
	assert_line --regexp '^vm-0 +4242 kho-agent +5 +- +- outgoing '
	assert_line --regexp '^vm-1 +4242 kho-agent +9 '
}

@test "offline sessions come from the LUO state a saved snapshot carries" {
	run --separate-stderr "$LT" -b -J -n 1 --root "$FIX/saved/sessions.tar" --no-bpf
	assert_success
	want=$("$KI" --root "$FIX/saved/sessions.tar" -J sessions |
		jq -c '[.tree[] | select(.name == "outgoing") | .children[] | [.name, .fields.pid, .fields.files, .fields.bytes]] | sort')
	[ "$(jqo -c '[.sessions[] | [.name, .pid, .files, .bytes]] | sort')" = "$want" ]
	[ "$(jqo '[.sessions[] | .comm] | unique | join(",")')" = kho-agent ]
}

@test "sessions opened, closed or replaced while running show up in later frames" {
	fake_proc
	KHO_TOOLS_DEBUGFS=$FIX/sessions KHO_TOOLS_PROC=$TMP/proc "$LT" -b -J -d 0.2 -n 14 --no-bpf >"$TMP/frames" 2>"$TMP/err" &
	pid=$!
	for i in $(seq 50); do [ -s "$TMP/frames" ] && break; sleep 0.1; done
	# A new fd (the fd set changes), a closed one, and one replaced in place (same fd set:
	# only the periodic full look sees it).
	ln -s 'anon_inode:[luo_session] vm-new' "$TMP/proc/4242/fd/11"
	rm "$TMP/proc/4242/fd/9"
	ln -sfn 'anon_inode:[luo_session] vm-renamed' "$TMP/proc/4242/fd/5"
	wait "$pid"
	[ "$(wc -l <"$TMP/frames")" = 14 ]
	[ "$(tail -n 1 "$TMP/frames" | jq -c '[.sessions[] | [.name, .fd]] | sort')" = '[["vm-new",11],["vm-renamed",5]]' ]
}

@test "no KHO: one line naming the reason, exit 2 (JSON: an error object)" {
	KHO_TOOLS_DEBUGFS=$TMP/nokho run --separate-stderr "$LT" -b -n 1
	assert_failure 2
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ $stderr == "luo-top: "*"KHO is not enabled"* ]]
	KHO_TOOLS_DEBUGFS=$TMP/nokho run --separate-stderr "$LT" -b -J -n 1
	assert_failure 2
	[ "$(jqo .schema_version)" = 1 ]
	jqo .error | grep -q "KHO is not enabled"
	run --separate-stderr "$LT" -b -n 1 --root "$TMP/missing"
	assert_failure 2
	[[ $stderr == "luo-top: $TMP/missing: No such file or directory" ]]
}

@test "--probes lists every function with its state and why it is off; exit 1 when none attach" {
	no_kho_functions || skip "this kernel has KHO/LUO functions: the VM suite covers attaching"
	run --separate-stderr "$LT" --probes
	assert_failure 1
	assert_line --regexp '^fentry: (usable|refused \(E[A-Z]+\)|not permitted \(needs root\)|not tried .*)$'
	assert_line --regexp '^kprobe: (available|unavailable \(no kprobe PMU\)|not permitted \(needs root\))$'
	assert_line --regexp '^tracing off: '
	for f in kho_preserve_folio kho_restore_folio luo_session_create luo_preserve_file memfd_luo_preserve \
		liveupdate_reboot; do
		assert_line --regexp "^$f +- +off +missing in this kernel"
	done
	assert_line --regexp '^memfd_luo_preserve +- +off +missing in this kernel \(static: absent or inlined\)$'
	# The host refuses fentry (EPERM) where the toolchain notes say so; the status repeats it.
	fentry=$(sed -n 's/^fentry: //p' <<<"$output")
	grep '^tracing off: ' <<<"$output" | grep -qF "38 of 38 KHO/LUO functions missing in this kernel; fentry $fentry;" ||
		fail "the status line does not repeat 'fentry $fentry'"

	run --separate-stderr "$LT" --probes -J
	assert_failure 1
	[ "$(jqo .schema_version)" = 1 ]
	[ "$(jqo .active)" = false ]
	[ "$(jqo '.probes | length')" = 38 ]
	[ "$(jqo '[.probes[] | select(.attached)] | length')" = 0 ]
	[ "$(jqo '[.probes[] | select(.reason == null)] | length')" = 0 ]
	[ "$(jqo -c '.probes[0] | keys')" = '["attached","function","kind","reason"]' ]
	[ "$(jqo .fentry)" = "$fentry" ]
}

@test "--probes as non-root: not permitted, exit 1" {
	[ "$(id -u)" = 0 ] || skip "needs root to drop to nobody"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$LT" --probes
	assert_failure 1
	if no_kho_functions; then
		assert_line --regexp '^tracing off: '
	else
		assert_line 'fentry: not permitted (needs root)'
		assert_line --regexp '^tracing off: not permitted'
	fi
}

@test "--trace fails gracefully where nothing can be traced: exit 1, the reason once" {
	no_kho_functions || skip "this kernel has KHO/LUO functions: the VM suite covers tracing"
	run --separate-stderr "$LT" --trace
	assert_failure 1
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" = 1 ]
	[[ $stderr == "luo-top: tracing off: 38 of 38 KHO/LUO functions missing in this kernel; fentry "* ]]
	run --separate-stderr "$LT" --trace -J
	assert_failure 1
	[ "$(jqo .schema_version)" = 1 ]
	jqo .error | grep -q '^tracing off: '
	# The frames still come, with tracing off and why once the probes are loaded.
	frames_until_loaded
	[ "$(tail -n 1 "$TMP/frames" | jq .tracing.active)" = false ]
	tail -n 1 "$TMP/frames" | jq -r .tracing.status |
		grep -q '^off: 38 of 38 KHO/LUO functions missing in this kernel; fentry '
	[ "$(tail -n 1 "$TMP/frames" | jq '.functions | length')" = 0 ]
}

# Batch JSON frames every 0.05 s on a fixture into $TMP/frames, until the first frame whose
# probes are loaded (10 s at most), then SIGTERM; "$@" runs luo-top (setpriv ...).
frames_until_loaded() {
	local pid i
	"$@" "$LT" -b -J -d 0.05 --root "$FIX/boot" >"$TMP/frames" 2>"$TMP/err" &
	pid=$!
	for i in $(seq 200); do
		grep -q '"loading":false' "$TMP/frames" && break
		sleep 0.05
	done
	kill -TERM "$pid"
	wait "$pid" || fail "luo-top exit $?: $(cat "$TMP/err")"
	[ ! -s "$TMP/err" ] || fail "luo-top said: $(cat "$TMP/err")"
}

@test "frames come at once while the probes load, then say why tracing is off (root and not)" {
	local who status
	for who in root nobody; do
		if [ $who = root ]; then
			frames_until_loaded
			status=$("$LT" --probes | sed -n 's/^tracing //p')
		else
			[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || continue
			frames_until_loaded setpriv --reuid=65534 --regid=65534 --clear-groups
			status=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LT" --probes | sed -n 's/^tracing //p')
		fi
		# The first frame did not wait: it says the probes are loading, and since when.
		[ "$(head -n 1 "$TMP/frames" | jq -c '.tracing | [.loading, .active, .attached_after_ms]')" = \
			'[true,false,null]' ] || fail "$who: first frame $(head -n 1 "$TMP/frames" | jq -c .tracing)"
		head -n 1 "$TMP/frames" | jq -r .tracing.status | grep -qE '^loading probes \([0-9]+\.[0-9] s\)$'
		# Loading frames, then one that is not: tracing off, as --probes (which waits) says.
		[ "$(jq -r .tracing.loading "$TMP/frames" | uniq | paste -sd' ')" = "true false" ]
		[ "$(tail -n 1 "$TMP/frames" | jq -c '.tracing | [.active, .attached_after_ms]')" = '[false,null]' ]
		[ -n "$status" ] && [ "$(tail -n 1 "$TMP/frames" | jq -r .tracing.status)" = "$status" ] ||
			fail "$who: last frame $(tail -n 1 "$TMP/frames" | jq -c .tracing), --probes: $status"
	done
	# One frame and out, the probes still loading: exit 0 and nothing else said (a SAN build
	# reports leaks at exit there); the text header says it too.
	run --separate-stderr "$LT" -b -n 1 --root "$FIX/boot"
	assert_success
	[ -z "$stderr" ]
	assert_line --regexp '^luo-top - [0-9.]+s  frame 1  sessions 0  tracing loading probes \(0\.[0-9] s\)$'
	assert_line --regexp '^\(tracing loading probes \(0\.[0-9] s\)\)$'
}

@test "--leftovers: no luo-top program is loaded (bpftool prog list equivalent)" {
	[ "$(id -u)" = 0 ] || skip "listing BPF programs needs root"
	run --separate-stderr "$LT" --leftovers
	assert_success
	assert_line --regexp '^[0-9]+ programs, 0 of luo-top$'
	run --separate-stderr "$LT" --leftovers -J
	assert_success
	[ "$(jqo .luo_top_programs)" = 0 ]
	[ "$(jqo '.list | length')" = "$(jqo .programs)" ]
}

@test "usage errors exit 2" {
	run "$LT" -J
	assert_failure 2
	assert_output --partial "-J needs -b, --trace, --probes or --leftovers"
	run "$LT" -b -d 0
	assert_failure 2
	run "$LT" -b -n x
	assert_failure 2
	run "$LT" -b --trace
	assert_failure 2
	run "$LT" --bogus
	assert_failure 2
	run "$LT" extra
	assert_failure 2
	run "$LT" --no-bpf --probes
	assert_failure 2
	run "$LT" --root "$FIX/boot" --no-bpf </dev/null
	assert_failure 2
	assert_output --partial "needs a terminal"
}

@test "SIGTERM and SIGINT end batch mode cleanly, exit 0" {
	for sig in TERM INT; do
		"$LT" -b -d 0.1 --root "$FIX/boot" --no-bpf >"$TMP/out" 2>"$TMP/err" &
		pid=$!
		sleep 0.5
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" = 0 ] || fail "SIG$sig: exit $rc: $(cat "$TMP/err")"
		grep -q '^luo-top - ' "$TMP/out"
	done
}

# ---- the full screen, in tmux ----------------------------------------------------------

tui_start() {
	command -v tmux >/dev/null || skip "tmux not installed"
	fake_proc
	tmux -S "$SOCK" new-session -d -s lt -x 120 -y 40 \
		"KHO_TOOLS_DEBUGFS=$FIX/kexec KHO_TOOLS_PROC=$TMP/proc $* ; echo \$? >$TMP/rc; sleep 60"
	wait_screen 'luo-top +1 Sessions'
}

screen() {
	tmux -S "$SOCK" capture-pane -p -t lt "$@"
}

# Wait until the screen shows a line matching $1 (extended regexp), up to 10 s.
wait_screen() {
	local i
	for i in $(seq 100); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	screen >&2
	fail "the screen never showed /$1/"
}

keys() {
	tmux -S "$SOCK" send-keys -t lt "$@"
}

wait_exit() {
	local i
	for i in $(seq 100); do
		[ -s "$TMP/rc" ] && return 0
		sleep 0.1
	done
	fail "luo-top did not exit"
}

@test "TUI: every view renders, Tab and 1-5 switch, q exits 0" {
	tui_start "$LT" -d 0.2
	wait_screen '^SESSION\+? +PID +OWNER +FD +FILES +BYTES +STATE'
	wait_screen '^vm-0 +4242 kho-agent'
	# Once the probes are loaded (the first frames say they are loading).
	wait_screen '^tracing off: '
	keys 2
	wait_screen '^HANDLER\+? +SESSIONS +FILES +BYTES +FLBS +PRESERVED +P_BYTES'
	keys 3
	wait_screen '^FLB +DIR +STATE +FILES +HANDED +DATA'
	wait_screen '^in +root kho-v4'
	wait_screen '^in +memblock +memblock-v1 '
	keys 4
	wait_screen '^FUNCTION +PROBE +CALLS +ERR'
	wait_screen 'per-function totals come from tracing, which is off'
	keys 5
	wait_screen '^ *TIME\(s\) +PID +COMM +FUNCTION +SESSION'
	keys Tab
	wait_screen '^SESSION'
	keys BTab
	wait_screen '^ *TIME\(s\)'
	keys q
	wait_exit
	[ "$(cat "$TMP/rc")" = 0 ]
}

@test "TUI without tracing: Handlers and Global from the kernel's FLBs (fabricated kernel)" {
	# tests/unit/test_luo_kernel.c, scene_sessions and scene_handover: three FLBs on memfd-v2,
	# v0 preserved by 6 files; v1 handed over with 3 files, retrieved, 2 left; gone-v9 unclaimed.
	mk=$KT_BIN/tests/unit/test_luo_kernel
	[ -x "$mk" ] || skip "no $mk (make unit-test builds the fixture generator)"
	"$mk" --fixture "$TMP/k" >/dev/null
	tui_start env KHO_TOOLS_BTF="$TMP/k/btf" KHO_TOOLS_KALLSYMS="$TMP/k/kallsyms" KHO_TOOLS_KCORE="$TMP/k/kcore" \
		KHO_TOOLS_IOMEM="$TMP/k/iomem" "$LT" -d 0.2 --no-bpf
	# Wide enough for every FLB name: narrower, the FLBS column is cut first.
	tmux -S "$SOCK" resize-window -t lt -x 240 -y 40
	keys 2
	wait_screen '^memfd-v2 +2 +3 +1\.0 MiB +liveupdate-test-flb-v0,liveupdate-test-flb-v1,liveupdate-test-flb-v2 '
	wait_screen '^iommu-v1 +0 +0 +0 B +liveupdate-test-flb-v2 '
	keys 3
	wait_screen '^liveupdate-test-flb-v0 +out +preserved +6 +- +0xfeedf00dcafebee0 +yes +memfd-v2'
	wait_screen '^liveupdate-test-flb-v1 +in +retrieved +2 +3 +0x1234 +no +memfd-v2'
	wait_screen '^gone-v9 +in +unclaimed +1 +1 +0x99 '
	keys q
	wait_exit
	[ "$(cat "$TMP/rc")" = 0 ]
}

@test "TUI: help opens and closes, sort, filter, pause" {
	tui_start "$LT" -d 0.2
	keys h
	wait_screen 'luo-top keys'
	wait_screen 'q +quit'
	keys x
	for i in $(seq 50); do screen | grep -q 'luo-top keys' || break; sleep 0.1; done
	! screen | grep -q 'luo-top keys'
	# Sessions sorted by name ascending; s moves to PID (numbers: descending), r reverses.
	wait_screen 'sort SESSION asc'
	keys s
	wait_screen 'sort PID desc'
	keys r
	wait_screen 'sort PID asc'
	# Filter the Functions view.
	keys 4 / m e m f d Enter
	wait_screen 'filter "memfd"'
	wait_screen 'rows 5( |$)'
	screen | grep -E '^(kho|luo)_' && fail "unfiltered rows shown"
	keys / Escape
	wait_screen 'rows 38( |$)'
	keys p
	wait_screen 'PAUSED'
	frame=$(screen | sed -n 's/.*frame \([0-9]*\).*/\1/p')
	sleep 0.6
	[ "$(screen | sed -n 's/.*frame \([0-9]*\).*/\1/p')" = "$frame" ]
	keys p
	for i in $(seq 50); do screen | grep -q PAUSED || break; sleep 0.1; done
	! screen | grep -q PAUSED
	keys q
	wait_exit
	[ "$(cat "$TMP/rc")" = 0 ]
}

@test "TUI: a resized window is redrawn to its new size" {
	tui_start "$LT" -d 0.2
	keys 4
	wait_screen '^FUNCTION'
	tmux -S "$SOCK" resize-window -t lt -x 70 -y 16
	wait_screen '^Tab/1-5 view'
	[ "$(screen | wc -l)" = 16 ]
	[ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 70 ]
	screen | grep -qE '^luo-top +1 Sessions'
	tmux -S "$SOCK" resize-window -t lt -x 120 -y 40
	wait_screen '^FUNCTION'
	[ "$(screen | wc -l)" = 40 ]
	keys q
	wait_exit
	[ "$(cat "$TMP/rc")" = 0 ]
}

@test "TUI: colors unless NO_COLOR or --no-color; SIGTERM exits 0" {
	tui_start "$LT" --root "$FIX/boot" -d 0.2
	# SGR 30-37/40-47 are colors; 39/49 only reset to the terminal's defaults.
	screen -e | grep -qE $'\e\\[(3[0-7]|4[0-7])m' || fail "no colors"
	tmux -S "$SOCK" kill-server
	tui_start NO_COLOR=1 "$LT" --root "$FIX/boot" -d 0.2
	screen -e | grep -qE $'\e\\[(3[0-7]|4[0-7])m' && fail "colors despite NO_COLOR"
	tmux -S "$SOCK" kill-server
	tui_start "$LT" --no-color --root "$FIX/boot" -d 0.2
	screen -e | grep -qE $'\e\\[(3[0-7]|4[0-7])m' && fail "colors despite --no-color"
	pkill_pid=$(tmux -S "$SOCK" list-panes -t lt -F '#{pane_pid}')
	kill -TERM "$(pgrep -P "$pkill_pid" -f luo-top | head -n 1)"
	wait_exit
	[ "$(cat "$TMP/rc")" = 0 ]
}

@test "help, man page and bash completion list the same options" {
	run "$LT" --help
	assert_success
	help_opts=$(printf '%s\n' "$output" | grep -oE -- '(^| )--?[a-zA-Z][a-z-]*' | tr -d ' ' | sort -u)
	[ -n "$help_opts" ]
	man=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$BATS_TEST_DIRNAME/../../man/luo-top.8")
	comp=$BATS_TEST_DIRNAME/../../completion/luo-top
	for o in $help_opts; do
		printf '%s\n' "$man" | grep -qE -- "(^|[ \"])$o([ ,\"]|\$)" || fail "man page lacks $o"
		grep -qE -- "[\" ]$o[\" ]" "$comp" || fail "completion lacks $o"
	done
	# And nothing more: every option of the man page's OPTIONS is in the help.
	for o in $(printf '%s\n' "$man" | sed -n '/^\.SH OPTIONS/,/^\.SH JSON/p' | grep -oE -- '^\.(B|BR|BI) --?[a-zA-Z][a-z-]*' | awk '{print $2}'); do
		grep -qx -- "$o" <<<"$help_opts" || fail "help lacks $o"
	done
}
