#!/usr/bin/env bash
# Builds the Python package (scripts/bindings.sh python), installs it with pytest into
# .cache/py-venv, and runs the binding tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

venv=.cache/py-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q pytest==8.4.2 cryptography==46.0.3
scripts/bindings.sh python >/dev/null
"$venv/bin/pip" install -q --force-reinstall ./out/python
cargo build --release --locked -p proofshot-cli
PROOFSHOT_CLI="$root/target/release/proofshot" "$venv/bin/python" -m pytest -q bindings/python/tests

