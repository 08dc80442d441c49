#!/usr/bin/env bash
# Set up exactscape on a fresh Debian machine (root or sudo), idempotently:
#   1. Debian's libcdd-dev and libgmp-dev (pycddlib builds from source against them);
#   2. a virtual environment .venv with exactscape and its dependencies.
# Usage: ./setup.sh          runtime only
#        ./setup.sh test     plus the test dependencies (pytest, hypothesis, sympy, pplpy, scipy)
#        ./setup.sh dev      plus mypy and ruff
set -euo pipefail
cd "$(dirname "$0")"
extra="${1:-}"
case "$extra" in ""|test|dev) ;; *) echo "setup.sh: unknown option '$extra' (use test or dev)" >&2; exit 2;; esac

missing=""
for pkg in libcdd-dev libgmp-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup.sh: installing Debian packages:$missing" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
spec="."
[ -n "$extra" ] && spec=".[$extra]"
log="$(mktemp)"
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec" >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup.sh: pip install failed (log above)" >&2
  exit 1
fi
rm -f "$log"
echo "setup.sh: ready (.venv/bin/exactscape)" >&2
