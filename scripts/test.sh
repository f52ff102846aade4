#!/bin/sh
# Every test, on a fresh Debian 12 machine too: installs what is missing, then `make check`.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
exec make -s check
