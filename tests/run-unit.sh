#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run cmocka unit-test binaries, pass their TAP through, and end with exactly one line:
#   unit: N passed, M failed
# Test cases are counted, not binaries. A binary that stops before reporting its
# whole plan (a crash, a sanitizer abort, a timeout) has its missing cases counted
# as failed; one that reports every case passed but exits non-zero (a leak report
# at exit) counts one failure. Skipped cases are counted apart, in a comment line.
# Exit status: 0 if nothing failed, 1 otherwise.
set -u

timeout_s=${UNIT_TIMEOUT:-300}
passed=0
failed=0
skipped=0

count() {
	printf '%s\n' "$2" | grep -c -E "$1"
}

for bin in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout "$timeout_s" "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"

	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' | head -n 1)
	ok=$(count '^ok [0-9]+' "$out")
	skip=$(count '^not ok [0-9]+ # SKIP' "$out")
	bad=$(( $(count '^not ok [0-9]+' "$out") - skip ))

	passed=$((passed + ok))
	skipped=$((skipped + skip))
	failed=$((failed + bad))

	if [ -z "$plan" ]; then
		echo "# $bin: no test plan (exit status $rc)"
		failed=$((failed + 1))
		continue
	fi
	missing=$((plan - ok - skip - bad))
	if [ "$missing" -gt 0 ]; then
		echo "# $bin: $missing of $plan test(s) never reported (exit status $rc)"
		failed=$((failed + missing))
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "# $bin: every test passed but it exited with status $rc"
		failed=$((failed + 1))
	fi
done

[ "$skipped" -gt 0 ] && echo "# unit: $skipped skipped"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
