"""How far do the frozen backbone's features go? Linear probes, judged by `proofshot eval --cv`.

    .cache/train-venv/bin/python models/vision/probe.py --photos ../shared/photos

The shipped heads (train.py) read the image-level criteria with a linear probe on the
averaged stride-32 map. This script measures that reading against others on the same frozen
features (more pooled maps, other L2 weights) and against itself on other augmented views
(`--seed`), which shows how far the figures move by chance: for each variant it fits
L2-regularised logistic probes per criterion on pooled feature maps of augmented views
(train.py's augmentation and backbone), fold by fold, calibrates them as train.py does (Platt,
cross-fitted), grafts each fold's probe onto that fold's heads in place of their `criteria`
output, and runs the real CLI over the photos with those fold models (`proofshot eval --cv`),
so the figures come from the SDK's own pre- and post-processing.

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
from onnx import helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train as T  # noqa: E402

POOLS = {
    "mean32": lambda f16, f32: f32.mean(axis=(1, 2)),
    "max32": lambda f16, f32: f32.max(axis=(1, 2)),
    "mean16": lambda f16, f32: f16.mean(axis=(1, 2)),
    "max16": lambda f16, f32: f16.max(axis=(1, 2)),
}
# (name, pooled features, L2 weight)
VARIANTS = [
    ("mean32, L2 1e-2", ("mean32",), 1e-2),
    ("mean32+mean16, L2 1e-2", ("mean32", "mean16"), 1e-2),
    ("mean32+mean16, L2 3e-2", ("mean32", "mean16"), 3e-2),
    ("mean32+max32+mean16+max16, L2 3e-3", ("mean32", "max32", "mean16", "max16"), 3e-3),
    ("mean32+max32+mean16+max16, L2 1e-2", ("mean32", "max32", "mean16", "max16"), 1e-2),
    ("mean32+max32+mean16+max16, L2 3e-2", ("mean32", "max32", "mean16", "max16"), 3e-2),
]


def pooled(args, rows: list[dict]) -> dict:
    """Pooled feature maps: `views` augmented views of each clear photo (view 0 as the SDK
    sees it), view 0 only of the poor ones (scored, never trained on)."""
    blob = (args.models / "backbone.onnx").read_bytes()
    key = hashlib.sha256(blob + json.dumps([args.views, args.seed, rows]).encode()).hexdigest()
    cache = args.cache / f"probe-features-{args.views}-{args.seed}.npz"
    data = T.cached(cache, key)
    if data is not None:
        return data
    sess = ort.InferenceSession(blob, providers=["CPUExecutionProvider"])
    out = {k: [] for k in POOLS} | {"owner": [], "view": []}
    for i, row in enumerate(rows):
        rng = random.Random(f"probe-{args.seed}-{row['id']}")
        im = T.load_photo(args.photos / row["file"])
        boxes = T.read_boxes(args.photos / "boxes" / f"{row['id']}.txt")
        for v in range(args.views if row["image_clear"] == "1" else 1):
            aug, _ = T.augment(im, boxes, rng, v)
            f16, f32 = sess.run(None, {"image": T.to_input(aug, T.SIDE)})
            for k, pool in POOLS.items():
                out[k].append(pool(f16[0], f32[0]))
            out["owner"].append(i)
            out["view"].append(v)
        if i % 40 == 0:
            print(f"  features {i + 1}/{len(rows)}", flush=True)
    data = {k: np.asarray(v, np.float32 if k in POOLS else np.int64) for k, v in out.items()}
    T.save_cached(cache, key, data)
    return data


def graft(heads: Path, keys: tuple[str, ...], w: np.ndarray, b: np.ndarray, cal, out: Path) -> None:
    """The fold's heads with `criteria` computed by the probe: pool, one matrix product,
    Platt scaling, sigmoid (w and b from train.fit_probe include the standardisation)."""
    m = onnx.load(str(heads))
    g = m.graph
    for node in g.node:
        node.output[:] = ["criteria_replaced" if o == "criteria" else o for o in node.output]
    ops = {"mean32": ("ReduceMean", "features_s32"), "max32": ("ReduceMax", "features_s32"),
           "mean16": ("ReduceMean", "features_s16"), "max16": ("ReduceMax", "features_s16")}
    for k in keys:
        op, src = ops[k]
        g.node.append(helper.make_node(op, [src], [f"probe_{k}"], axes=[2, 3], keepdims=0))  # opset 17
    for name, arr in (("probe_w", w), ("probe_b", b), ("probe_scale", cal[0]), ("probe_shift", cal[1])):
        g.initializer.append(numpy_helper.from_array(arr.astype(np.float32), name))
    g.node.extend([
        helper.make_node("Concat", [f"probe_{k}" for k in keys], ["probe_x"], axis=1),
        helper.make_node("MatMul", ["probe_x", "probe_w"], ["probe_xw"]),
        helper.make_node("Add", ["probe_xw", "probe_b"], ["probe_logit"]),
        helper.make_node("Mul", ["probe_logit", "probe_scale"], ["probe_scaled"]),
        helper.make_node("Add", ["probe_scaled", "probe_shift"], ["probe_cal"]),
        helper.make_node("Sigmoid", ["probe_cal"], ["criteria"]),
    ])
    onnx.checker.check_model(m)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, str(out))


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
    args = ap.parse_args()
    torch.set_num_threads(2)

    rows = list(csv.DictReader(open(args.photos / "labels.csv")))
    folds = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(args.models / "cv" / "folds.csv"))}
    data = pooled(args, rows)
    owner, view = data["owner"], data["view"]
    fold = np.array([folds[r["id"]] for r in rows])[owner]
    clear = np.array([r["image_clear"] == "1" for r in rows])[owner]
    y = T.targets(rows)[owner]

    print("| reading of the frozen features | accuracy | false accepts | false rejects |")
    print("|---|---|---|---|")
    print(summary("shipped fold heads (train.py)", evaluate(args, args.models / "cv")), flush=True)
    for name, keys, l2 in VARIANTS:
        x = np.concatenate([data[k] for k in keys], axis=1)
        weights, logits = [], np.zeros((len(owner), len(T.CRITERIA)), np.float32)
        for k in range(T.FOLDS):
            train_idx = np.where((fold != k) & clear)[0]
            w, b = T.fit_probe(x[train_idx], y[train_idx], l2)
            weights.append((w, b))
            test = fold == k
            logits[test] = x[test] @ w + b
        first = view == 0  # every photo's view 0, scored by the probe that never saw it
        with tempfile.TemporaryDirectory() as tmp:
            cv_dir = Path(tmp)
            for k in range(T.FOLDS):
                rest = first & clear & (fold != k)
                cal = T.platt(logits[rest], y[rest])  # cross-fitted, as in train.py
                fold_dir = cv_dir / f"fold-{k}"
                graft(args.models / "cv" / f"fold-{k}" / "heads.onnx", keys, *weights[k], cal, fold_dir / "heads.onnx")
                (fold_dir / "quality.onnx").symlink_to((args.models / "cv" / f"fold-{k}" / "quality.onnx").resolve())
            (cv_dir / "folds.csv").symlink_to((args.models / "cv" / "folds.csv").resolve())
            print(summary(name, evaluate(args, cv_dir)), flush=True)


if __name__ == "__main__":
    main()
