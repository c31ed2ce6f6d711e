"""How far do the frozen backbone's features go? Linear probes, judged by `proofshot eval --cv`.

    .cache/train-venv/bin/python models/vision/probe.py --photos ../shared/photos

The shipped heads (train.py) read the image-level criteria with a linear probe on the
averaged stride-32 map and the stride-16 map averaged over the detector's package box
(`mean32+box16`). This script measures that reading against others on the same frozen
features (more pooled maps, other L2 weights) and against itself on other augmented views
(`--seed`), which shows how far the figures move by chance: for each variant it fits
L2-regularised logistic probes per criterion on pooled feature maps of augmented views
(train.py's augmentation and backbone), fold by fold, calibrates them as train.py does (Platt,
cross-fitted), exports each fold's detector with that fold's probe in place of its `criteria`
output, and runs the real CLI over the photos with those fold models (`proofshot eval --cv`),
so the figures come from the SDK's own pre- and post-processing.

Five readings depend on the detector, and are computed for each fold with that fold's
detector (models/cv/fold-K/heads.onnx), as its exported heads compute them: `box16` and
`door16`, the stride-16 map averaged over the strongest package or door box, `around16`, the
same over the package box grown to three times its sides (what the parcel sits on and beside),
and `peak` and `doorpeak`, the package or door heatmap's highest logit.

Nothing here is shipped; the figures are recorded in models/README.md. Needs the training
environment (requirements in models/quality/requirements.txt) and target/release/proofshot.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train as T  # noqa: E402

# pooled maps: (f16 [n, 576, g, g], f32 [n, 1280, g', g'], heatmap logits, boxes) -> [n, size]
POOLS = {
    "mean32": lambda f16, f32, heat, box: f32.mean(dim=(2, 3)),
    "max32": lambda f16, f32, heat, box: f32.amax(dim=(2, 3)),
    "mean16": lambda f16, f32, heat, box: f16.mean(dim=(2, 3)),
    "max16": lambda f16, f32, heat, box: f16.amax(dim=(2, 3)),
    "box16": lambda f16, f32, heat, box: T.box_pool(f16, heat, box),
    "around16": lambda f16, f32, heat, box: T.box_pool(f16, heat, box, grow=3.0),
    "door16": lambda f16, f32, heat, box: T.box_pool(f16, heat, box, label=1),
    "peak": lambda f16, f32, heat, box: heat[:, 0].flatten(1).amax(dim=1, keepdim=True),
    "doorpeak": lambda f16, f32, heat, box: heat[:, 1].flatten(1).amax(dim=1, keepdim=True),
}
# computed per fold, with that fold's detector
DETECTOR_POOLS = ("box16", "around16", "door16", "peak", "doorpeak")
# (name, pooled features, L2 weight)
VARIANTS = [
    ("mean32, L2 1e-2", ("mean32",), 1e-2),
    ("mean32+mean16, L2 1e-2", ("mean32", "mean16"), 1e-2),
    ("mean32+mean16, L2 3e-2", ("mean32", "mean16"), 3e-2),
    ("mean32+max32+mean16+max16, L2 3e-3", ("mean32", "max32", "mean16", "max16"), 3e-3),
    ("mean32+max32+mean16+max16, L2 1e-2", ("mean32", "max32", "mean16", "max16"), 1e-2),
    ("mean32+max32+mean16+max16, L2 3e-2", ("mean32", "max32", "mean16", "max16"), 3e-2),
    ("mean32+box16, L2 1e-2", ("mean32", "box16"), 1e-2),
    ("mean32+peak, L2 1e-2", ("mean32", "peak"), 1e-2),
    ("mean32+box16+door16, L2 1e-2", ("mean32", "box16", "door16"), 1e-2),
    ("mean32+box16, L2 3e-3", ("mean32", "box16"), 3e-3),
    ("mean32+box16, L2 3e-2", ("mean32", "box16"), 3e-2),
    ("mean32+box16+doorpeak, L2 1e-2", ("mean32", "box16", "doorpeak"), 1e-2),
    ("mean32+box16+around16, L2 1e-2", ("mean32", "box16", "around16"), 1e-2),
    ("mean32+around16, L2 1e-2", ("mean32", "around16"), 1e-2),
]


def load_heads(path: Path) -> T.Heads:
    """The detector of an exported heads file (train.py's `Heads`, weights from the ONNX file)."""
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(str(path)).graph.initializer}
    net = T.Heads()
    net.load_state_dict({k.removeprefix("heads."): v for k, v in weights.items() if k.startswith("heads.")})
    return net.eval()


def reader(keys: tuple[str, ...]):
    """The probe's input for train.Exported: the pooled maps `keys`, side by side."""

    def read(f16: torch.Tensor, f32: torch.Tensor, heat: torch.Tensor, box: torch.Tensor) -> torch.Tensor:
        return torch.cat([POOLS[k](f16, f32, heat, box) for k in keys], dim=1)

    return read


