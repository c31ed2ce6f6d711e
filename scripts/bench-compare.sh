#!/usr/bin/env bash
# ProofShot against a plain onnxruntime-python pipeline over the same models (issue 23):
# builds the Python package (scripts/bindings.sh python), installs it with pinned onnxruntime,
# Pillow and NumPy into .cache/bench-venv, and runs scripts/bench_compare.py on the photo
# folders given (default ../shared/photos/images). About 1 minute for 200 photos.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

venv=.cache/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q onnxruntime==1.31.1 pillow==13.0.0 numpy==2.4.6
scripts/bindings.sh python >/dev/null
"$venv/bin/pip" install -q --force-reinstall --no-deps ./out/python
"$venv/bin/python" scripts/bench_compare.py "$@"
