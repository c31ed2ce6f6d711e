#!/usr/bin/env bash
# Packages a Swift release: zips the two XCFrameworks that scripts/build-xcframework.sh left in
# bindings/swift/build/, and writes a Package.swift that names each by URL and checksum (SwiftPM
# cannot fetch a `path:` target from a tagged release). Run on the Mac that built them:
#
#   scripts/release-swift.sh 0.1.0 https://github.com/proofshot/proofshot/releases/download/v0.1.0
#
# writes out/swift-release/: ProofShotFFI.xcframework.zip, onnxruntime.xcframework.zip, and
# Package.swift (commit it with the generated Sources/ProofShot/ProofShot.swift on the release
# tag, and upload the two zips to BASE_URL). The checksum is the zip's SHA-256, which is what
# `swift package compute-checksum` prints.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
version=${1:?usage: scripts/release-swift.sh VERSION BASE_URL}
base=${2:?usage: scripts/release-swift.sh VERSION BASE_URL}
build=bindings/swift/build
out=out/swift-release
for f in ProofShotFFI onnxruntime; do
  [ -d "$build/$f.xcframework" ] || { echo "release-swift: no $build/$f.xcframework (run scripts/build-xcframework.sh)" >&2; exit 1; }
done
[ -f bindings/swift/Sources/ProofShot/ProofShot.swift ] \
  || { echo "release-swift: no generated ProofShot.swift (run scripts/build-xcframework.sh)" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
for f in ProofShotFFI onnxruntime; do
  # -y keeps the symbolic links inside macOS framework slices
  (cd "$build" && zip -qry "$root/$out/$f.xcframework.zip" "$f.xcframework")
done
python3 - "$out" "$base" "$version" <<'PY'
import hashlib, pathlib, re, sys
out, base, version = pathlib.Path(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]
manifest = pathlib.Path("bindings/swift/Package.swift").read_text()
for name in ("ProofShotFFI", "onnxruntime"):
    zipped = out / f"{name}.xcframework.zip"
    checksum = hashlib.sha256(zipped.read_bytes()).hexdigest()
    local = f'.binaryTarget(name: "{name}", path: "build/{name}.xcframework")'
    if local not in manifest:
        sys.exit(f"release-swift: Package.swift has no {local}")
    manifest = manifest.replace(
        local, f'.binaryTarget(name: "{name}", url: "{base}/{zipped.name}", checksum: "{checksum}")'
    )
    print(f"{zipped}: {zipped.stat().st_size} bytes, checksum {checksum}")
manifest = re.sub(r"// This manifest builds from a checkout.*?\n(//.*\n)*", f"// Release {version}.\n", manifest)
(out / "Package.swift").write_text(manifest)
print(f"{out / 'Package.swift'}: release {version}")
PY
