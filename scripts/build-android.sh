#!/usr/bin/env bash
# Builds the ProofShot AAR: libproofshot.so for each ABI with cargo-ndk (16 KB page aligned,
# stripped, its symbols kept apart), the Kotlin bindings, then Gradle's assembleRelease, and
# checks that every native library an app gets with it (ours, JNA's libjnidispatch.so and ONNX
# Runtime's libonnxruntime.so) is 16 KB aligned. Needs ANDROID_NDK_HOME, the Android SDK and
# `cargo install cargo-ndk` (Gradle comes through ./gradlew); adds the four Android Rust
# targets itself. Not run on the project's CI (no NDK there).
#
#   out/jniLibs/<abi>/libproofshot.so       what the AAR packs (outside Gradle's build/, which
#                                           `gradle clean` wipes)
#   out/android-symbols/<abi>/libproofshot.so   its symbols and line tables, for Play Console's
#                                           native debug symbols or ndk-stack
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the NDK}"
command -v cargo-ndk >/dev/null || { echo "cargo install cargo-ndk" >&2; exit 1; }
# libjpeg-turbo's SIMD for the x86 ABIs is assembled by NASM; without it they would decode
# without SIMD (the ARM ABIs' NEON code is built by the NDK's clang)
command -v nasm >/dev/null || { echo "build-android: install nasm (libjpeg-turbo's x86 SIMD)" >&2; exit 1; }

# The same ABIs as the JNA and ONNX Runtime AARs ship (x86 included: the emulator's), so no
# ABI folder of an app lacks one of the three libraries.
abis=(arm64-v8a armeabi-v7a x86_64 x86)
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android

# Android 15 devices may use 16 KB pages: every .so must be linked with max-page-size 16384.
# Set per Android target, so that build scripts and proc macros (host code) are not rebuilt
# with it, as a global RUSTFLAGS would.
page="-C link-arg=-Wl,-z,max-page-size=16384"
for t in AARCH64_LINUX_ANDROID ARMV7_LINUX_ANDROIDEABI X86_64_LINUX_ANDROID I686_LINUX_ANDROID; do
  export "CARGO_TARGET_${t}_RUSTFLAGS=$page"
done
rm -rf out/jniLibs out/android-symbols
cargo ndk $(printf -- '-t %s ' "${abis[@]}") --platform 24 -o out/jniLibs build --release --locked -p proofshot

# Ship stripped libraries; keep their symbols and line tables (as scripts/build-lib.sh does on
# Linux) for crash symbolication.
bin=$(ls -d "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin | head -1)
for so in out/jniLibs/*/libproofshot.so; do
  abi=$(basename "$(dirname "$so")")
  mkdir -p "out/android-symbols/$abi"
  "$bin/llvm-objcopy" --only-keep-debug "$so" "out/android-symbols/$abi/libproofshot.so"
  "$bin/llvm-objcopy" --strip-all "$so"
done

scripts/bindings.sh kotlin
(cd bindings/android && ./gradlew assembleRelease)

# every LOAD segment of every native library aligned to 2**14: ours, and those of the JNA and
# ONNX Runtime AARs Gradle resolved (JNA before 5.17.0 was not: JNA issue #1618)
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
for aar in $(find "${GRADLE_USER_HOME:-$HOME/.gradle}/caches" -name 'jna-5.17.0.aar' -o -name 'onnxruntime-android-1.31.1.aar' | sort -u); do
  unzip -q -o "$aar" 'jni/*' -d "$check/$(basename "$aar" .aar)"
done
bad=0
for so in out/jniLibs/*/*.so $(find "$check" -name '*.so'); do
  if "$bin/llvm-readelf" -lW "$so" | awk '/LOAD/ {print $NF}' | grep -qv '0x4000'; then
    echo "$so is not 16 KB aligned" >&2
    bad=1
  fi
done
[ -n "$(find "$check" -name libjnidispatch.so)" ] || { echo "JNA's AAR was not found in Gradle's cache" >&2; bad=1; }
[ -n "$(find "$check" -name libonnxruntime.so)" ] || { echo "ONNX Runtime's AAR was not found in Gradle's cache" >&2; bad=1; }
[ "$bad" = 0 ] || exit 1
ls -la bindings/android/build/outputs/aar/
