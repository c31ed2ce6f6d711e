"""Rebuild models/faces.onnx, the face detector behind on-device redaction.

Source: npm `@mediapipe/face_detection@0.4.1657300184` (Apache-2.0), file
`face_detection_full_range.tflite`: MediaPipe's BlazeFace full-range detector (faces up to
about 5 m from the camera). The short-range model in PyPI `mediapipe==0.10.14` is for selfies,
and the wheel's full-range model is the sparse variant, which tf2onnx cannot convert.

Steps: `npm pack` the package, convert the .tflite with tf2onnx, check the ONNX model against
TensorFlow Lite on random input, rename the tensors for the SDK, store the weights as float16
where that is exact, check again. Run from the repository root:

    python models/faces/convert_faces.py --work .cache/faces

(needs `models/vision/requirements-convert.txt` and `npm`).
"""

import argparse
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vision"))
from convert_backbone import rename_tensors, save_and_report, store_half, tflite_to_onnx  # noqa: E402

PACKAGE = "@mediapipe/face_detection@0.4.1657300184"
TFLITE_NAME = "face_detection_full_range.tflite"
RENAMES = {"input": "image", "reshaped_regressor_face_4": "boxes", "reshaped_classifier_face_4": "scores"}


def fetch_tflite(work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    out = work / TFLITE_NAME
    if not out.exists():
        subprocess.run(["npm", "pack", PACKAGE], cwd=work, check=True, stdout=subprocess.DEVNULL)
        tgz = next(work.glob("mediapipe-face_detection-*.tgz"))
        with tarfile.open(tgz) as tar:
            out.write_bytes(tar.extractfile(f"package/{TFLITE_NAME}").read())
    return out


def run_tflite(tflite: Path, x: np.ndarray) -> dict:
    import tensorflow as tf

    interp = tf.lite.Interpreter(str(tflite))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    return {RENAMES.get(d["name"], d["name"]): interp.get_tensor(d["index"]) for d in interp.get_output_details()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(".cache/faces"))
    ap.add_argument("--out", type=Path, default=Path("models/faces.onnx"))
    args = ap.parse_args()
    tflite = fetch_tflite(args.work)
    raw = args.work / "face_full_range_raw.onnx"
    tflite_to_onnx(tflite, raw)
    model = onnx.load(str(raw))
    rename_tensors(model, RENAMES)
    halved = store_half(model)
    model.doc_string = (
        f"BlazeFace full-range face detector (npm {PACKAGE}, Apache-2.0). image: [1,192,192,3] RGB "
        "scaled to [-1,1]; boxes: [1,2304,16] (dx, dy, w, h, then 6 keypoints, in input pixels, "
        "relative to a 48x48 grid of anchors); scores: [1,2304,1] logits."
    )
    onnx.checker.check_model(model)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 192, 192, 3)).astype(np.float32)
    want = run_tflite(tflite, x)
    got = dict(zip(["boxes", "scores"], ort.InferenceSession(model.SerializeToString()).run(["boxes", "scores"], {"image": x})))
    worst = max(float(np.abs(got[k] - want[k]).max()) for k in want)
    print(f"  {halved} weights stored as float16; max |onnx - tflite| = {worst:.2e}")
    if worst > 1e-3:
        sys.exit(f"converted detector differs from TensorFlow Lite by {worst}")
    save_and_report(model, args.out)


if __name__ == "__main__":
    main()
