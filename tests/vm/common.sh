# Shared settings for the test-VM scripts (sourced, not run).
KT_CACHE=${KHO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kho-tools}
KT_VM_DIR=$(cd "$(dirname "$0")" && pwd)
KT_TOP=$(cd "$KT_VM_DIR/../.." && pwd)
# Newest linux-source-7.x first; the exact version keys the cache.
KT_SRC_PKGS="linux-source-7.3 linux-source-7.4 linux-source-7.5"
KT_SUITES="trixie-backports sid"

die() { echo "${0##*/}: $*" >&2; exit 2; }

# Serialize the scripts that fill one cache entry: a second run (another checkout, a helper, CI
# in parallel) waits for the first instead of downloading or building into the same place.
#   cache_lock NAME   holds $KT_CACHE/locks/NAME until the script exits.
cache_lock() {
	mkdir -p "$KT_CACHE/locks"
	exec 9>"$KT_CACHE/locks/$1"
	flock 9
}
