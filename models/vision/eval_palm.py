"""Measures MediaPipe's palm detector as evidence of "held in a hand" (it is not shipped).

    python models/vision/eval_palm.py --photos ../shared/photos --work .cache/palm

Takes `palm_detection_lite.tflite` from the PyPI wheel `mediapipe==0.10.14` (Apache-2.0),
converts it with tf2onnx, runs it on every clear photo (letterboxed to 192x192, RGB in [0, 1],
as MediaPipe does) and prints, per subgroup, how often its best palm score exceeds 0.5.
Needs models/vision/requirements-convert.txt and pip.
"""

import argparse
import collections
import csv
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

MEMBER = "mediapipe/modules/palm_detection/palm_detection_lite.tflite"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--work", type=Path, default=Path(".cache/palm"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    onnx_path = args.work / "palm_lite.onnx"
    if not onnx_path.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "mediapipe==0.10.14", "-d", str(args.work)],
            check=True,
        )
        wheel = next(args.work.glob("mediapipe-0.10.14-*.whl"))
        tflite = args.work / "palm_detection_lite.tflite"
        tflite.write_bytes(zipfile.ZipFile(wheel).read(MEMBER))
        subprocess.run(
            [sys.executable, "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(onnx_path), "--opset", "17"],
            check=True,
        )
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    fired = collections.defaultdict(list)
    for row in csv.DictReader(open(args.photos / "labels.csv")):
        if row["image_clear"] != "1":
            continue
        im = ImageOps.exif_transpose(Image.open(args.photos / row["file"])).convert("RGB")
        im.thumbnail((1024, 1024), Image.BOX)
        scale = 192 / max(im.size)
        w, h = round(im.width * scale), round(im.height * scale)
        canvas = Image.new("RGB", (192, 192))
        canvas.paste(im.resize((w, h), Image.BOX), ((192 - w) // 2, (192 - h) // 2))
        x = np.asarray(canvas, np.float32)[None] / 255.0
        scores = next(o for o in sess.run(None, {name: x}) if o.shape[-1] == 1)
        best = float((1 / (1 + np.exp(-np.clip(scores, -100, 100)))).max())
        fired[row["subgroup"] or "unrecorded"].append(best > 0.5)
    for group, hits in sorted(fired.items()):
        print(f"{group:22} palm score > 0.5 on {sum(hits):3} of {len(hits):3}")


if __name__ == "__main__":
    main()
