#!/usr/bin/env bash
# Builds the native library and generates bindings into out/ (git-ignored).
#   scripts/bindings.sh python   out/python: a pip-installable package (module + cdylib)
#   scripts/bindings.sh kotlin   out/kotlin: dev/proofshot/proofshot.kt + libproofshot.so
#   scripts/bindings.sh swift    out/swift: ProofShot.swift, ProofShotFFI.h, modulemap
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
lang=${1:?usage: scripts/bindings.sh python|kotlin|swift}

# the generator is a build tool: a debug build (the release profile links with LTO, slow to build)
cargo build --release --locked -p proofshot
cargo build --locked -p uniffi-bindgen
case "$(uname -s)" in
  Darwin) lib=libproofshot.dylib ;;
  *) lib=libproofshot.so ;;
esac
bindgen() {
  target/debug/uniffi-bindgen generate --library "target/release/$lib" \
    --language "$1" --out-dir "$2" >/dev/null
}

case "$lang" in
  python)
    rm -rf out/python && mkdir -p out/python/proofshot
    bindgen python out/python/proofshot
    cp bindings/python/src/proofshot/__init__.py out/python/proofshot/__init__.py
    cp bindings/python/pyproject.toml bindings/python/README.md out/python/
    cp "target/release/$lib" out/python/proofshot/
    echo "out/python: pip install ./out/python"
    ;;
  kotlin)
    rm -rf out/kotlin && mkdir -p out/kotlin
    bindgen kotlin out/kotlin
    cp "target/release/$lib" out/kotlin/
    echo "out/kotlin: $(cd out/kotlin && find . -name '*.kt')"
    ;;
  swift)
    rm -rf out/swift && mkdir -p out/swift
    bindgen swift out/swift
    echo "out/swift: $(ls out/swift | tr '\n' ' ')"
    ;;
  *) echo "unknown language: $lang" >&2; exit 2 ;;
esac
