#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
# Installs what the tests need on a bare machine, then: format, lints, docs, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# Incremental caches double the target directory and CI builds once; a full
# run needs about 2 GB of disk. Print what is free so a full disk is obvious.
export CARGO_INCREMENTAL=0
echo "== disk free: $(df -h . | awk 'NR==2 {print $4}')"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The Redis tests start their own redis-server on a free loopback port.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "== installing redis-server"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

# The rediss:// tests make their certificates with the openssl command.
if ! command -v openssl >/dev/null 2>&1; then
  echo "== installing openssl"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi

# The inbox tests start their own PostgreSQL (initdb + pg_ctl in a temp
# directory, on a free loopback port); the system cluster is not started.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${HOOKPROOF_PG_BIN:-}" ]; then
  echo "== installing postgresql"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# The console tests drive a real headless Chromium through chromedriver
# (started by the tests on a free loopback port, with a fresh profile).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The interop tests run the official Node and Python libraries, pinned.
echo "== installing the interop peers (pinned npm and PyPI packages)"
bash scripts/install-interop.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (all targets, all features, warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "== cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --all-features

echo "== cargo test"
cargo test --workspace --all-features

echo "== target directory after the run: $(du -sh target 2>/dev/null | cut -f1)"
