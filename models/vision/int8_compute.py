"""Quantizes a model whole, weights and activations, so that it runs in int8 (issue 23).

    .cache/train-venv/bin/python models/vision/int8_compute.py backbone   # models/backbone.onnx

`convert_scene.py` calls `quantize` for `scene.onnx`; the backbone, rebuilt by
`convert_backbone.py` and stored with int8 weights by `shrink.py`, is quantized from that file
here (its weights are dequantized to float32 first, then quantized again). A model that is
already quantized whole is left as it is, and the same input gives the same bytes.

**How.** ONNX Runtime's static quantizer in QDQ form: symmetric int8 weights, one scale per
output channel; uint8 activations whose ranges are the 99.999th percentile of what the training
photos produce, each photo as the SDK feeds the model. Percentile beat min-max and entropy
calibration on the training photos (the outputs stay closest to float32's). The SDK opens these
models with ONNX Runtime's QDQ fusion on (`Runtime::int8_session`), which turns each
`DequantizeLinear`, operator, `QuantizeLinear` group into an integer kernel (`QLinearConv`, ...):
the weights stay int8 in memory and the convolutions run in int8. The models whose weights only
are int8 (`shrink.py`) are instead folded back to float32 when their sessions are built, which
keeps float32 copies of the weights resident (`models/README.md`, "int8 compute").

**Smaller files.** The quantizer stores each bias's scale, the product of its input's scale and
its weight's, as one more per-channel array; here it becomes a `Mul` of the two, which ONNX
Runtime folds at load before it fuses the groups. All-zero weight zero points are dropped (zero
is the default), and tensors and nodes get short names (the quantizer's were 150 KB in
`scene.onnx`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

from shrink import quantized_whole
from train import SIDE, load_photo, to_input

ROOT = Path(__file__).resolve().parents[1]


def to_float(data: bytes) -> bytes:
    """The model with every `DequantizeLinear` of a constant folded into a float32 weight (ONNX
    Runtime's basic, hardware-independent optimizations: constant folding and the like)."""
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    so.add_session_config_entry("session.disable_quant_qdq", "1")
    with tempfile.TemporaryDirectory() as d:
        so.optimized_model_filepath = str(Path(d) / "float.onnx")
        ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
        return Path(so.optimized_model_filepath).read_bytes()


def quantize(fp32: bytes, feeds: Callable[[], Iterable[dict]], fixed: dict[str, int] | None = None) -> onnx.ModelProto:
    """`fp32` quantized whole, its activation ranges calibrated on `feeds()` (input name to
    array). `fixed` sets free input dimensions for calibration (the backbone's `side`); they are
    free again in the result."""
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    model = onnx.load_from_string(fp32)
    fixed = fixed or {}
    free = {}
    for v in model.graph.input:
        for i, d in enumerate(v.type.tensor_type.shape.dim):
            if d.dim_param in fixed:
                free[(v.name, i)] = d.dim_param
                d.dim_value = fixed[d.dim_param]  # dim_value and dim_param are one field

    class Photos(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(feeds())

        def get_next(self) -> dict | None:
            return next(self.it, None)

    with tempfile.TemporaryDirectory() as d:
        raw, src, dst = Path(d) / "raw.onnx", Path(d) / "fp32.onnx", Path(d) / "int8.onnx"
        onnx.save(model, str(raw))
        # folds an export's shape arithmetic (EfficientNet's "same" padding, computed per run)
        # into constants, so that only the network is quantized and stored
        quant_pre_process(str(raw), str(src))
        quantize_static(str(src), str(dst), Photos(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.Percentile)
        model = onnx.load(str(dst))
    g = model.graph
    for v in g.input:
        for i, d in enumerate(v.type.tensor_type.shape.dim):
            if (v.name, i) in free:
                d.ClearField("dim_value")
                d.dim_param = free[(v.name, i)]
    for v in g.output if free else []:  # spatial sizes that followed a fixed one are free too
        for d in v.type.tensor_type.shape.dim[2:]:
            d.ClearField("dim_value")
    return short_names(compact(model))


def compact(model: onnx.ModelProto) -> onnx.ModelProto:
    """Bias scales computed from the two scales they are the product of; all-zero weight zero
    points dropped."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    dq_of = {n.output[0]: n for n in g.node if n.op_type == "DequantizeLinear"}
    drop, mul = set(), []
    for node in g.node:
        if node.op_type not in ("Conv", "Gemm") or len(node.input) < 3:
            continue
        bias, x, w = dq_of.get(node.input[2]), dq_of.get(node.input[0]), dq_of.get(node.input[1])
        if not (bias and x and w) or bias.input[1] not in inits:
            continue
        want = numpy_helper.to_array(inits[bias.input[1]])
        got = numpy_helper.to_array(inits[x.input[1]]) * numpy_helper.to_array(inits[w.input[1]])
        if got.shape != want.shape or not np.array_equal(got.astype(np.float32), want):
            continue
        drop.add(bias.input[1])
        name = bias.input[1] + "_mul"
        mul.append(helper.make_node("Mul", [x.input[1], w.input[1]], [name]))
        bias.input[1] = name
    for node in g.node:
        if node.op_type == "DequantizeLinear" and len(node.input) == 3 and node.input[2] in inits:
            zp = numpy_helper.to_array(inits[node.input[2]])
            if zp.dtype == np.int8 and zp.ndim == 1 and not zp.any():
                drop.add(node.input[2])
                del node.input[2]
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name not in drop or i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = mul + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    return model


def short_names(model: onnx.ModelProto) -> onnx.ModelProto:
    """Names every node and inner tensor by a short number."""
    g = model.graph
    keep = {v.name for v in list(g.input) + list(g.output)}
    names: dict[str, str] = {}

    def short(name: str) -> str:
        if not name or name in keep:
            return name
        return names.setdefault(name, f"t{len(names)}")

    for init in g.initializer:
        init.name = short(init.name)
    for node in g.node:
        node.name = ""
        node.input[:] = [short(n) for n in node.input]
        node.output[:] = [short(n) for n in node.output]
    del g.value_info[:]
    onnx.checker.check_model(model)
    return model


def session(data: bytes, fold: bool = False) -> ort.InferenceSession:
    """A session as the SDK opens a model: one thread; int8 weights folded to float32 at load
    (`fold`, `Runtime::session`) or kept, QDQ groups fused into int8 kernels
    (`Runtime::int8_session`)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.add_session_config_entry("session.disable_quant_qdq", "1" if fold else "0")
    return ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", choices=["backbone"])
    ap.add_argument("--photos", type=Path, default=ROOT.parent.parent / "shared" / "photos")
    args = ap.parse_args()
    path = ROOT / f"{args.model}.onnx"
    data = path.read_bytes()
    if quantized_whole(onnx.load_from_string(data)):
        print(f"{path}: already int8 compute ({len(data):,} bytes)")
        return
    rows = list(csv.DictReader(open(args.photos / "labels.csv")))
    images = [to_input(load_photo(args.photos / r["file"]), SIDE) for r in rows]
    fp32 = to_float(data)
    model = quantize(fp32, lambda: ({"image": x} for x in images), fixed={"side": SIDE})
    model.doc_string = "MobileNetV2 (MediaPipe's Open Images SSD), int8: image [1,side,side,3] in [-1,1]"
    out = model.SerializeToString()

    a, b = session(data, fold=True), session(out, fold=False)
    shift = []
    for x in images:
        for p, q in zip(a.run(None, {"image": x}), b.run(None, {"image": x})):
            shift.append(np.linalg.norm(p - q) / np.linalg.norm(p))
    print(f"int8 compute on {len(images)} training photos: feature maps moved by a median "
          f"{np.median(shift):.3f} of their norm (max {np.max(shift):.3f})")
    path.write_bytes(out)
    print(f"wrote {path}: {len(out):,} bytes, sha256 {hashlib.sha256(out).hexdigest()}")


if __name__ == "__main__":
    main()
