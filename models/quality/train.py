"""Trains ProofShot's image-quality model and exports it to ONNX.

    python models/quality/train.py --photos ../shared/photos

Writes models/quality.onnx (trained on every photo), models/cv/folds.csv (the 5-fold split
every trained model uses, grouped so that every copy of one source image, degraded or
re-exported, falls in one fold) and models/cv/fold-K/quality.onnx (trained without fold K),
which `proofshot eval --cv models/cv` uses to score each photo with a model that never saw it
or anything made from it.

Training images are generated (see synth.py) from the clear photos: exposure, crops, noise and
compression for "clear"; near-black, blown-out and heavily blurred versions for the poor
classes; and rendered screenshots, drawings, charts, documents and photos of screens for
"not a photo". The labelled poor photos in ../shared/photos are never trained on: they are
the check. CPU only; about 30 minutes on two cores.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import re
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "vision"))
import nonphoto  # noqa: E402  (models/vision/nonphoto.py: collages, adverts, screens, diagrams, renders)
import synth  # noqa: E402

FOLDS = 5
SEED = 20261122
# samples generated per clear photo, per kind
PER_BASE = {"clear": 10, "too_dark": 2, "overexposed": 2, "blurry": 4, "not_a_photo": 6}
# not-a-photo samples per clear photo drawn by models/vision/nonphoto.py (with --nonphoto-kinds)
PER_BASE_KINDS = 3
EPOCHS = 14
BATCH = 64


class QualityNet(nn.Module):
    """Five stride-2 conv blocks over a 192x192 RGB image, global average and max pooling,
    and a two-layer head with four independent sigmoid outputs."""

    def __init__(self) -> None:
        super().__init__()
        chans = [3, 16, 32, 48, 64, 96]
        layers: list[nn.Module] = []
        for cin, cout in zip(chans, chans[1:]):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        layers += [nn.Conv2d(96, 96, 3, 1, 1, bias=False), nn.BatchNorm2d(96), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(192, 64), nn.ReLU(inplace=True), nn.Dropout(0.2), nn.Linear(64, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: [N,3,192,192] in [0,1], returns logits
        f = self.features((x - 0.45) / 0.25)
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)
        return self.head(pooled)


class Exported(nn.Module):
    """What the ONNX file holds: the network with its sigmoid, so scores come out as probabilities."""

    def __init__(self, net: QualityNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(image))


def read_rows(photos: Path) -> list[dict]:
    with open(photos / "labels.csv", newline="") as f:
        return list(csv.DictReader(f))


def group_of(row: dict) -> str:
    """The source image a photo was made from: its source repository and file name, less a
    Roboflow export's suffix (`_jpg.rf.<hash>.jpg`) and the extension. Degraded copies keep
    their original's source, and Roboflow exported some images more than once (flipped,
    re-cropped, under `db-` and `dbca-`), so every copy of one image shares a group and a fold."""
    name = row["source_path"].rsplit("/", 1)[-1].split(".rf.")[0]
    name = re.sub(r"(_|\.)(jpe?g|png)$", "", name, flags=re.IGNORECASE)
    return f"{row['source'].split('@')[0]}:{name}"


def make_folds(rows: list[dict]) -> dict[str, int]:
    groups = sorted({group_of(r) for r in rows})
    random.Random(SEED).shuffle(groups)
    fold_of_group = {g: i % FOLDS for i, g in enumerate(groups)}
    return {r["id"]: fold_of_group[group_of(r)] for r in rows}


def _drawn_non_photo(rng: random.Random, base, box, others: list[str]):
    """One of nonphoto.py's kinds, chosen at random: a collage (with photos of the same fold
    only), a notification screen, a video thumbnail, a render, and where the photo's parcel is
    labelled an advert or a diagram; sometimes through a JPEG round trip."""
    kinds = ["collage", "notification", "thumbnail", "render"] + (["advert", "diagram"] if box else [])
    kind = rng.choice(kinds)
    if kind == "collage":
        im = nonphoto.collage(rng, [base] + [synth.load_photo(p) for p in rng.sample(others, min(3, len(others)))])
    elif kind == "notification":
        im = nonphoto.notification(rng, base)
    elif kind == "thumbnail":
        im = nonphoto.thumbnail(rng, base)
    elif kind == "render":
        im = nonphoto.render(rng)
    elif kind == "advert":
        im = nonphoto.advert(rng, base, box)
    else:
        im = nonphoto.diagram(rng, base, box)
    return synth._jpeg(im, rng.randint(40, 95)) if rng.random() < 0.5 else im


def _samples_for(args: tuple[str, str, int, int, list[str]]) -> list[tuple[np.ndarray, np.ndarray, str]]:
    path, owner, seed, kinds, others = args
    rng = random.Random(seed)
    base = synth.load_photo(path)
    box = nonphoto.package_box(Path(path).parent.parent / "boxes" / f"{owner}.txt") if kinds else None
    out = []
    makers = {
        "clear": lambda: synth.clear_variant(base, rng),
        "too_dark": lambda: synth.dark_variant(synth.clear_variant(base, rng), rng),
        "overexposed": lambda: synth.bright_variant(synth.clear_variant(base, rng), rng),
        "blurry": lambda: synth.blurry_variant(synth.clear_variant(base, rng), rng),
        "not_a_photo": lambda: synth.non_photo(rng, base),
    }
    for kind, n in PER_BASE.items():
        for _ in range(n):
            y = np.zeros(4, np.float32)
            if kind != "clear":
                y[synth.LABELS.index(kind)] = 1
            out.append((synth.to_input(makers[kind]()), y, owner))
    y = np.zeros(4, np.float32)
    y[synth.LABELS.index("not_a_photo")] = 1
    for _ in range(kinds):
        out.append((synth.to_input(_drawn_non_photo(rng, base, box, others)), y, owner))
    return out


def build_dataset(
    photos: Path, rows: list[dict], folds: dict[str, int], kinds: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every clear photo's generated samples; with `kinds`, that many of nonphoto.py's non-photos
    too, whose collages draw only on photos of the same fold."""
    bases = [r for r in rows if r["image_clear"] == "1"]
    jobs = [(str(photos / r["file"]), r["id"], int(hashlib.sha1(r["id"].encode()).hexdigest()[:8], 16) ^ SEED, kinds,
             [str(photos / o["file"]) for o in bases if kinds and folds[o["id"]] == folds[r["id"]] and o["id"] != r["id"]])
            for r in bases]
    with Pool(os.cpu_count() or 2) as pool:
        parts = pool.map(_samples_for, jobs, chunksize=4)
    flat = [s for p in parts for s in p]
    x = np.stack([s[0] for s in flat])
    y = np.stack([s[1] for s in flat])
    return x, y, [s[2] for s in flat]


