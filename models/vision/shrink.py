"""Shrinks the shipped models in place (issue 23): int8 weights, one backbone for both input
sizes, and `people.onnx` cut to the classes the SDK reads.

    python models/vision/shrink.py                # every model below, and the fold models
    python models/vision/shrink.py models/heads.onnx ...

Needs only `onnx` and `numpy` (and `ml_dtypes`, which `onnx` brings). Every rebuild of a shipped
model ends with it (`make convert-backbone`, `train-vision`, `train-quality`, `convert-scene`); a
file that is already shrunk is left as it is, and the same input gives the same bytes.

**int8 weights.** Every convolution, Gemm and MatMul weight of 256 values or more, with 16
output channels or more, is stored as symmetric int8 with one scale per output channel, behind a
`DequantizeLinear` whose output keeps the weight's old name. Each channel clips where the least
squared error lies (from 0.50 to 1.00 of its largest magnitude). Depthwise convolutions (nine
weights a channel, a small share of the bytes and the most sensitive to rounding) keep their
type, float16 or float32; so do layers with fewer than 16 outputs, score layers read against
thresholds. `people.onnx`'s largest weight is int4 (opset 21). The SDK opens `heads.onnx`,
`heads-guide.onnx` and `quality.onnx` with `session.disable_quant_qdq`, so ONNX Runtime folds
each dequantization into a float32 constant when the session is built: compute stays float32
and no run pays for it. `people.onnx` it opens without, so its weights stay int8 (and int4) in
memory and each run dequantizes them. `backbone.onnx` is then quantized whole, activations
too, by `int8_compute.py`, and `scene.onnx` by `convert_scene.py` with it: both run in int8, and
this script leaves them as they are.

**One backbone.** MobileNetV2 is fully convolutional: `backbone.onnx`'s input side is made a
free dimension, `side`, which the SDK sets to 300 for verification and 192 for live guidance
when it builds each session, so the guidance copy (`backbone-guide.onnx`, the same weights) is
no longer shipped.

**people.onnx's classes.** The SDK reads three of the detector's 24 classes: Person, Vehicle and
Car (`core/src/vision/objects.rs`). Scores are per-class sigmoids, so the other classes' output
channels of the six class predictors can be cut without changing the three (background
included): `class_logits` becomes `[1, 1917, 3]` in that order.

The figures each choice was checked by (cross-validated and photos-dev accuracy, within one point
of the float models) are in `models/README.md`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import onnx
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
# the bundle's models shrunk here; scene.onnx is quantized whole by convert_scene.py, criteria.onnx
# is 30 kB, faces.onnx is redaction's (counted apart)
SHIPPED = ["backbone.onnx", "heads.onnx", "heads-guide.onnx", "people.onnx", "quality.onnx"]
FOLD_MODELS = ["heads.onnx", "quality.onnx"]

# the detector's label map, background first (object_detection_oidv4_labelmap.txt)
PEOPLE_CLASSES = 24
KEPT_CLASSES = [4, 18, 23]  # Person, Vehicle, Car
# people.onnx's largest weight (512 x 256 x 3 x 3, the first SSDLite extra layer: 1.2 M of the
# bundle's weights), stored as int4: see the module's docstring
PEOPLE_INT4 = "layer_19_2_Conv2d_2_3x3_s2_512"
MIN_VALUES = 256
# Layers with fewer outputs than this are score layers, read against thresholds (heads.onnx's
# criteria, the detectors' class and box predictors with few anchors): they keep their float
# weights. Quantizing heads.onnx's criteria weights (1856 x 4) moved three photos-dev verdicts.
MIN_OUTPUTS = 16


def channel_scales(rows: np.ndarray, levels: int) -> np.ndarray:
    """Per-row scales for symmetric quantization to [-levels, levels]: each row's clipping range
    is the one of 0.50, 0.51, ..., 1.00 times its largest magnitude that leaves the least squared
    error (max-magnitude scaling wastes the grid on a few outliers)."""
    top = np.abs(rows).max(axis=1)
    top[top == 0] = 1e-8
    best, best_err = top / levels, np.full(rows.shape[0], np.inf)
    for r in np.linspace(0.5, 1.0, 51):
        scale = top * r / levels
        err = ((np.clip(np.round(rows / scale[:, None]), -levels, levels) * scale[:, None] - rows) ** 2).sum(axis=1)
        better = err < best_err
        best[better], best_err[better] = scale[better], err[better]
    return best


def producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    return {o: n for n in graph.node for o in n.output}


def weight_source(
    made: dict[str, onnx.NodeProto], name: str, inits: dict[str, onnx.TensorProto]
) -> tuple[str, onnx.NodeProto | None]:
    """The initializer behind a weight input: itself, or the float16 one a Cast widens."""
    if name in inits:
        return name, None
    node = made.get(name)
    if node is not None and node.op_type == "Cast" and node.input[0] in inits:
        return node.input[0], node
    return "", None


def output_axis(node: onnx.NodeProto, weight: np.ndarray) -> int | None:
    """The axis of a weight that indexes output channels, or None when it is not to be quantized."""
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "Conv":
        if weight.ndim != 4 or weight.shape[1] == 1 and attrs.get("group", 1) > 1:
            return None  # depthwise
        return 0
    if node.op_type == "Gemm" and weight.ndim == 2:
        return 0 if attrs.get("transB", 0) else 1
    if node.op_type == "MatMul" and weight.ndim == 2:
        return 1
    return None


def quantize_weights(model: onnx.ModelProto, bits: int = 8, only: str = "") -> int:
    """Stores the model's large weights as symmetric per-output-channel integers of `bits` (8, or
    4 for the weights whose consumer's output name contains `only`); returns how many changed.
    Weights already behind a DequantizeLinear are left alone."""
    levels = 2 ** (bits - 1) - 1
    dtype = np.int8 if bits == 8 else ml_dtypes.int4
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    made = producers(g)
    done: set[str] = set()
    added: list[onnx.TensorProto] = []
    new_nodes: list[onnx.NodeProto] = []
    removed_casts: set[str] = set()
    for node in g.node:
        if node.op_type not in ("Conv", "Gemm", "MatMul") or len(node.input) < 2 or only not in node.output[0]:
            continue
        source, cast = weight_source(made, node.input[1], inits)
        if not source or source in done:
            continue
        w = numpy_helper.to_array(inits[source]).astype(np.float32)
        axis = output_axis(node, w)
        if axis is None or w.size < MIN_VALUES or w.shape[axis] < MIN_OUTPUTS:
            continue
        scale = channel_scales(np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1), levels)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -levels, levels).astype(np.int8).astype(dtype)
        added.extend([
            numpy_helper.from_array(q, f"{source}_q{bits}"),
            numpy_helper.from_array(scale.astype(np.float32), f"{source}_scale"),
            numpy_helper.from_array(np.zeros(w.shape[axis], dtype), f"{source}_zero"),
        ])
        out_name = cast.output[0] if cast is not None else source
        new_nodes.append(helper.make_node(
            "DequantizeLinear", [f"{source}_q{bits}", f"{source}_scale", f"{source}_zero"], [out_name], axis=axis,
        ))
        if cast is not None:
            removed_casts.add(cast.output[0])
        done.add(source)
    kept = [t for t in g.initializer if t.name not in done]
    del g.initializer[:]
    g.initializer.extend(kept + added)
    rest = [n for n in g.node if not (n.op_type == "Cast" and n.output[0] in removed_casts)]
    del g.node[:]
    g.node.extend(new_nodes + rest)
    if bits == 4 and done:
        for o in model.opset_import:
            if o.domain in ("", "ai.onnx"):
                o.version = max(o.version, 21)  # int4 DequantizeLinear
        model.ir_version = max(model.ir_version, 10)
    return len(done)


def keep_people_classes(model: onnx.ModelProto) -> bool:
    """Cuts the class predictors of people.onnx to KEPT_CLASSES; False when already cut."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    made = producers(g)
    convs = [n for n in g.node if n.op_type == "Conv" and "ClassPredictor" in n.output[0]]
    if not convs:
        sys.exit("people.onnx: no ClassPredictor convolutions found")
    shapes = {n.input[1] for n in g.node if n.op_type == "Reshape"} & set(inits)
    class_shape = [s for s in shapes if numpy_helper.to_array(inits[s]).tolist() == [1, -1, PEOPLE_CLASSES]]
    if not class_shape:
        if any(numpy_helper.to_array(inits[s]).tolist() == [1, -1, len(KEPT_CLASSES)] for s in shapes):
            return False
        sys.exit("people.onnx: the class reshape [1, -1, 24] was not found")
    for conv in convs:
        for slot in (1, 2):
            source, _ = weight_source(made, conv.input[slot], inits)
            if not source:
                sys.exit(f"people.onnx: {conv.name} input {slot} is not a stored weight")
            a = numpy_helper.to_array(inits[source])
            anchors = a.shape[0] // PEOPLE_CLASSES
            rows = [k * PEOPLE_CLASSES + c for k in range(anchors) for c in KEPT_CLASSES]
            inits[source].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(a[rows]), source))
    for s in class_shape:
        inits[s].CopyFrom(numpy_helper.from_array(np.array([1, -1, len(KEPT_CLASSES)], np.int64), s))
    del g.value_info[:]  # the shapes tf2onnx recorded for the 24 classes, now wrong
    for out in g.output:
        if out.name == "class_logits":
            out.type.tensor_type.shape.dim[2].dim_value = len(KEPT_CLASSES)
    model.doc_string = model.doc_string.replace(
        "class_logits [1,1917,24] (0 background, 4 Person)", "class_logits [1,1917,3] (Person, Vehicle, Car)"
    )
    return True


