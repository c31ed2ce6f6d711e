"""Study (not shipped): does a location probe learn "no delivery location" from generated
photos of the training parcels on plain backgrounds (plain.py)?

    python models/vision/study_plain.py --photos ../shared/photos --dev ../shared/photos-dev

For each clear training photo: the photo and two random crops; for each photo with a
labelled parcel: three cut-outs on plain backgrounds (location 0) and three on a door photo
without a parcel from the same fold (location 1). The probe reads what the shipped probe
reads (the stride-32 map averaged over the image, the stride-16 map over the shipped
detector's strongest package box), an L2 logistic regression fitted per fold of
models/cv/folds.csv and Platt-calibrated on the real photos' out-of-fold logits only. It
prints, for the real photos only, the not-identifiable photos caught and the identifiable
ones kept (cross-validated, at the policy's warning threshold 0.3), and, where --dev is
given, the same on that folder and the category changes it would make to `proofshot verify
--format jsonl` output given with --verdicts (photos-dev is only measured, never fitted on).

Needs numpy, pillow, onnxruntime and scikit-learn; about 3 minutes on two cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nonphoto import package_box  # noqa: E402
from plain import plain_sample, scene_sample  # noqa: E402

MODELS = Path(__file__).resolve().parents[1]
GRID = 19
WARNING = 0.3


class Reader:
    """The shipped backbone and heads, and the probe's input as train.py's `probe_input`."""

    def __init__(self) -> None:
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        self.bb = ort.InferenceSession(str(MODELS / "backbone.onnx"), so)
        self.hd = ort.InferenceSession(str(MODELS / "heads.onnx"), so)

    def __call__(self, im: Image.Image) -> np.ndarray:
        a = np.asarray(im.resize((300, 300), Image.BOX), np.float32)[None] / 127.5 - 1
        f16, f32 = self.bb.run(None, {"image": a})
        _, heat, box = self.hd.run(None, {"features_s16": f16, "features_s32": f32})
        py, px = divmod(int(heat[0, 0].argmax()), GRID)
        at = np.clip(box[0, :, py, px], 0, 1)
        cx, cy = (px + at[0]) / GRID, (py + at[1]) / GRID

        def span(c: float, s: float) -> np.ndarray:
            lo = min(np.floor(np.clip(c - s / 2, 0, 1) * GRID), GRID - 1)
            hi = max(np.ceil(np.clip(c + s / 2, 0, 1) * GRID), lo + 1)
            return (np.arange(GRID) >= lo) & (np.arange(GRID) < hi)

        mask = span(cy, at[3])[:, None] & span(cx, at[2])[None]
        return np.concatenate([f32[0].mean((1, 2)), f16[0][:, mask].mean(1)])


def load(path: Path) -> Image.Image:
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    im.thumbnail((1024, 1024), Image.BOX)
    return im


def samples(photos: Path, read: Reader):
    folds = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(MODELS / "cv" / "folds.csv"))}
    rows = [r for r in csv.DictReader(open(photos / "labels.csv")) if r["image_clear"] == "1"]
    scenes: dict[int, list[dict]] = {}
    for r in rows:
        if r["package_visible"] == "0" and r["location_identifiable"] == "1":
            scenes.setdefault(folds[r["id"]], []).append(r)
    x, y, fold, kind = [], [], [], []

    def add(v, label, k, what):
        x.append(v), y.append(label), fold.append(k), kind.append(what)

    for r in rows:
        rng = random.Random("plain-" + r["id"])
        im, k, label = load(photos / r["file"]), folds[r["id"]], int(r["location_identifiable"])
        add(read(im), label, k, "real")
        for _ in range(2):
            w, h = im.size
            sx, sy = rng.uniform(0.8, 1), rng.uniform(0.8, 1)
            x0, y0 = rng.uniform(0, 1 - sx), rng.uniform(0, 1 - sy)
            crop = im.crop((int(x0 * w), int(y0 * h), int((x0 + sx) * w), int((y0 + sy) * h)))
            add(read(ImageOps.mirror(crop) if rng.random() < 0.5 else crop), label, k, "crop")
        box = package_box(photos / "boxes" / f"{r['id']}.txt")
        if box is None:
            continue
        for _ in range(3):
            add(read(plain_sample(im, box, rng)), 0, k, "plain")
            scene = load(photos / rng.choice(scenes[k])["file"])
            add(read(scene_sample(im, box, scene, rng)), 1, k, "scene")
    return np.array(x), np.array(y), np.array(fold), np.array(kind)


def fit(x: np.ndarray, y: np.ndarray):
    scale = StandardScaler().fit(x)
    model = LogisticRegression(C=0.01, max_iter=3000).fit(scale.transform(x), y)
    return lambda v: model.decision_function(scale.transform(v))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--dev", type=Path, help="a labelled folder to measure on (never fitted on)")
    ap.add_argument("--verdicts", type=Path, help="`proofshot verify --format jsonl` output for --dev")
    args = ap.parse_args()
    read = Reader()
    x, y, fold, kind = samples(args.photos, read)
    dev = list(csv.DictReader(open(args.dev / "labels.csv"))) if args.dev else []
    dx = np.array([read(load(args.dev / r["file"])) for r in dev]) if dev else None
    verdicts = {}
    if args.verdicts:
        verdicts = {Path(j["path"]).stem: j for j in map(json.loads, open(args.verdicts))}
    real = kind == "real"
    for design, used in (
        ("photos only", np.isin(kind, ["real", "crop"])),
        ("+ plain cut-outs", np.isin(kind, ["real", "crop", "plain"])),
        ("+ plain and scene cut-outs", np.ones(len(kind), bool)),
    ):
        oof = np.zeros(len(y))
        for k in range(5):
            oof[fold == k] = fit(x[used & (fold != k)], y[used & (fold != k)])(x[fold == k])
        cal = LogisticRegression(C=1e6).fit(oof[real][:, None], y[real])
        prob = lambda z: cal.predict_proba(z[:, None])[:, 1]  # noqa: E731
        p, t = prob(oof[real]), y[real]
        line = f"{design:28} CV: not identifiable caught {((p < WARNING) & (t == 0)).sum()}/{(t == 0).sum()}, identifiable kept {((p >= WARNING) & (t == 1)).sum()}/{(t == 1).sum()}"
        if dev:
            pd = prob(fit(x[used], y[used])(dx))
            sub = np.array([r["subgroup"] for r in dev])
            line += f" | dev no_location caught {((pd < WARNING) & (sub == 'no_location')).sum()}/{(sub == 'no_location').sum()}"
            changed = []
            for r, q in zip(dev, pd):
                j = verdicts.get(r["id"])
                if j is None:
                    continue
                failing = [c for c, v in j["criteria"].items() if not v["passed"]]
                now = j["category"]
                if now == "valid_pod" and q < WARNING:
                    now = "invalid_pod"
                elif now == "invalid_pod" and failing == ["location_identifiable"] and q >= WARNING:
                    now = "valid_pod"
                if now != j["category"]:
                    changed.append(f"{r['id']} ({r['subgroup']}) {j['category']} -> {now}, truth {r['category']}")
            if verdicts:
                right = sum((verdicts[r["id"]]["category"] == r["category"]) for r in dev if r["id"] in verdicts)
                fixed = sum(c.endswith("truth " + c.split(" -> ")[1].split(",")[0]) for c in changed)
                line += f" | categories: {len(changed)} change, {fixed} to the truth, {len(changed) - fixed} away (was {right}/{len(verdicts)} right)"
        print(line)
        for c in changed if dev and verdicts else []:
            print("   ", c)


if __name__ == "__main__":
    main()
