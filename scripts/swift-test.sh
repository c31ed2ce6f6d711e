#!/usr/bin/env bash
# Compiles the generated Swift bindings as a SwiftPM package on Linux and runs every XCTest of
# bindings/swift/Tests, and the iOS demo's logic (ios-demo/ProofShotDemoKit) with its XCTests,
# against libproofshot.so, with Swift 6.0 from Debian 13 "trixie" (its
# `swiftlang` package; this machine's Debian 12 has too old a glibc for it) in a debootstrap
# chroot cached outside the clone, so that later clones on the machine reuse it:
#
#   ${PROOFSHOT_CACHE:-~/.cache/proofshot}/trixie-swift    made on the first run: about 3
#                                                          minutes, 530 MB of downloads
#
# The package made here (out/swift-linux/) is the Linux twin of bindings/swift/Package.swift: a
# `systemLibrary` target over the generated module map, linked to libproofshot.so, instead of
# the XCFramework, which only a Mac builds. Needs root (debootstrap, mount, chroot).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tag=swift-test
. scripts/chroot.sh
jail=$cache/trixie-swift
make_chroot "$jail" swiftlang,libc6-dev,libstdc++-14-dev "swiftlang, libc6-dev and libstdc++-14-dev (about 3 minutes, 530 MB)"

# the library, its Swift bindings and C header, the CLI for the sample photos
scripts/bindings.sh swift >/dev/null
cargo build --release --locked -p proofshot-cli
scripts/setup-ort.sh >/dev/null

pkg=out/swift-linux
rm -rf "$pkg"
mkdir -p "$pkg/Sources/ProofShot" "$pkg/Sources/ProofShotFFI" "$pkg/Tests/ProofShotTests" "$pkg/samples" \
  "$pkg/Sources/ProofShotDemoKit" "$pkg/Tests/ProofShotDemoKitTests"
kit=ios-demo/ProofShotDemoKit
cp "$kit"/Sources/ProofShotDemoKit/*.swift "$pkg/Sources/ProofShotDemoKit/"
cp "$kit"/Tests/ProofShotDemoKitTests/*.swift "$pkg/Tests/ProofShotDemoKitTests/"
cp out/swift/ProofShot.swift "$pkg/Sources/ProofShot/"
cp out/swift/ProofShotFFI.h "$pkg/Sources/ProofShotFFI/"
cat >"$pkg/Sources/ProofShotFFI/module.modulemap" <<'EOF'
module ProofShotFFI [system] {
    header "ProofShotFFI.h"
    link "proofshot"
    export *
}
EOF
cp bindings/swift/Tests/ProofShotTests/*.swift "$pkg/Tests/ProofShotTests/"
cat >"$pkg/Package.swift" <<'EOF'
// swift-tools-version:5.9
// Written by scripts/swift-test.sh: the Linux twin of bindings/swift/Package.swift.
import PackageDescription

let package = Package(
    name: "ProofShot",
    products: [.library(name: "ProofShot", targets: ["ProofShot"])],
    targets: [
        .systemLibrary(name: "ProofShotFFI", path: "Sources/ProofShotFFI"),
        .target(name: "ProofShot", dependencies: ["ProofShotFFI"], path: "Sources/ProofShot"),
        .testTarget(name: "ProofShotTests", dependencies: ["ProofShot"], path: "Tests/ProofShotTests"),
        // ios-demo/ProofShotDemoKit, over the same ProofShot target
        .target(name: "ProofShotDemoKit", dependencies: ["ProofShot"], path: "Sources/ProofShotDemoKit"),
        .testTarget(name: "ProofShotDemoKitTests", dependencies: ["ProofShotDemoKit"], path: "Tests/ProofShotDemoKitTests"),
    ]
)
EOF
target/release/proofshot samples "$pkg/samples" >/dev/null

# the repository at its own path inside the chroot, so every path below means the same there
bind "$root" "$jail$root"
mount_proc "$jail"
bind /dev "$jail/dev"

lib=$root/target/release
chroot "$jail" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp \
  PROOFSHOT_SAMPLES="$root/$pkg/samples" ORT_DYLIB_PATH="$root/.cache/onnxruntime/1.31.1/libonnxruntime.so" \
  /bin/bash -c "cd '$root/$pkg' && swift --version 2>&1 | head -1 && \
    swift test --scratch-path /tmp/proofshot-swift-build -Xlinker -L'$lib' -Xlinker -rpath -Xlinker '$lib' 2>&1" \
  | tee "$root/$pkg/test.log" | grep -E "^(Swift version|Test Suite 'All tests'|\s*Executed|error|.*: error:|.*failed)" || true
# the Mac package's own manifest, compiled and evaluated by SwiftPM (its XCFrameworks are only
# named, not needed, for that)
chroot "$jail" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp \
  /bin/bash -c "cd '$root/bindings/swift' && swift package dump-package --scratch-path /tmp/proofshot-swift-manifest" \
  >"$pkg/manifest.json" 2>"$pkg/manifest.log" \
  || { echo "swift-test: bindings/swift/Package.swift does not evaluate; see $pkg/manifest.log" >&2; exit 1; }
chroot "$jail" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp \
  /bin/bash -c "cd '$root/$kit' && swift package dump-package --scratch-path /tmp/proofshot-swift-kit-manifest" \
  >"$pkg/kit-manifest.json" 2>"$pkg/kit-manifest.log" \
  || { echo "swift-test: $kit/Package.swift does not evaluate; see $pkg/kit-manifest.log" >&2; exit 1; }
# the iOS app's UI (SwiftUI, AVFoundation, Security: Apple's SDKs only) is parsed, not compiled
chroot "$jail" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp \
  /bin/bash -c "cd '$root/ios-demo/ProofShotDemo' && swiftc -parse *.swift" >"$pkg/app-parse.log" 2>&1 \
  || { cat "$pkg/app-parse.log" >&2; echo "swift-test: ios-demo/ProofShotDemo does not parse" >&2; exit 1; }
echo "swift: ios-demo/ProofShotDemo: $(ls ios-demo/ProofShotDemo/*.swift | wc -l) app files parsed (SwiftUI and AVFoundation exist only on Apple platforms)"
python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print("swift: " + sys.argv[2] + "/Package.swift evaluates: " + ", ".join(t["name"] for t in m["targets"]))' \
  "$pkg/kit-manifest.json" "$kit"
python3 - "$pkg/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
targets = {t["name"]: t for t in m["targets"]}
assert set(targets) == {"ProofShotFFI", "onnxruntime", "ProofShot", "ProofShotTests"}, sorted(targets)
assert any("PrivacyInfo.xcprivacy" in r["path"] for r in targets["ProofShot"]["resources"]), "no privacy manifest"
print(f"swift: bindings/swift/Package.swift evaluates: {len(targets)} targets, the privacy manifest a resource")
PY

# the last summary is the one for all tests
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$pkg/test.log" | tail -1 || true)
kit_summary=$(grep -A1 "^Test Suite 'DemoKitTests' \(passed\|failed\)" "$pkg/test.log" | grep -oE "Executed [0-9]+ tests?, with [0-9]+ failures?" || true)
case "$summary" in
  *"with 0 failures"*) echo "swift: $(echo "$summary" | sed 's/^[[:space:]]*//'), of which ios-demo's logic (ProofShotDemoKit): ${kit_summary:-none found}" ;;
  *) echo "swift-test: the Swift tests did not all pass; see $pkg/test.log" >&2; exit 1 ;;
esac