def free_side(model: onnx.ModelProto) -> bool:
    """Makes the backbone's input side a free dimension, `side` (the maps' sides follow), so that
    one file and one session serve verification (300 px) and live guidance (192 px). False when
    it is free already."""
    dims = model.graph.input[0].type.tensor_type.shape.dim
    if dims[1].dim_param == "side":
        return False
    for d in (dims[1], dims[2]):
        d.Clear()
        d.dim_param = "side"
    for out in model.graph.output:
        for d, name in zip(out.type.tensor_type.shape.dim[2:], ("rows", "cols")):
            d.Clear()
            d.dim_param = f"{out.name}_{name}"
    del model.graph.value_info[:]  # the shapes recorded for 300 px
    return True


def quantized_whole(model: onnx.ModelProto) -> bool:
    """Whether activations are quantized too (a `QuantizeLinear` node), not the weights alone:
    `int8_compute.py`'s models, which run in int8."""
    return any(n.op_type == "QuantizeLinear" for n in model.graph.node)


def shrink(path: Path) -> None:
    model = onnx.load(str(path))
    before = path.stat().st_size
    if quantized_whole(model):
        print(f"{path}: already int8 compute, quantized whole by int8_compute.py ({before:,} bytes)")
        return
    done = []
    if path.name == "backbone.onnx" and free_side(model):
        done.append("input side free")
    if path.name == "people.onnx" and keep_people_classes(model):
        done.append(f"{len(KEPT_CLASSES)} of {PEOPLE_CLASSES} classes")
    n = quantize_weights(model, 4, PEOPLE_INT4) if path.name == "people.onnx" else 0
    done += [f"{n} weights int4"] if n else []
    n = quantize_weights(model, 8)
    done += [f"{n} weights int8"] if n else []
    if not done:
        print(f"{path}: already shrunk ({before:,} bytes)")
        return
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    tmp = path.with_suffix(".onnx.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    print(f"{path}: {before:,} -> {len(data):,} bytes ({', '.join(done)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="models to shrink (default: the shipped ones and the fold models)")
    args = ap.parse_args()
    files = args.files or [MODELS / f for f in SHIPPED] + sorted(
        p for f in FOLD_MODELS for p in (MODELS / "cv").glob(f"fold-*/{f}")
    )
    for f in files:
        shrink(f)


if __name__ == "__main__":
    main()
