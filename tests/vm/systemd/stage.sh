#!/bin/sh
# shellcheck shell=dash
# stage.sh STAGE: capture one stage of the systemd scenario into /mnt/STAGE/ (the 9p share).
#   before  first boot, systemd up, both test services started and their stores filled;
#           the kexec image is loaded (driver.sh), systemctl kexec comes next
#   early   second boot, from /init before systemd: the incoming LUO sessions untouched
#   after   second boot, systemd up, the services restarted and their results written
#   dropped first boot, after "before": fdstore-drop emptied its store; only date, the
#           stores (fdstore-units.show, dbus-fdstore) and the tools
# Saved: kho/ (a copy of /sys/kernel/debug/kho), cmdline, uname, uptime, date, dmesg,
# kexec_loaded (/sys/kernel/kexec_loaded), proc1-fds (PID 1's fds and their links); with
# systemd running also systemd-version, fdstore-UNIT.* (systemd-analyze fdstore),
# fdstore-units.show (every service's fd store settings), dbus-fdstore.* (the D-Bus call
# behind it for every non-empty store, on PID 1's private socket; busctl-*: what busctl makes
# of it), units.show, manager.show, kexec-count (its KExec properties), kexec-count-prop.*
# (systemctl show -p KExecCount), status.txt, failed.txt, journal.txt, UNIT-fds and UNIT-env
# (the services' fds and LISTEN_* variables) and the services' result files (UNIT.result);
# then every tool command of TOOLS below, each into NAME.out, NAME.err, NAME.rc, NAME.seconds.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# copy_tree and fd_links (run-systemd.sh puts common.sh beside this script).
. "$(dirname "$0")/common.sh"

# Tool commands: NAME STAGES COMMAND...; STAGES is "all" (before, early, after) or a comma
# list of stages; @D@ is the stage directory. One line each; add lines to run more.
TOOLS='
inspect    all           kho-inspect -J
sessions   all           kho-inspect sessions -J
global     all           kho-inspect global -J
preflight  all           kho-inspect preflight -J
preflight-accept before  kho-inspect preflight -J --accept-loss fdstore-test.service:evt --accept-loss fdstore-volatile.service
save       all           kho-inspect save -o @D@/snap.tar
manifest   before        kho-inspect save --manifest /mnt/manifest.json
manifest-dropped dropped kho-inspect save --manifest /mnt/manifest-dropped.json
verify     early,after   kho-inspect verify /mnt/manifest.json -J
verify-dropped after     kho-inspect verify /mnt/manifest-dropped.json -J
'
TOOL_TIMEOUT=300
UNITS="fdstore-test.service fdstore-volatile.service fdstore-drop.service luosession-test.service"

[ $# -eq 1 ] || { echo "usage: stage.sh before|early|after" >&2; exit 2; }
stage=$1
d=/mnt/$stage
say() { echo "kt-stage: $*"; }
mkdir -p "$d" || exit 1
say "capture $stage"

# run NAME CMD...: stdout, stderr, exit status and wall time of one command.
run() {
	local name="$1" t0 rc
	shift
	t0=$(date +%s.%N)
	timeout "$TOOL_TIMEOUT" "$@" >"$d/$name.out" 2>"$d/$name.err"
	rc=$?
	echo "$rc" >"$d/$name.rc"
	echo "$t0 $(date +%s.%N)" | awk '{ printf "%.2f\n", $2 - $1 }' >"$d/$name.seconds"
	return 0
}

date +%s.%N >"$d/date"
cat /proc/uptime >"$d/uptime"
if [ "$stage" = dropped ]; then
	: # a short one: the stores and the tools
elif [ -d /sys/kernel/debug/kho ]; then
	copy_tree /sys/kernel/debug/kho "$d/kho"
else
	say "no /sys/kernel/debug/kho"
fi
cat /proc/cmdline >"$d/cmdline"
uname -r >"$d/uname"
cat /sys/kernel/kexec_loaded >"$d/kexec_loaded"
dmesg >"$d/dmesg" 2>&1
fd_links 1 "$d/proc1-fds"

# The fd stores: every service's settings and, through D-Bus, the fds of every non-empty one.
capture_stores() {
	systemctl show -p Id -p NFileDescriptorStore -p FileDescriptorStoreMax \
		-p FileDescriptorStorePreserve -p LUOSession '*.service' >"$d/fdstore-units.show" 2>&1
	# One paragraph per unit, its properties in systemd's order, not ours.
	stores=$(awk 'BEGIN { RS = ""; FS = "\n" } {
		id = ""; n = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^Id=/) id = substr($i, 4)
			if ($i ~ /^NFileDescriptorStore=/) n = substr($i, 22) + 0
		}
		if (n > 0) print id }' "$d/fdstore-units.show")
	# shellcheck disable=SC2086 # a list of unit names
	run dbus-fdstore kt-fdstore-dump $stores
}

