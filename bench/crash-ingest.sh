#!/bin/sh
# Crash test at full size: 1,000 generated files, `oretrail ingest` killed with SIGKILL 25 times
# at random points, then run to the end; asserts every file is stored exactly once, no orphans,
# `PRAGMA integrity_check` ok and `oretrail verify` clean.
# Usage: bench/crash-ingest.sh [FILES] [KILLS]
set -eu
cd "$(dirname "$0")/.."
ORETRAIL_CRASH_FILES="${1:-1000}" ORETRAIL_CRASH_KILLS="${2:-25}" \
    cargo test -p oretrail-cli --release --test crash -- --nocapture
