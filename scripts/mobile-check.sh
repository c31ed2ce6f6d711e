#!/usr/bin/env bash
# Proves the SDK has no host-only code: `cargo check` of the bindings crate for Android and
# iOS. Adds the Rust targets where rustup can; where a target cannot be had, says so plainly
# and exits 0 only with MOBILE_CHECK=optional (the default in `make test`), else 1.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mode=${MOBILE_CHECK:-required}
status=0
tag=mobile-check
. scripts/apt.sh
apt_ensure aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
for target in aarch64-linux-android aarch64-apple-ios; do
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    timeout 300 rustup target add "$target" >/dev/null 2>&1
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo "mobile check: $target NOT CHECKED: the Rust target is not installed and 'rustup target add $target' failed here"
    [ "$mode" = optional ] || status=1
    continue
  fi
  # Two C libraries are compiled for the phones: SQLite (the evidence store, rusqlite
  # `bundled`, Android only: iOS links the system SQLite) and libjpeg-turbo (jpeg/, both, with
  # its NEON code). With no NDK or Xcode here, Debian's aarch64 GCC stands in for their clang so
  # that the C builds for ARM64 and the Rust code is checked; for iOS without cc-rs's Apple
  # flags (-arch, the SDK from xcrun), which GCC does not take. The real builds
  # (scripts/build-android.sh with cargo ndk, scripts/build-xcframework.sh on a Mac) use the
  # NDK's and Xcode's compilers. iOS also links ONNX Runtime statically (ort without
  # load-dynamic): checked here, linked on a Mac.
  apple=()
  [ "$target" = aarch64-apple-ios ] && apple=(CRATE_CC_NO_DEFAULTS=1)
  if env "${apple[@]}" CC_aarch64_linux_android=${CC_aarch64_linux_android:-aarch64-linux-gnu-gcc} \
      AR_aarch64_linux_android=${AR_aarch64_linux_android:-aarch64-linux-gnu-ar} \
      CC_aarch64_apple_ios=${CC_aarch64_apple_ios:-aarch64-linux-gnu-gcc} \
      AR_aarch64_apple_ios=${AR_aarch64_apple_ios:-aarch64-linux-gnu-ar} \
      cargo check --locked -q -p proofshot --target "$target"; then
    echo "mobile check: $target ok (cargo check -p proofshot)"
  else
    echo "mobile check: $target FAILED"
    status=1
  fi
done
exit $status