def pooled(args, rows: list[dict], detectors: list[T.Heads]) -> dict:
    """Pooled feature maps: `views` augmented views of each clear photo (view 0 as the SDK
    sees it), view 0 only of the poor ones (scored, never trained on). The detector's readings
    are stored per fold, as "box16@K" for fold K's detector."""
    blob = (args.models / "backbone.onnx").read_bytes()
    heads = b"".join((args.models / "cv" / f"fold-{k}" / "heads.onnx").read_bytes() for k in range(T.FOLDS))
    key = hashlib.sha256(blob + heads + json.dumps([args.views, args.seed, rows, list(POOLS)]).encode()).hexdigest()
    cache = args.cache / f"probe-features-{args.views}-{args.seed}.npz"
    data = T.cached(cache, key)
    if data is not None:
        return data
    sess = ort.InferenceSession(blob, providers=["CPUExecutionProvider"])
    names = [k for k in POOLS if k not in DETECTOR_POOLS]
    names += [f"{k}@{fold}" for fold in range(T.FOLDS) for k in DETECTOR_POOLS]
    out = {k: [] for k in names} | {"owner": [], "view": []}
    for i, row in enumerate(rows):
        rng = random.Random(f"probe-{args.seed}-{row['id']}")
        im = T.load_photo(args.photos / row["file"])
        boxes = T.read_boxes(args.photos / "boxes" / f"{row['id']}.txt")
        for v in range(args.views if row["image_clear"] == "1" else 1):
            aug, _ = T.augment(im, boxes, rng, v)
            f16, f32 = (torch.from_numpy(a) for a in sess.run(None, {"image": T.to_input(aug, T.SIDE)}))
            with torch.no_grad():
                for k, pool in POOLS.items():
                    if k not in DETECTOR_POOLS:
                        out[k].append(pool(f16, f32, None, None)[0].numpy())
                for fold, net in enumerate(detectors):
                    heat, box = net(f16, f32)
                    for k in DETECTOR_POOLS:
                        out[f"{k}@{fold}"].append(POOLS[k](f16, f32, heat, box)[0].numpy())
            out["owner"].append(i)
            out["view"].append(v)
        if i % 40 == 0:
            print(f"  features {i + 1}/{len(rows)}", flush=True)
    data = {k: np.asarray(v, np.int64 if k in ("owner", "view") else np.float32) for k, v in out.items()}
    T.save_cached(cache, key, data)
    return data


def evaluate(args, cv_dir: Path) -> dict:
    """`proofshot eval --cv` over the photos with the fold models in cv_dir."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "figures.json"
        subprocess.run(
            [str(args.proofshot), "eval", "--labels", str(args.photos / "labels.csv"), "--cv", str(cv_dir),
             "--json", str(figures)],
            check=False, stdout=subprocess.DEVNULL,
        )
        return json.loads(figures.read_text())


def summary(name: str, fig: dict) -> str:
    return (f"| {name} | {fig['accuracy']:.3f} | {fig['false_accepts']} ({fig['false_accept_rate']:.3f}) "
            f"| {fig['false_rejects']} ({fig['false_reject_rate']:.3f}) |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--views", type=int, default=T.VIEWS)
    ap.add_argument("--seed", type=int, default=0, help="seed of the augmented views")
    ap.add_argument("--cache", type=Path, default=Path(".cache"))
    ap.add_argument("--proofshot", type=Path, default=Path("target/release/proofshot"))
    ap.add_argument("--variant", type=int, action="append",
                    help="measure only this variant (index into VARIANTS, from 0; repeatable)")
    args = ap.parse_args()
    torch.set_num_threads(2)

    rows = list(csv.DictReader(open(args.photos / "labels.csv")))
    folds = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(args.models / "cv" / "folds.csv"))}
    detectors = [load_heads(args.models / "cv" / f"fold-{k}" / "heads.onnx") for k in range(T.FOLDS)]
    data = pooled(args, rows, detectors)
    owner, view = data["owner"], data["view"]
    fold = np.array([folds[r["id"]] for r in rows])[owner]
    clear = np.array([r["image_clear"] == "1" for r in rows])[owner]
    y = T.targets(rows)[owner]

    print("| reading of the frozen features | accuracy | false accepts | false rejects |")
    print("|---|---|---|---|")
    print(summary("shipped fold heads (train.py)", evaluate(args, args.models / "cv")), flush=True)
    for name, keys, l2 in [VARIANTS[i] for i in args.variant] if args.variant else VARIANTS:
        weights, logits = [], np.zeros((len(owner), len(T.CRITERIA)), np.float32)
        for k in range(T.FOLDS):
            # fold K's probe reads fold K's detector
            x = np.concatenate([data[f"{p}@{k}" if p in DETECTOR_POOLS else p] for p in keys], axis=1)
            train_idx = np.where((fold != k) & clear)[0]
            w, b = T.fit_probe(x[train_idx], y[train_idx], l2)
            weights.append((w, b))
            test = fold == k
            logits[test] = x[test] @ w + b
        first = view == 0  # every photo's view 0, scored by the probe that never saw it
        with tempfile.TemporaryDirectory() as tmp:
            cv_dir = Path(tmp)
            for k, cal in enumerate(T.fold_calibrations(logits, y, fold, first & clear)):
                fold_dir = cv_dir / f"fold-{k}"
                T.export(T.Exported(detectors[k], weights[k], cal, reader(keys)), fold_dir / "heads.onnx", T.SIDE)
                (fold_dir / "quality.onnx").symlink_to((args.models / "cv" / f"fold-{k}" / "quality.onnx").resolve())
            (cv_dir / "folds.csv").symlink_to((args.models / "cv" / "folds.csv").resolve())
            print(summary(name, evaluate(args, cv_dir)), flush=True)


if __name__ == "__main__":
    main()
