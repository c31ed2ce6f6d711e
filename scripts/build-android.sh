#!/usr/bin/env bash
# Builds the ProofShot AAR: libproofshot.so for each ABI with cargo-ndk (16 KB page aligned),
# the Kotlin bindings, then Gradle's assembleRelease. Needs ANDROID_NDK_HOME, the Android SDK,
# `cargo install cargo-ndk`, and the Rust targets aarch64-linux-android,
# armv7-linux-androideabi, x86_64-linux-android. Not run on the project's CI (no NDK there).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the NDK}"
command -v cargo-ndk >/dev/null || { echo "cargo install cargo-ndk" >&2; exit 1; }

# Android 15 devices may use 16 KB pages: every .so must be linked with max-page-size 16384.
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384"
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 --platform 24 \
  -o bindings/android/build/rustJniLibs build --release --locked -p proofshot

# Ship stripped libraries; keep their symbols and line tables for crash symbolication (as
# scripts/build-lib.sh does on Linux) in build/symbols/<abi>/, for Play Console's native debug
# symbols or ndk-stack.
objcopy=$(ls "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin/llvm-objcopy | head -1)
for so in bindings/android/build/rustJniLibs/*/libproofshot.so; do
  abi=$(basename "$(dirname "$so")")
  mkdir -p "bindings/android/build/symbols/$abi"
  "$objcopy" --only-keep-debug "$so" "bindings/android/build/symbols/$abi/libproofshot.so"
  "$objcopy" --strip-all "$so"
done

scripts/bindings.sh kotlin
(cd bindings/android && gradle assembleRelease)
for so in bindings/android/build/rustJniLibs/*/libproofshot.so; do
  # every LOAD segment aligned to 2**14
  if "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin/llvm-readelf -lW "$so" | awk '/LOAD/ {print $NF}' | grep -qv '0x4000'; then
    echo "$so is not 16 KB aligned" >&2; exit 1
  fi
done
ls -la bindings/android/build/outputs/aar/