# Only when systemd is PID 1 (not in "early").
if [ "$stage" = dropped ]; then
	capture_stores
elif [ -d /run/systemd/system ]; then
	systemctl --version >"$d/systemd-version" 2>&1
	for u in $UNITS; do
		n=${u%.service}
		run "fdstore-$n" systemd-analyze fdstore "$u"
		# The D-Bus call behind it. busctl tries the system bus (there is no dbus-daemon
		# here) or, given PID 1's private socket, says Hello there, which that socket does
		# not answer: both fail, kept to show it. kt-fdstore-dump connects directly.
		run "busctl-fdstore-$n" busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
			org.freedesktop.systemd1.Manager DumpUnitFileDescriptorStore s "$u"
		run "busctl-private-fdstore-$n" busctl --address=unix:path=/run/systemd/private call \
			org.freedesktop.systemd1 /org/freedesktop/systemd1 \
			org.freedesktop.systemd1.Manager DumpUnitFileDescriptorStore s "$u"
		pid=$(systemctl show -P MainPID "$u" 2>/dev/null)
		if [ -n "$pid" ] && [ "$pid" != 0 ]; then
			fd_links "$pid" "$d/$n-fds"
			tr '\0' '\n' <"/proc/$pid/environ" | grep '^LISTEN_' >"$d/$n-env" 2>/dev/null
		fi
	done
	# Every loaded service's fd store settings: what systemd will try to carry over.
	capture_stores
	# shellcheck disable=SC2086 # a list of unit names
	systemctl show $UNITS >"$d/units.show" 2>&1
	systemctl show >"$d/manager.show" 2>&1
	grep -i kexec "$d/manager.show" >"$d/kexec-count"
	run kexec-count-prop systemctl show -p KExecCount
	# shellcheck disable=SC2086 # a list of unit names
	systemctl status --no-pager $UNITS kt-driver.service >"$d/status.txt" 2>&1
	systemctl list-units --failed --no-pager >"$d/failed.txt" 2>&1
	journalctl -b --no-pager -o short-monotonic >"$d/journal.txt" 2>&1
	for r in /run/kt/*.result; do
		[ -f "$r" ] && cp "$r" "$d/"
	done
fi

echo "$TOOLS" | while read -r name stages cmd; do
	[ -n "$name" ] || continue
	# "all": the three stages of the scenario; "dropped" runs only what names it.
	case ",$stages," in
	*",$stage,"*) ;;
	",all,") [ "$stage" != dropped ] || continue ;;
	*) continue ;;
	esac
	if ! command -v "${cmd%% *}" >/dev/null; then
		say "skip $name: ${cmd%% *} not installed"
		continue
	fi
	cmd=$(echo "$cmd" | sed "s|@D@|$d|g")
	say "$name: $cmd"
	# The table is ours: its commands are split like shell words.
	eval "run $name $cmd"
done
sync
say "done $stage"
