# Shared setup for the kho-tools bats suites.
bats_load_library bats-support
bats_load_library bats-assert

KT_BIN=${KT_BIN:-$BATS_TEST_DIRNAME/../../build}
# Never the host's systemd (root on a systemd host would ask PID 1): tests that want one start
# tests/unit/test_sd --serve.
export KHO_TOOLS_SYSTEMD_BUS=unix:path=/nonexistent/kt-private
KI=$KT_BIN/kho-inspect
FIX=$BATS_TEST_DIRNAME/../fixtures/linux-7.3

# jq on the last command's output; fails the test when the output is not JSON.
jqo() {
	printf '%s' "$output" | jq -er "$@"
}

# Every stage of the real-kernel fixtures.
fixture_stages() {
	echo boot sessions kexec finished
}

# Read a little-endian u32 at byte offset $2 of file $1.
le32() {
	od -A n --endian=little -t u4 -j "$2" -N 4 "$1" | tr -d ' '
}
