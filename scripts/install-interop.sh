#!/usr/bin/env bash
# Installs the official webhook libraries that tests/interop.rs checks
# hookproof against, pinned exactly:
#   - Node: tests/interop/package-lock.json -> tests/interop/node_modules (npm ci)
#   - Python: tests/interop/requirements.txt -> tests/interop/.venv (pip)
# Idempotent: each part is (re)installed only when missing or when its pin
# file changed since the last install. Works on a bare Debian machine
# (installs nodejs, npm and python3-venv with apt-get when they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tests/interop

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== installing nodejs and npm"
  apt_install nodejs npm
fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  echo "== installing python3-venv"
  apt_install python3 python3-venv
fi

# Node peers: npm ci when node_modules is missing or older than the lock.
node_stamp="$dir/node_modules/.hookproof-package-lock.json"
if ! cmp -s "$dir/package-lock.json" "$node_stamp"; then
  echo "== npm ci --prefix $dir"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  cp "$dir/package-lock.json" "$node_stamp"
fi

# Python peer: a venv with requirements.txt, remade when the pins change.
venv="$dir/.venv"
venv_stamp="$venv/.hookproof-requirements.txt"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$dir/requirements.txt" "$venv_stamp"; then
  echo "== python3 -m venv $venv; pip install -r $dir/requirements.txt"
  python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
  cp "$dir/requirements.txt" "$venv_stamp"
fi
