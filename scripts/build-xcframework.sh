#!/usr/bin/env bash
# Builds ProofShotFFI.xcframework (iOS device, iOS simulator arm64 + x86_64, macOS) from the
# staticlib, generates the Swift bindings into bindings/swift/Sources/ProofShot/, and runs the
# XCTests with `swift test`. Needs macOS with Xcode and the Rust targets below. Not run on the
# project's Linux CI (no Swift toolchain there; scripts/swift-check.py parses the bindings).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin)
for t in "${targets[@]}"; do
  rustup target add "$t" >/dev/null
  cargo build --release --locked -p proofshot --target "$t"
done

scripts/bindings.sh swift            # out/swift: ProofShot.swift, ProofShotFFI.h, .modulemap
headers=out/swift/headers
rm -rf "$headers" && mkdir -p "$headers"
cp out/swift/ProofShotFFI.h "$headers/"
cp out/swift/ProofShotFFI.modulemap "$headers/module.modulemap"

sim=target/ios-sim-universal/release
mkdir -p "$sim"
lipo -create target/aarch64-apple-ios-sim/release/libproofshot.a target/x86_64-apple-ios/release/libproofshot.a \
  -output "$sim/libproofshot.a"

out=bindings/swift/build/ProofShotFFI.xcframework
rm -rf "$out"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libproofshot.a -headers "$headers" \
  -library "$sim/libproofshot.a" -headers "$headers" \
  -library target/aarch64-apple-darwin/release/libproofshot.a -headers "$headers" \
  -output "$out"
cp out/swift/ProofShot.swift bindings/swift/Sources/ProofShot/ProofShot.swift

cargo build --release --locked -p proofshot-cli
samples=$(mktemp -d)
target/release/proofshot samples "$samples" >/dev/null
(cd bindings/swift && PROOFSHOT_SAMPLES="$samples" ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$root/.cache/onnxruntime/1.31.1/libonnxruntime.dylib}" swift test)
