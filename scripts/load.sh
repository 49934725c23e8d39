#!/usr/bin/env bash
# Load bench (benches/load.rs): each adapter verified vs unverified under wrk.
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

echo "== cargo bench --bench load --features axum,actix,tower"
cargo bench --bench load --features axum,actix,tower "$@"
