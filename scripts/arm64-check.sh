#!/usr/bin/env bash
# Runs the library on ARM64, the phones' architecture: cross-builds the library, the CLI and the
# golden tests for aarch64-unknown-linux-gnu and runs them under qemu-user with ONNX Runtime
# from the same PyPI release's aarch64 wheel, then checks that the rendered samples' verdicts
# equal the x86-64 ones (categories, pass/fail and reasons the same, scores within 0.02).
#
# rustup cannot fetch another target's standard library on this machine, so the cross build
# uses Debian 13's `rustc-web` 1.96 with `libstd-rust-web-dev:arm64`, `gcc-aarch64-linux-gnu`
# and `qemu-user`, in a debootstrap chroot cached outside the clone:
#
#   ${PROOFSHOT_CACHE:-~/.cache/proofshot}/trixie-arm64    made on the first run (about 2
#                                                          minutes, 400 MB of downloads)
#
# Crates come from this machine's ~/.cargo/registry (fetched first), the build goes to
# target/arm64/. Needs root (debootstrap, mount, chroot).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tag=arm64-check
. scripts/chroot.sh
jail=$cache/trixie-arm64
ORT_VERSION=1.31.1
# Scores may differ a little between architectures (ONNX Runtime's kernels, the decoder's SIMD).
# With jpeg-decoder, whose x86 and ARM inverse DCTs round differently, they differed by up to
# 0.0154 (a sample's not_a_photo: the scene's probes read all 1000 log-probabilities, rare
# classes' included); libjpeg-turbo's SIMD gives the same pixels on both, and since it decodes
# the samples the scores have agreed to the fourth decimal (2026-12-07).
TOLERANCE=0.02
make_chroot "$jail" gcc,libc6-dev,gcc-aarch64-linux-gnu,libc6-dev-arm64-cross,qemu-user \
  "rustc-web, libstd-rust-web-dev:arm64, gcc-aarch64-linux-gnu and qemu-user (about 2 minutes)" \
  "dpkg --add-architecture arm64 && apt-get update -q && \
   apt-get install -y -q --no-install-recommends rustc-web cargo-web libstd-rust-web-dev:arm64"

# ONNX Runtime for aarch64, from the same PyPI release
ort=$cache/onnxruntime-aarch64/$ORT_VERSION/libonnxruntime.so
if [ ! -f "$ort" ]; then
  tmp=$(mktemp -d)
  echo "arm64-check: fetching onnxruntime==$ORT_VERSION for manylinux_2_28_aarch64 from PyPI ..."
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_aarch64 \
    --dest "$tmp" "onnxruntime==$ORT_VERSION"
  mkdir -p "$(dirname "$ort")"
  python3 - "$tmp"/onnxruntime-*.whl "$ort.part" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.startswith("onnxruntime/capi/libonnxruntime.so"))
    open(sys.argv[2], "wb").write(z.read(name))
PY
  mv "$ort.part" "$ort"
  rm -rf "$tmp"
fi

cargo fetch --locked >/dev/null
cargo build --release --locked -p proofshot-cli
scripts/setup-ort.sh >/dev/null
# the x86-64 CLI's ONNX Runtime (a release build looks beside itself, where `make build` puts it)
export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$root/.cache/onnxruntime/$ORT_VERSION/libonnxruntime.so}

bind "$root" "$jail$root"
bind "${CARGO_HOME:-$HOME/.cargo}/registry" "$jail/cargo-home/registry"
bind "$(dirname "$ort")" "$jail/ort"
mount_proc "$jail"
bind /sys "$jail/sys"

qemu="qemu-aarch64 -L /usr/aarch64-linux-gnu"
in_jail() {
  chroot "$jail" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp CARGO_HOME=/cargo-home \
    CARGO_TARGET_DIR="$root/target/arm64" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="$qemu" CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
    ORT_DYLIB_PATH=/ort/libonnxruntime.so /bin/bash -c "cd '$root' && $1"
}
in_jail "rustc --version | sed 's/^/arm64: /'"
# the library (libproofshot.so, the bindings' cdylib) and the CLI, then the golden tests (every
# shipped model through ONNX Runtime) run under qemu
in_jail "cargo build --offline --locked --release --target aarch64-unknown-linux-gnu -p proofshot -p proofshot-cli 2>&1 | tail -1"
echo "arm64: libproofshot.so for $(readelf -h target/arm64/aarch64-unknown-linux-gnu/release/libproofshot.so | sed -n 's/ *Machine: *//p')"
in_jail "cargo test --offline --locked --release --target aarch64-unknown-linux-gnu -p proofshot-core --test golden 2>&1" \
  | tee target/arm64/golden.log | grep -E "^test result|panicked|FAILED" | sed 's/^/arm64 golden: /'
grep -q "^test result: ok" target/arm64/golden.log || { echo "arm64-check: the golden tests failed on aarch64; see target/arm64/golden.log" >&2; exit 1; }

# the rendered samples, verified on both architectures
samples=target/arm64/samples
rm -rf "$samples" && target/release/proofshot samples "$samples" >/dev/null
target/release/proofshot verify --format jsonl --jobs 1 "$samples" >target/arm64/x86_64.jsonl
in_jail "$qemu target/arm64/aarch64-unknown-linux-gnu/release/proofshot verify --format jsonl --jobs 1 $samples" \
  >target/arm64/aarch64.jsonl
python3 - target/arm64/x86_64.jsonl target/arm64/aarch64.jsonl "$TOLERANCE" <<'PY'
import json, sys
x86 = [json.loads(l) for l in open(sys.argv[1])]
arm = [json.loads(l) for l in open(sys.argv[2])]
tol = float(sys.argv[3])
if len(x86) != len(arm) or not x86:
    sys.exit(f"arm64-check: {len(arm)} verdicts on aarch64 against {len(x86)} on x86-64")
(worst, where), bad = (0.0, "-"), []
for a, b in zip(x86, arm):
    name = a["path"].rsplit("/", 1)[-1]
    if a["category"] != b["category"]:
        bad.append(f"{name}: {a['category']} on x86-64, {b['category']} on aarch64")
    for k, c in a["criteria"].items():
        d = b["criteria"][k]
        if (c["passed"], c["reason"]) != (d["passed"], d["reason"]):
            bad.append(f"{name} {k}: {c['reason']} on x86-64, {d['reason']} on aarch64")
        worst, where = max((worst, where), (abs(c["score"] - d["score"]), f"{name} {k}"))
    for q in a["quality"]:
        worst, where = max((worst, where), (abs(a["quality"][q] - b["quality"][q]), f"{name} quality {q}"))
if worst > tol:
    bad.append(f"a score differs by {worst:.4f} ({where}), over {tol}")
if bad:
    sys.exit("arm64-check: " + "; ".join(bad))
print(f"arm64: {len(arm)} samples, the same verdicts as x86-64 (scores within {worst:.4f}, {where}; tolerance {tol})")
PY
