#!/usr/bin/env bash
# Builds the Python package (scripts/bindings.sh python), installs it with pytest into
# .cache/py-venv, runs the binding tests, and checks the generated Swift parses
# (tree-sitter-swift; no Swift toolchain exists here).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

venv=.cache/py-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q pytest==8.4.2 tree-sitter==0.26.1 tree-sitter-swift==0.7.4 cryptography==46.0.3
scripts/bindings.sh python >/dev/null
"$venv/bin/pip" install -q --force-reinstall ./out/python
cargo build --release --locked -p proofshot-cli
PROOFSHOT_CLI="$root/target/release/proofshot" "$venv/bin/python" -m pytest -q bindings/python/tests

scripts/bindings.sh swift >/dev/null
"$venv/bin/python" scripts/swift-check.py out/swift/ProofShot.swift bindings/swift/Package.swift \
  bindings/swift/Tests/ProofShotTests/ProofShotTests.swift bindings/swift/Tests/ProofShotTests/EvidenceTests.swift
