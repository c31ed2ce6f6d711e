#!/usr/bin/env bash
# Builds libproofshot.so (release), splits its debug info off for crash symbolication, and
# reports its size with and without the embedded models (issue 23: the code alone <= 3 MB).
#
#   target/release/libproofshot.so          stripped (.dynsym kept: uniffi's exports), with a
#                                           .gnu_debuglink to the file below
#   target/release/libproofshot.so.debug    its symbols and line tables
#
# Symbolicate a crash address with `addr2line -f -e target/release/libproofshot.so ADDR` (or
# llvm-symbolizer): both follow the debuglink. scripts/build-android.sh splits each ABI's
# library the same way with the NDK's llvm-objcopy; on iOS the static library goes into the
# app, whose Xcode archive makes the dSYM and strips the binary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

tag=build-lib
. scripts/apt.sh
apt_ensure "objcopy addr2line" binutils

cargo build --release --locked -p proofshot
lib=target/release/libproofshot.so
debug=$lib.debug
objcopy --only-keep-debug "$lib" "$debug"
objcopy --strip-all --add-gnu-debuglink="$debug" "$lib" "$lib.tmp"
mv "$lib.tmp" "$lib"

# a symbol resolves through the debuglink to a source line
addr=$(nm -D --defined-only "$lib" | awk '/ uniffi_proofshot_fn_method_verifier_verify_photo$/ {print $1}')
where=$(addr2line -f -e "$lib" "0x$addr" | tail -1)
case "$where" in
  *lib.rs:*) ;;
  *) echo "build-lib: $lib does not symbolicate through $debug (got '$where')" >&2; exit 1 ;;
esac

size=$(stat -c %s "$lib")
# every models/*.onnx is embedded (core/src/models.rs MODEL_FILES)
models=$(cat models/*.onnx | wc -c)
code=$((size - models))
echo "libproofshot.so, stripped: $size bytes; embedded models $models bytes; code alone $code bytes (target <= 3000000, issue 23)"
echo "debug info split off: $(stat -c %s "$debug") bytes in $debug (verify_photo -> $where)"
[ "$code" -le 3000000 ] || { echo "build-lib: the code alone is over 3 MB" >&2; exit 1; }
