"""ProofShot against the obvious alternative (issue 23): the same photos through the SDK and
through a plain onnxruntime-python pipeline over the same models, one thread each, alternating.

    scripts/bench-compare.sh [PHOTO_DIR ...]      # sets up .cache/bench-venv, then runs this

The alternative is what a QA engineer would write instead of using the SDK: Pillow's JPEG decode
in draft mode (libjpeg-turbo's reduced-scale DCT) to the 1024 px working frame, box resizes to
each model's input, and the models the SDK ships run in onnxruntime-python: quality, backbone,
heads, people and scene (on the whole frame, and again with the heads' package boxes masked
where there are any) with the criteria fusion (which also fuses the quality model's not-a-photo
score), with the SDK's session options (one thread; the backbone and the scene in int8, the
people predictors' int8 weights dequantized each run, the other models' folded to float32 at
load; no memory patterns or arena, no spinning). It computes the same model outputs; it does
not turn them into a verdict (a few microseconds in the SDK).

Both sides get the encoded bytes of each photo in the same process; per photo, the two are timed
alternately (which goes first alternates too), `--rounds` times, and the median of each side is
kept. Printed: each photo's times and the ratio (alternative / ProofShot), and the totals.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

import proofshot

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
sys.path.insert(0, str(MODELS / "vision"))
from masking import masked_input, package_boxes  # noqa: E402  (numpy only: the SDK's boxes and mask)

WORK = 1024  # core/src/resample.rs WORKING_LONG_SIDE
EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


# the models the SDK opens with their int8 weights kept (core/src/runtime.rs int8_session)
KEEP_INT8 = {"backbone", "scene", "people"}


def session(name: str) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.add_session_config_entry("session.disable_quant_qdq", "0" if name in KEEP_INT8 else "1")
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.enable_mem_pattern = False
    so.enable_cpu_mem_arena = False
    return ort.InferenceSession(str(MODELS / f"{name}.onnx"), so, providers=["CPUExecutionProvider"])


class Plain:
    """The same models in onnxruntime-python, after Pillow."""

    def __init__(self) -> None:
        self.s = {n: session(n) for n in ("quality", "backbone", "heads", "people", "scene", "criteria")}

    def run(self, data: bytes) -> dict:
        im = Image.open(io.BytesIO(data))
        im.draft("RGB", (WORK, WORK))
        im = ImageOps.exif_transpose(im).convert("RGB")
        im.thumbnail((WORK, WORK), Image.BOX)
        q = np.asarray(im.resize((192, 192), Image.BOX), np.float32).transpose(2, 0, 1)[None] / 255.0
        scores = self.s["quality"].run(None, {"image": q})[0]
        x = np.asarray(im.resize((300, 300), Image.BOX), np.float32)[None] / 127.5 - 1.0
        s16, s32 = self.s["backbone"].run(None, {"image": x})
        maps = {"features_s16": s16, "features_s32": s32}
        probe, heatmap, boxes = self.s["heads"].run(None, maps)
        encodings, logits = self.s["people"].run(None, maps)
        y = np.asarray(im.resize((192, 192), Image.BOX), np.float32)[None] / 127.5 - 1.0
        logprobs = self.s["scene"].run(None, {"image": y})[0]
        found = package_boxes(heatmap, boxes)
        around = self.s["scene"].run(None, {"image": masked_input(y, found)})[0] if found else logprobs
        criteria, fused = self.s["criteria"].run(
            None, {"probe": probe, "logprobs": logprobs, "masked": around, "quality": scores}
        )
        return {"quality": fused, "criteria": criteria, "heatmap": heatmap, "people": logits}


def timed(f, data: bytes) -> float:
    t = time.perf_counter()
    f(data)
    return (time.perf_counter() - t) * 1000.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=[ROOT.parent / "shared" / "photos" / "images"])
    ap.add_argument("--rounds", type=int, default=3, help="timings per photo and side (median kept)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many photos (0: all)")
    args = ap.parse_args()
    files = sorted(p for d in args.dirs for p in d.rglob("*") if p.suffix.lower() in EXTENSIONS)
    if args.limit:
        files = files[: args.limit]
    if not files:
        sys.exit(f"no photos in {', '.join(map(str, args.dirs))}")

    sdk = proofshot.Verifier()  # one thread per model run, the SDK's default
    plain = Plain()
    print(f"{len(files)} photos, {args.rounds} rounds, one thread each; onnxruntime {ort.__version__}")
    first = files[0].read_bytes()
    sdk.verify_photo(first)
    plain.run(first)  # warm both

    print(f"{'photo':32} {'ProofShot ms':>13} {'plain ms':>9} {'ratio':>6}")
    ours, theirs = [], []
    for i, path in enumerate(files):
        data = path.read_bytes()
        a, b = [], []
        for r in range(args.rounds):
            if (i + r) % 2 == 0:
                a.append(timed(sdk.verify_photo, data))
                b.append(timed(plain.run, data))
            else:
                b.append(timed(plain.run, data))
                a.append(timed(sdk.verify_photo, data))
        ma, mb = statistics.median(a), statistics.median(b)
        ours.append(ma)
        theirs.append(mb)
        print(f"{path.name[:32]:32} {ma:13.2f} {mb:9.2f} {mb / ma:6.2f}")
    ratios = [b / a for a, b in zip(ours, theirs)]
    print(
        f"total: ProofShot {sum(ours) / 1000:.2f} s, plain {sum(theirs) / 1000:.2f} s, "
        f"ratio {sum(theirs) / sum(ours):.2f}; per photo median {statistics.median(ratios):.2f} "
        f"(range {min(ratios):.2f}-{max(ratios):.2f}); target: ProofShot >= 2x faster (issue 23)"
    )


if __name__ == "__main__":
    main()
