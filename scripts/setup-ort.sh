#!/usr/bin/env bash
# Fetches the pinned ONNX Runtime (onnxruntime==1.31.1, the PyPI wheel) with pip and extracts
# its shared library into .cache/onnxruntime/1.31.1/, where the SDK finds it. Idempotent:
# does nothing when the library is already there. Needs python3 with pip and network access
# to PyPI; nothing else is downloaded, and nothing at run time.
set -euo pipefail

VERSION=1.31.1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/.cache/onnxruntime/$VERSION"
case "$(uname -s)" in
  Darwin) lib=libonnxruntime.dylib ;;
  *) lib=libonnxruntime.so ;;
esac

if [ -f "$dest/$lib" ]; then
  echo "ONNX Runtime $VERSION already in $dest"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching onnxruntime==$VERSION from PyPI ..."
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "onnxruntime==$VERSION"
wheel=$(ls "$tmp"/onnxruntime-*.whl)
python3 - "$wheel" "$tmp/out" "$lib" <<'PY'
import sys, zipfile, pathlib
wheel, out, lib = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]


def matches(name, ext):
    """libonnxruntime.so, libonnxruntime.so.1.31.1, libonnxruntime.1.31.1.dylib, ..."""
    return name.startswith("libonnxruntime.") and (name.endswith(ext) or ext + "." in name)


out.mkdir(parents=True)
with zipfile.ZipFile(wheel) as z:
    # the wheels ship onnxruntime/capi/libonnxruntime.so.1.31.1 (Linux) and
    # libonnxruntime.1.31.1.dylib (macOS), not the providers' libonnxruntime_*; take the real file
    ext = pathlib.PurePosixPath(lib).suffix
    names = [
        n for n in z.namelist()
        if n.startswith("onnxruntime/capi/") and matches(pathlib.PurePosixPath(n).name, ext)
    ]
    if not names:
        sys.exit(f"no {lib} in {wheel}")
    src = max(names, key=lambda n: z.getinfo(n).file_size)
    (out / lib).write_bytes(z.read(src))
    print(f"extracted {src}")
PY
mkdir -p "$dest"
# move into place last, so an interrupted run never leaves a half-written library behind
mv "$tmp/out/$lib" "$dest/$lib.part" && mv "$dest/$lib.part" "$dest/$lib"
echo "ONNX Runtime $VERSION ready: $dest/$lib"
