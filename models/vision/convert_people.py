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
import sys
from pathlib import Path

import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_backbone import (  # noqa: E402
    FEATURES,
    check_against_tflite,
    check_half_storage,
    fetch_tflite,
    rename_tensors,
    save_and_report,
    store_half,
    tflite_to_onnx,
)

OUTPUTS = {"raw_outputs/box_encodings": "box_encodings", "raw_outputs/class_predictions": "class_logits"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(".cache/backbone"))
    ap.add_argument("--out", type=Path, default=Path("models/people.onnx"))
    args = ap.parse_args()
    tflite = fetch_tflite(args.work)
    full = args.work / "ssd_oidv4.onnx"
    if not full.exists():
        tflite_to_onnx(tflite, full)
    worst = check_against_tflite(tflite, full)
    if worst > 1e-3:
        sys.exit(f"converted detector differs from TensorFlow Lite by {worst}")
    cut = args.work / "ssd_head_raw.onnx"
    onnx.utils.extract_model(str(full), str(cut), list(FEATURES), list(OUTPUTS))
    model = onnx.load(str(cut))
    rename_tensors(model, {**FEATURES, **OUTPUTS})
    reference = model.SerializeToString()
    halved = store_half(model)
    model.doc_string = (
        "SSDLite extra layers and box predictors of MediaPipe's Open Images V4 detector (npm "
        "@mediapipe/objectron@0.4.1675468480, Apache-2.0), after backbone.onnx. features_s16 "
        "[1,576,19,19], features_s32 [1,1280,10,10] in; box_encodings [1,1917,4] (ty, tx, th, tw) "
        "and class_logits [1,1917,24] (0 background, 4 Person) out. Weights stored as float16."
    )
    onnx.checker.check_model(model)
    rng = np.random.default_rng(2)
    feeds = {"features_s16": rng.uniform(0, 6, (1, 576, 19, 19)).astype(np.float32),
             "features_s32": rng.uniform(0, 6, (1, 1280, 10, 10)).astype(np.float32)}
    check_half_storage(reference, model, feeds, halved, 1e-3)
    save_and_report(model, args.out)


if __name__ == "__main__":
    main()