def train(x: np.ndarray, y: np.ndarray, seed: int) -> QualityNet:
    torch.manual_seed(seed)
    net = QualityNet()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = EPOCHS * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    xt = torch.from_numpy(x)  # uint8 NHWC
    yt = torch.from_numpy(y)
    g = torch.Generator().manual_seed(seed)
    for epoch in range(EPOCHS):
        net.train()
        perm = torch.randperm(len(xt), generator=g)
        total = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            xb = xt[idx].permute(0, 3, 1, 2).float() / 255.0
            if torch.rand(1, generator=g).item() < 0.5:
                xb = xb.flip(3)
            loss = F.binary_cross_entropy_with_logits(net(xb), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"    epoch {epoch + 1}/{EPOCHS} loss {total / len(xt):.4f}", flush=True)
    net.eval()
    return net


def export(net: QualityNet, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    model = Exported(net).eval()
    dummy = torch.rand(1, 3, synth.SIZE, synth.SIZE)
    torch.onnx.export(model, (dummy,), str(path), input_names=["image"], output_names=["scores"],
                      opset_version=17, dynamo=False)
    import onnxruntime as ort  # check the file against torch
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"image": dummy.numpy()})[0]
    with torch.no_grad():
        want = model(dummy).numpy()
    assert np.abs(got - want).max() < 1e-4, f"onnx and torch disagree: {np.abs(got - want).max()}"
    print(f"  wrote {path} ({path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=Path, default=Path(__file__).resolve().parents[2] / ".." / "shared" / "photos")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--skip-folds", action="store_true", help="train only the shipped model")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--nonphoto-kinds", action=argparse.BooleanOptionalAction, default=False,
                    help=f"also {PER_BASE_KINDS} of models/vision/nonphoto.py's non-photos per clear photo")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    rows = read_rows(args.photos)
    folds = make_folds(rows)
    cv = args.out / "cv"
    cv.mkdir(parents=True, exist_ok=True)
    with open(cv / "folds.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "fold"])
        for r in rows:
            w.writerow([r["id"], folds[r["id"]]])

    t0 = time.time()
    x, y, owners = build_dataset(args.photos, rows, folds, PER_BASE_KINDS if args.nonphoto_kinds else 0)
    print(f"generated {len(x)} samples in {time.time() - t0:.0f}s; positives per label {y.sum(0).tolist()}", flush=True)
    # every sample is generated from one clear photo, and falls in that photo's fold
    fold_of_sample = np.array([folds[i] for i in owners])

    print("training the shipped model on every photo", flush=True)
    export(train(x, y, SEED), args.out / "quality.onnx")
    if args.skip_folds:
        return
    for k in range(FOLDS):
        keep = fold_of_sample != k
        print(f"fold {k}: training on {keep.sum()} samples", flush=True)
        export(train(x[keep], y[keep], SEED + k + 1), cv / f"fold-{k}" / "quality.onnx")


if __name__ == "__main__":
    main()
