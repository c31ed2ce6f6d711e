"""Rebuild models/people.onnx: the rest of the Open Images SSD, after the backbone.

The SDK already runs the detector's MobileNetV2 feature extractor (`backbone.onnx`); this is
everything after it: the SSDLite extra layers and box predictors, reading the backbone's two
feature maps and giving box encodings and class logits for the 1917 SSD anchors. The SDK
reads its `Person` class to pixelate whole people in redacted copies.

Source and conversion are those of `convert_backbone.py` (npm
`@mediapipe/objectron@0.4.1675468480`, Apache-2.0; tf2onnx, checked against TensorFlow Lite
there). Run from the repository root:

    python models/vision/convert_people.py --work .cache/backbone

(needs `models/vision/requirements-convert.txt` and `npm`).
"""

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_backbone import FEATURES, check_against_tflite, fetch_tflite, store_half  # noqa: E402

OUTPUTS = {"raw_outputs/box_encodings": "box_encodings", "raw_outputs/class_predictions": "class_logits"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(".cache/backbone"))
    ap.add_argument("--out", type=Path, default=Path("models/people.onnx"))
    args = ap.parse_args()
    tflite = fetch_tflite(args.work)
    full = args.work / "ssd_oidv4.onnx"
    if not full.exists():
        subprocess.run(
            [sys.executable, "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(full), "--opset", "17"],
            check=True,
        )
    worst = check_against_tflite(tflite, full)
    if worst > 1e-3:
        sys.exit(f"converted detector differs from TensorFlow Lite by {worst}")
    cut = args.work / "ssd_head_raw.onnx"
    onnx.utils.extract_model(str(full), str(cut), list(FEATURES), list(OUTPUTS))
    model = onnx.load(str(cut))
    renames = {**FEATURES, **OUTPUTS}
    for node in model.graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]
    for value in list(model.graph.input) + list(model.graph.output):
        value.name = renames.get(value.name, value.name)
    reference = model.SerializeToString()
    halved = store_half(model)
    model.doc_string = (
        f"SSDLite extra layers and box predictors of MediaPipe's Open Images V4 detector (npm "
        "@mediapipe/objectron@0.4.1675468480, Apache-2.0), after backbone.onnx. features_s16 "
        "[1,576,19,19], features_s32 [1,1280,10,10] in; box_encodings [1,1917,4] (ty, tx, th, tw) "
        "and class_logits [1,1917,24] (0 background, 4 Person) out. Weights stored as float16."
    )
    onnx.checker.check_model(model)
    rng = np.random.default_rng(2)
    feeds = {"features_s16": rng.uniform(0, 6, (1, 576, 19, 19)).astype(np.float32),
             "features_s32": rng.uniform(0, 6, (1, 1280, 10, 10)).astype(np.float32)}
    want = ort.InferenceSession(reference, providers=["CPUExecutionProvider"]).run(None, feeds)
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(want, got))
    print(f"  float16 storage of {halved} weights: max output difference {diff:.2e}")
    if diff > 1e-3:
        sys.exit(f"float16 weight storage changed the outputs by {diff}")
    onnx.save(model, str(args.out))
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(json.dumps({"out": str(args.out), "bytes": args.out.stat().st_size, "sha256": digest}))


if __name__ == "__main__":
    main()
