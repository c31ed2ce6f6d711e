#!/usr/bin/env bash
# Builds ProofShotFFI.xcframework (iOS device, iOS simulator on Apple silicon, macOS) from the
# staticlib, generates the Swift bindings into bindings/swift/Sources/ProofShot/, and runs the
# XCTests with `swift test`. Needs macOS with Xcode and the Rust targets below. Not run on the
# project's Linux CI (scripts/swift-test.sh builds and tests the bindings on Linux instead).
#
# ONNX Runtime: on iOS it is linked statically (apps may not load libraries of their own) from
# Microsoft's onnxruntime.xcframework, version 1.31.1 (the `onnxruntime-c` CocoaPod's archive):
# set ORT_IOS_XCFWK_PATH to the unpacked onnxruntime.xcframework. It is copied beside ours for
# Package.swift. On macOS the library is loaded at run time as on Linux (ORT_DYLIB_PATH).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
: "${ORT_IOS_XCFWK_PATH:?set ORT_IOS_XCFWK_PATH to the onnxruntime.xcframework of the onnxruntime-c 1.31.1 pod}"
[ -d "$ORT_IOS_XCFWK_PATH/ios-arm64/onnxruntime.framework" ] \
  || { echo "build-xcframework: no ios-arm64/onnxruntime.framework in $ORT_IOS_XCFWK_PATH" >&2; exit 1; }
ls -d "$ORT_IOS_XCFWK_PATH"/ios-arm64*simulator/onnxruntime.framework >/dev/null 2>&1 \
  || { echo "build-xcframework: no simulator slice in $ORT_IOS_XCFWK_PATH" >&2; exit 1; }
export ORT_IOS_XCFWK_PATH
# ort-sys links the xcframework for these two iOS targets only (no Intel simulator slice)
targets=(aarch64-apple-ios aarch64-apple-ios-sim aarch64-apple-darwin)
for t in "${targets[@]}"; do
  rustup target add "$t" >/dev/null
  cargo build --release --locked -p proofshot --target "$t"
done

scripts/bindings.sh swift            # out/swift: ProofShot.swift, ProofShotFFI.h, .modulemap
headers=out/swift/headers
rm -rf "$headers" && mkdir -p "$headers"
cp out/swift/ProofShotFFI.h "$headers/"
cp out/swift/ProofShotFFI.modulemap "$headers/module.modulemap"

out=bindings/swift/build/ProofShotFFI.xcframework
rm -rf "$out" bindings/swift/build/onnxruntime.xcframework
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libproofshot.a -headers "$headers" \
  -library target/aarch64-apple-ios-sim/release/libproofshot.a -headers "$headers" \
  -library target/aarch64-apple-darwin/release/libproofshot.a -headers "$headers" \
  -output "$out"
cp -R "$ORT_IOS_XCFWK_PATH" bindings/swift/build/onnxruntime.xcframework
cp out/swift/ProofShot.swift bindings/swift/Sources/ProofShot/ProofShot.swift

cargo build --release --locked -p proofshot-cli
samples=$(mktemp -d)
target/release/proofshot samples "$samples" >/dev/null
(cd bindings/swift && PROOFSHOT_SAMPLES="$samples" ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$root/.cache/onnxruntime/1.31.1/libonnxruntime.dylib}" swift test)
