"""Issue 19 study: the scene evidence as a few ImageNet class *groups* chosen by meaning, instead
of a probe on all 1000 log-probabilities.

    .cache/train-venv/bin/python models/vision/study_groups.py --out /tmp/groups

The shipped `criteria.onnx` (`fit_scene.py`) reads all 1000 classes through an L2 logistic
probe fitted on ~175 photos: room to learn the training photos' look. Here each criterion reads
the heads' probability and at most three numbers, each the log of the summed probability of a
group of classes named below before any photo was looked at (parcels; entrances and house
fronts; vehicles), combined by a logistic regression with sign constraints where the meaning
is clear (more parcel never lowers `package_visible`). The groups are fixed, so nothing but a
handful of weights is fitted.

Writes a complete model folder to `--out` (a copy of `models/` with its own `criteria.onnx` and
`cv/fold-K/criteria.onnx`, each fold's fusion fitted without that fold's photos), for
`proofshot eval --cv OUT/cv` and `proofshot eval --models OUT --labels ../shared/photos-dev/labels.csv`.
Measured on bundle 2026.12.3 (models/README.md, issue 19's table): cross-validated 0.845 and
0.811 on photos-dev, against the shipped fusion's 0.885 and 0.847; not shipped.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_scene import FUSED, N, criteria_nodes, logit, read, save, signals  # noqa: E402
from train import FOLDS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# ImageNet-1k class indices (the standard order EfficientNet-Lite0 was trained on), by meaning.
GROUPS = {
    # a parcel, a box, a bag, an envelope
    "parcel": [478, 519, 549, 692, 636, 728, 790, 588, 492],  # carton, crate, envelope, packet, mailbag,
    # plastic bag, shopping basket, hamper, chest
    # where a parcel is left: the door, the mat, the porch and what stands around an entrance
    "entrance": [539, 799, 706, 637, 716, 912, 489, 825, 858, 904, 905, 421, 789, 877, 738, 660],
    # doormat, sliding door, patio, mailbox, picket fence, worm fence, chainlink fence, stone wall,
    # tile roof, window screen, window shade, bannister, shoji, turnstile, pot (flowerpot), mobile home
    # a vehicle, outside or in
    "vehicle": [656, 675, 475, 785, 436, 468, 734, 864, 867, 569, 817, 479, 717, 609, 627, 511, 581, 654, 407, 757],
    # minivan, moving van, car mirror, seat belt, beach wagon, cab, police van, tow truck, trailer truck,
    # garbage truck, sports car, car wheel, pickup, jeep, limousine, convertible, grille, minibus,
    # ambulance, recreational vehicle
}
# which groups each criterion reads, and the sign each weight must have (+1: more of it, more
# belief; -1: less; 0: free)
READS = {
    "package_visible": [("parcel", +1)],
    "package_placed": [("parcel", +1), ("entrance", +1), ("vehicle", -1)],
    "location_identifiable": [("entrance", +1)],
}


def group_logs(logprobs: np.ndarray) -> dict[str, np.ndarray]:
    p = np.exp(logprobs)
    return {g: np.log(np.clip(p[:, idx].sum(1), 1e-6, 1.0)) for g, idx in GROUPS.items()}


class GroupFit:
    """sigmoid(a * logit(heads) + sum_g w_g * log P(group g) + c); a weight whose sign
    contradicts its meaning is dropped and the rest refitted."""

    def __init__(self, heads: np.ndarray, groups: dict[str, np.ndarray], y: np.ndarray, reads: list[tuple[str, int]], c: float):
        reads = list(reads)
        while True:
            x = np.c_[logit(heads), *[groups[g] for g, _ in reads]] if reads else logit(heads)[:, None]
            m = LogisticRegression(C=c, max_iter=5000).fit(x, y)
            coef = m.coef_[0]
            bad = [i for i, (_, s) in enumerate(reads) if s and np.sign(coef[1 + i]) != s]
            if not bad:
                break
            reads.pop(bad[0])
        self.reads = reads
        self.a = float(coef[0])
        self.w = {g: float(coef[1 + i]) for i, (g, _) in enumerate(reads)}
        self.c = float(m.intercept_[0])

    def predict(self, heads: np.ndarray, groups: dict[str, np.ndarray]) -> np.ndarray:
        z = self.a * logit(heads) + self.c + sum(w * groups[g] for g, w in self.w.items())
        return 1 / (1 + np.exp(-z))

    def __str__(self) -> str:
        return f"{self.a:.3f} * logit(heads) " + " ".join(f"{w:+.3f} * log P({g})" for g, w in self.w.items()) + f" {self.c:+.3f}"


def export(fits: list[GroupFit], path: Path, raise_only: tuple[bool, ...]) -> None:
    names = list(GROUPS)
    member = np.zeros((1000, len(names)), np.float32)
    for j, g in enumerate(names):
        member[GROUPS[g], j] = 1
    w = np.zeros((len(names), 3), np.float32)
    for i, f in enumerate(fits):
        for g, v in f.w.items():
            w[names.index(g), i] = v
    consts = {
        "member": member, "group_w": w, "tiny": np.array(1e-6, np.float32),
        "fuse_a": np.array([f.a for f in fits], np.float32), "fuse_b": np.ones(3, np.float32),
        "fuse_c": np.array([f.c for f in fits], np.float32), "raise_mask": np.array([raise_only], np.float32),
    }
    nodes = [
        N("Exp", ["logprobs"], ["probs"]),
        N("MatMul", ["probs", "member"], ["group_p"]),
        N("Clip", ["group_p", "tiny", "one"], ["group_pc"]),
        N("Log", ["group_pc"], ["group_log"]),
        N("MatMul", ["group_log", "group_w"], ["scene_term"]),
        *criteria_nodes("scene_term"),
    ]
    save(nodes, {"probe": [1, 4], "logprobs": [1, 1000]}, {"criteria": [1, 4]}, consts, path,
         "proofshot study_groups.py", "issue 19 study: the heads' criteria fused with ImageNet class groups")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=Path, default=ROOT.parent.parent / "shared" / "photos")
    ap.add_argument("--extra", type=Path, default=ROOT.parent.parent / "shared" / "photos-extra")
    ap.add_argument("--c", type=float, default=1.0, help="the fusion's inverse L2 strength")
    ap.add_argument("--raise-only", nargs="*", choices=FUSED, default=["package_visible", "package_placed"])
    ap.add_argument("--cache", type=Path, help="an .npz of the signals, reused when it exists")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    rows, folds = read(args.photos, args.extra)
    if args.cache and args.cache.exists():
        z = np.load(args.cache)
        probe, x = z["probe"], z["logprobs"]
    else:
        probe, x = signals(rows, folds)
        if args.cache:
            np.savez(args.cache, probe=probe, logprobs=x)
    groups = group_logs(x)
    y = {c: np.array([int(r[c]) for r in rows]) for c in FUSED}
    raise_only = tuple(k in args.raise_only for k in FUSED)

    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(ROOT, args.out, ignore=shutil.ignore_patterns("vision", "quality", "faces", "README.md", "*.json"))
    fits = [GroupFit(probe[:, i], groups, y[k], READS[k], args.c) for i, k in enumerate(FUSED)]
    for k, f in zip(FUSED, fits):
        print(f"{k}: {f}")
    export(fits, args.out / "criteria.onnx", raise_only)
    for f in range(FOLDS):
        keep = folds != f
        sub = {g: v[keep] for g, v in groups.items()}
        fold_fits = [GroupFit(probe[keep, i], sub, y[k][keep], READS[k], args.c) for i, k in enumerate(FUSED)]
        export(fold_fits, args.out / "cv" / f"fold-{f}" / "criteria.onnx", raise_only)
    print(f"wrote {args.out}/criteria.onnx and {args.out}/cv/fold-*/criteria.onnx")


if __name__ == "__main__":
    main()
