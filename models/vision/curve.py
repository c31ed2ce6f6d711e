"""Would more photos like these reach the targets? The criteria probe's learning curve.

    .cache/train-venv/bin/python models/vision/curve.py --photos ../shared/photos --seed 0

For each fold K, the probe (probe.py's reading, `mean32+box16` by default: what ships) is
fitted on a random fraction of the other folds' clear photos, sampled by source image as the
folds are grouped, then calibrated (Platt, cross-fitted) and scored on fold K's photos as the
SDK sees them. Each fraction between 0 and 1 is drawn `--repeats` times. With `--only PREFIX`
only the photos whose id starts with PREFIX (`fy-`: one author's phone photos) are thinned
out, all others kept, and their errors are also counted apart: what photos of that kind are
worth. The category is decided by a Python replica of the policy's rule on the 171 clear
photos (valid when `package_visible` and `package_placed` are at least 0.70 and
`location_identifiable` at least 0.30); poor photos are left to the quality model and not
counted. At fraction 1 the replica agrees with `proofshot eval --cv` over probe.py's fold
models to within one photo (the SDK's one other false reject, `dbca-021`, is a clear photo the
quality model calls a non-photo).

`box16` is read with each fold's shipped detector, which trained on all of the fold's training
photos, so the smaller fractions get a better box than they would have had; `--reading mean32`
avoids that. Nothing here is shipped; the figures are recorded in models/README.md. Needs the
training environment (models/quality/requirements.txt) and reads probe.py's feature cache
(computing it where missing, about 6 minutes a seed).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe as P  # noqa: E402
import train as T  # noqa: E402

CRITICAL, WARNING = 0.70, 0.30  # the SDK's severity thresholds (core/src/severity.rs)


def load_group_of():
    """quality/train.py's grouping of photos by source image, which the folds are built on."""
    path = Path(__file__).resolve().parent.parent / "quality" / "train.py"
    spec = importlib.util.spec_from_file_location("quality_train", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.group_of


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--cache", type=Path, default=Path(".cache"))
    ap.add_argument("--views", type=int, default=T.VIEWS)
    ap.add_argument("--seed", type=int, action="append", help="seed of probe.py's augmented views (repeatable)")
    ap.add_argument("--fractions", default="0.25,0.5,0.75,1")
    ap.add_argument("--repeats", type=int, default=4, help="draws of each fraction between 0 and 1")
    ap.add_argument("--reading", default="mean32+box16", help="pooled maps, as in probe.py, joined by +")
    ap.add_argument("--only", metavar="PREFIX",
                    help="thin out only the photos whose id starts with PREFIX (keeping all others), "
                         "and count their errors apart; a fraction of 0 is then allowed")
    args = ap.parse_args()
    torch.set_num_threads(2)
    keys = args.reading.split("+")
    if unknown := [k for k in keys if k not in P.POOLS]:
        sys.exit(f"unknown reading {unknown}; choose from {list(P.POOLS)}")
    try:
        fractions = [float(f) for f in args.fractions.split(",")]
    except ValueError:
        sys.exit(f"--fractions: {args.fractions!r} is not a comma-separated list of numbers")
    if not all((0 <= f if args.only else 0 < f) and f <= 1 for f in fractions):
        low = "at least 0" if args.only else "above 0"
        sys.exit(f"--fractions: every fraction must be {low} and at most 1, got {args.fractions!r}")
    if args.repeats < 1:
        sys.exit("--repeats must be at least 1")

    rows = list(csv.DictReader(open(args.photos / "labels.csv")))
    folds = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(args.models / "cv" / "folds.csv"))}
    detectors = [P.load_heads(args.models / "cv" / f"fold-{k}" / "heads.onnx") for k in range(T.FOLDS)]
    group_of = load_group_of()
    groups = np.array([group_of(r) for r in rows])
    photo_fold = np.array([folds[r["id"]] for r in rows])
    clear = np.array([r["image_clear"] == "1" for r in rows])
    valid = np.array([r["category"] == "valid_pod" for r in rows])[clear]
    y = T.targets(rows)
    thin = np.array([r["id"].startswith(args.only or "") for r in rows])
    if not thin.any():
        sys.exit(f"--only: no photo's id starts with {args.only!r}")
    apart = thin[clear]

    which = f"`{args.only}` photos" if args.only else "training photos"
    extra = f" `{args.only}` false accepts | `{args.only}` false rejects |" if args.only else ""
    print(f"| seed | fraction of {which} | draws | false accepts | false rejects |{extra} "
          f"log loss ({', '.join(T.CRITERIA)}) |")
    print("|---|---|---|---|---|" + "---|" * (3 if args.only else 1))
    for seed in args.seed or [0]:
        data = P.pooled(argparse.Namespace(**{**vars(args), "seed": seed}), rows, detectors)
        owner, first = data["owner"], data["view"] == 0
        for fraction in fractions:
            draws = []
            for draw in range(args.repeats if 0 < fraction < 1 else 1):
                rng = random.Random(f"curve-{seed}-{fraction}-{draw}")
                logits = np.zeros((len(rows), len(T.CRITERIA)), np.float32)
                for k in range(T.FOLDS):
                    pool = sorted(set(groups[clear & thin & (photo_fold != k)]))
                    kept = set(rng.sample(pool, round(fraction * len(pool))))
                    train_photo = clear & (photo_fold != k) & (~thin | np.isin(groups, list(kept)))
                    x = np.concatenate([data[f"{p}@{k}" if p in P.DETECTOR_POOLS else p] for p in keys], axis=1)
                    w, b = T.fit_probe(x[train_photo[owner]], y[owner[train_photo[owner]]])
                    test = first & (photo_fold[owner] == k)
                    logits[owner[test]] = x[test] @ w + b
                prob = np.zeros_like(logits)
                for k, (scale, shift) in enumerate(T.fold_calibrations(logits, y, photo_fold, clear)):
                    here = photo_fold == k
                    prob[here] = T.sigmoid(scale * logits[here] + shift)
                p = prob[clear]
                judged = (p[:, 0] >= CRITICAL) & (p[:, 1] >= CRITICAL) & (p[:, 2] >= WARNING)
                loss = T.log_loss(p, y[clear])
                fa, fr = judged & ~valid, ~judged & valid
                draws.append((fa.sum(), fr.sum(), (fa & apart).sum(), (fr & apart).sum(), loss))
            mean = [np.mean([d[i] for d in draws], axis=0) for i in range(5)]
            counts = mean[:4] if args.only else mean[:2]
            print(f"| {seed} | {fraction:g} | {len(draws)} | " + " | ".join(f"{c:.2f}" for c in counts)
                  + f" | {' / '.join(f'{v:.3f}' for v in mean[4])} |", flush=True)


if __name__ == "__main__":
    main()
