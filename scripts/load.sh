#!/usr/bin/env bash
# Load (crates/hookproof-load): each adapter verified vs unverified under wrk.
# Arguments go to the load generator: `bash scripts/load.sh tower` loads only tower.
# Installs wrk if missing (Debian package `wrk`), then runs the bench.
# Run it on an otherwise idle machine: the bench prints the load average.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

echo "== cargo run --release -p hookproof-load -- $*"
cargo run --release -p hookproof-load -- "$@"
