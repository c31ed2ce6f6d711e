"""Trains ProofShot's vision heads on the frozen backbone and exports them to ONNX.

    python models/vision/train.py --photos ../shared/photos

The backbone (models/backbone.onnx, MediaPipe's SSD-MobileNetV2 feature extractor, see
convert_backbone.py) stays frozen: every photo is augmented, run through the exact ONNX
backbone the SDK ships, and the small heads are trained on the cached feature maps.

Writes models/heads.onnx (trained on every labelled photo), models/heads-guide.onnx (the
same weights for the guidance backbone's smaller feature maps: the heads are convolutional
with global pooling, and train on both sizes) and models/cv/fold-K/heads.onnx (trained
without fold K of models/cv/folds.csv, the split the quality model uses), which `proofshot
eval --cv models/cv` uses so that no photo is scored by heads that saw it.

Heads (input: the backbone's `features_s16` [1,576,19,19] and `features_s32` [1,1280,10,10]):
- a CenterNet-style detector on the 19x19 grid for two classes, package and door:
  `heatmap` [1,2,19,19] (centre probability), `boxes` [1,4,19,19] (centre offset in the
  cell, width and height as fractions of the image);
- image-level `criteria` [1,4]: probabilities of package_visible, package_placed,
  location_identifiable and held_in_hand, from a linear probe on the stride-32 map averaged
  over the image and the stride-16 map averaged over the detector's strongest package box
  (L2-regularised logistic regression over the augmented views, fitted apart from the
  detector, each fold's probe on its own detector's boxes; probe.py compares this reading of
  the features with others).

At the guidance size (192 px) the maps are [1,576,12,12] and [1,1280,6,6] and the grid 12x12.

Poor photos (image_clear = 0) are left out: the quality model judges them. CPU only; about
20 minutes on two cores (feature maps are cached in .cache/).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

SEED = 20261122
SIDE = 300  # backbone input for verification (core/src/vision.rs BACKBONE_SIDE)
GUIDE_SIDE = 192  # backbone input for live guidance (core/src/vision.rs GUIDE_SIDE)
WORK = 1024  # working frame long side (core/src/resample.rs WORKING_LONG_SIDE)
GUIDE_VIEWS = 6  # augmented views per photo at the guidance size
FOLDS = 5
VIEWS = 16  # augmented views per photo, view 0 is the photo as the SDK sees it
EPOCHS = 14
BATCH = 64
HIDDEN = 64
PROBE_L2 = 1e-2  # the criteria probe's L2 weight (on standardised features)
CRITERIA = ("package_visible", "package_placed", "location_identifiable", "held_in_hand")
CLASSES = ("package", "door")
# the photo sources whose box files label doors (elsewhere doors are unlabelled, except where
# DOORS labels them)
DOOR_LABELLED_PREFIX = ("dd-",)
# the project's own door labels for photos whose box files have none (see models/README.md)
DOORS = Path(__file__).resolve().parent / "doors.csv"


class Heads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.reduce16 = nn.Conv2d(576, HIDDEN, 1)
        self.reduce32 = nn.Conv2d(1280, HIDDEN, 1)
        self.mix = nn.Conv2d(HIDDEN, HIDDEN, 3, padding=1)
        self.det = nn.Conv2d(HIDDEN, len(CLASSES) + 4, 1)
        with torch.no_grad():
            self.det.bias[: len(CLASSES)] = -4.0

    def forward(self, f16: torch.Tensor, f32: torch.Tensor):
        grid = (f16.shape[2], f16.shape[3])
        up = F.interpolate(self.reduce32(f32), size=grid, mode="bilinear", align_corners=False)
        h = F.relu(self.mix(F.relu(self.reduce16(f16) + up)))
        d = self.det(h)
        return d[:, : len(CLASSES)], torch.sigmoid(d[:, len(CLASSES) :])


def probe_input(f16: torch.Tensor, f32: torch.Tensor, heat: torch.Tensor, box: torch.Tensor) -> torch.Tensor:
    """What the criteria probe reads: the stride-32 map averaged over the image (the scene) and
    the stride-16 map averaged over the strongest package box (the parcel), [n, 1280 + 576]."""
    return torch.cat([f32.mean(dim=(2, 3)), box_pool(f16, heat, box)], dim=1)


def box_pool(f16: torch.Tensor, heat: torch.Tensor, box: torch.Tensor, label: int = 0, grow: float = 1.0) -> torch.Tensor:
    """The stride-16 map averaged over the cells of the strongest box of `label` (an index into
    CLASSES; the package by default): the detector's peak cell, its box decoded as the SDK
    decodes it (core/src/vision.rs `decode`), its sides times `grow` about its centre, and every
    cell the box touches (at least one). [n, 576, g, g], [n, 2, g, g], [n, 4, g, g] -> [n, 576]."""
    n, _, g, _ = f16.shape
    peak = heat[:, label].flatten(1).argmax(dim=1)
    at = torch.gather(box.flatten(2), 2, peak[:, None, None].expand(n, 4, 1))[:, :, 0].clamp(0, 1)
    cx = ((peak % g).float() + at[:, 0]) / g
    cy = (torch.div(peak, g, rounding_mode="floor").float() + at[:, 1]) / g
    cells = torch.arange(g, dtype=torch.float32)

    def span(centre: torch.Tensor, size: torch.Tensor) -> torch.Tensor:
        lo = torch.floor((centre - size / 2).clamp(0, 1) * g).clamp(max=g - 1)
        hi = torch.maximum(torch.ceil((centre + size / 2).clamp(0, 1) * g), lo + 1)
        return ((cells[None] >= lo[:, None]) & (cells[None] < hi[:, None])).float()

    def side(k: int) -> torch.Tensor:  # no multiplication in the graph where grow is 1
        return at[:, k] if grow == 1 else at[:, k] * grow

    mask = span(cy, side(3))[:, :, None] * span(cx, side(2))[:, None, :]
    return (f16 * mask[:, None]).sum(dim=(2, 3)) / mask.sum(dim=(1, 2))[:, None]


class Exported(nn.Module):
    """What the SDK runs: the detector's heatmap and boxes, and the criteria probe's
    calibrated probabilities. The probe reads `read(f16, f32, heat, box)`: `probe_input` in
    what ships, other readings of the maps in probe.py."""

    def __init__(
        self,
        heads: Heads,
        probe: tuple[np.ndarray, np.ndarray],
        calibration: tuple[np.ndarray, np.ndarray],
        read=probe_input,
    ) -> None:
        super().__init__()
        self.heads, self.read = heads, read
        for name, value in zip(("weight", "bias", "scale", "shift"), (*probe, *calibration)):
            self.register_buffer(name, torch.tensor(value, dtype=torch.float32))

    def forward(self, features_s16: torch.Tensor, features_s32: torch.Tensor):
        heat, box = self.heads(features_s16, features_s32)
        logits = self.read(features_s16, features_s32, heat, box) @ self.weight + self.bias
        return torch.sigmoid(logits * self.scale + self.shift), torch.sigmoid(heat), box


def platt(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Platt scaling per criterion: sigmoid(scale * logit + shift) fitted by maximum
    likelihood to out-of-fold logits, with Platt's smoothed targets."""
    scale, shift = np.ones(logits.shape[1], np.float32), np.zeros(logits.shape[1], np.float32)
    for j in range(logits.shape[1]):
        y = labels[:, j]
        pos, neg = y.sum(), len(y) - y.sum()
        target = torch.tensor(np.where(y == 1, (pos + 1) / (pos + 2), 1 / (neg + 2)), dtype=torch.float64)
        x = torch.tensor(logits[:, j], dtype=torch.float64)
        ab = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([ab], max_iter=200, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(ab[0] * x + ab[1], target)
            loss.backward()
            return loss

        opt.step(closure)
        scale[j], shift[j] = float(ab[0].detach()), float(ab[1].detach())
    return scale, shift


def fold_calibrations(logits: np.ndarray, labels: np.ndarray, fold_of: np.ndarray, usable: np.ndarray | None = None):
    """Platt scaling cross-fitted: fold K's calibration is fitted on the out-of-fold logits of
    the other folds' rows only (those `usable`, all by default), so that no photo's own label
    sets the calibration it is scored with. One (scale, shift) per fold."""
    usable = np.ones(len(fold_of), bool) if usable is None else usable
    return [platt(logits[usable & (fold_of != k)], labels[usable & (fold_of != k)]) for k in range(FOLDS)]


# ------------------------------------------------------------------ data


def load_photo(path: Path) -> Image.Image:
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    im.thumbnail((WORK, WORK), Image.BOX)
    return im


def is_held(row: dict) -> bool:
    """A parcel held in a hand or arms: the `held_in_hand` subgroup, or, where the subgroup was
    not recorded, a labeller's note that starts with "held:"."""
    return row["subgroup"] == "held_in_hand" or row["note"].startswith("held:")


def targets(rows: list[dict]) -> np.ndarray:
    """Image-level targets, one row per photo: the three vision criteria's labels and held in hand."""
    return np.array([[float(r[c]) for c in CRITERIA[:3]] + [float(is_held(r))] for r in rows], np.float32)


def read_boxes(path: Path) -> list[tuple[int, float, float, float, float]] | None:
    if not path.exists():
        return None
    out = []
    for line in path.read_text().split("\n"):
        parts = line.split()
        if len(parts) == 5:
            cls = {0: 0, 3: 1}.get(int(parts[0]))
            if cls is not None:
                cx, cy, w, h = map(float, parts[1:])
                out.append((cls, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return out


def read_doors(ids: set[str], path: Path = DOORS) -> dict[str, list[tuple[int, float, float, float, float]]]:
    """The project's door labels: photo id -> its door boxes (class 1, corners as fractions of
    the photo as loaded), an empty list where it has no door. Photos marked `unsure`, and photos
    not listed, are absent: their doors stay unknown. Every row's id must be one of `ids` (the
    photos in labels.csv)."""
    doors: dict[str, list] = {}
    for r in csv.DictReader(open(path)):
        if r["id"] not in ids:
            raise ValueError(f"{path}: {r['id']} is not a photo in labels.csv")
        if r["door"] == "yes":
            corners = tuple(float(r[c]) for c in ("x0", "y0", "x1", "y1"))
            if not (0 <= corners[0] < corners[2] <= 1 and 0 <= corners[1] < corners[3] <= 1):
                raise ValueError(f"{path}: {r['id']}: door box {corners} is not inside the photo")
            doors.setdefault(r["id"], []).append((1, *corners))
        elif r["door"] == "no":
            doors.setdefault(r["id"], [])
        elif r["door"] != "unsure":
            raise ValueError(f"{path}: {r['id']}: door is {r['door']!r}, not yes, no or unsure")
    return doors


def photo_boxes(photos: Path, row: dict, doors: dict) -> tuple[list | None, bool, bool]:
    """A photo's boxes (None where none are labelled), and whether its packages and its doors
    are known: a class is known where the labels would show every box of it."""
    boxes = read_boxes(photos / "boxes" / f"{row['id']}.txt")
    package_known = (boxes is not None and any(b[0] == 0 for b in boxes)) or row["package_visible"] == "0"
    door_known = row["id"].startswith(DOOR_LABELLED_PREFIX) and boxes is not None
    if row["id"] in doors:
        boxes = [b for b in boxes or [] if b[0] != 1] + doors[row["id"]]
        door_known = True
    return boxes, package_known, door_known


def augment(im: Image.Image, boxes, rng: random.Random, view: int):
    """A randomly cropped, flipped and re-lit copy, and the boxes moved with it."""
    if view == 0:
        return im, boxes
    w, h = im.size
    for _ in range(10):
        sx, sy = rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0)
        x0, y0 = rng.uniform(0, 1 - sx), rng.uniform(0, 1 - sy)
        moved, lost_package = [], False
        for cls, a, b, c, d in boxes or []:
            na, nb = (max(a, x0) - x0) / sx, (max(b, y0) - y0) / sy
            nc, nd = (min(c, x0 + sx) - x0) / sx, (min(d, y0 + sy) - y0) / sy
            keep = nc > na and nd > nb and (nc - na) * (nd - nb) * sx * sy >= 0.5 * (c - a) * (d - b)
            if keep:
                moved.append((cls, na, nb, nc, nd))
            elif cls == 0:
                lost_package = True
        if not lost_package:
            break
    else:
        x0, y0, sx, sy, moved = 0.0, 0.0, 1.0, 1.0, list(boxes or [])
    im = im.crop((int(x0 * w), int(y0 * h), int((x0 + sx) * w), int((y0 + sy) * h)))
    if rng.random() < 0.5:
        im = ImageOps.mirror(im)
        moved = [(cls, 1 - c, b, 1 - a, d) for cls, a, b, c, d in moved]
    im = ImageEnhance.Brightness(im).enhance(rng.uniform(0.6, 1.4))
    im = ImageEnhance.Contrast(im).enhance(rng.uniform(0.7, 1.3))
    im = ImageEnhance.Color(im).enhance(rng.uniform(0.6, 1.4))
    if rng.random() < 0.2:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.0)))
    return im, (moved if boxes is not None else None)


def grids(side: int) -> tuple[int, int]:
    """The backbone's two feature-map sides for an input side (stride 16 and 32, SAME padding)."""
    return -(-side // 16), -(-side // 32)


def to_input(im: Image.Image, side: int) -> np.ndarray:
    """The backbone's view: box-filtered, stretched to the square, NHWC in [-1, 1]."""
    a = np.asarray(im.resize((side, side), Image.BOX), dtype=np.float32)
    return (a / 127.5 - 1.0)[None]


def det_targets(boxes, door_known: bool, package_known: bool, grid: int):
    """Heatmap targets (Gaussian at each box centre), box targets and masks on the grid."""
    heat = np.zeros((len(CLASSES), grid, grid), np.float32)
    box = np.zeros((4, grid, grid), np.float32)
    pos = np.zeros((grid, grid), np.float32)
    ys, xs = np.mgrid[0:grid, 0:grid]
    for cls, a, b, c, d in boxes or []:
        cx, cy = (a + c) / 2 * grid, (b + d) / 2 * grid
        gx, gy = min(int(cx), grid - 1), min(int(cy), grid - 1)
        sigma = max(0.5, 0.15 * max((c - a), (d - b)) * grid)
        g = np.exp(-((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * sigma**2))
        heat[cls] = np.maximum(heat[cls], g)
        box[:, gy, gx] = (cx - gx, cy - gy, c - a, d - b)
        pos[gy, gx] = 1.0
    mask = np.array([package_known, door_known], np.float32)
    return heat, box, pos, mask


def build(photos: Path, rows: list[dict], doors: dict, backbone: bytes, side: int, views: int):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(backbone, opts, providers=["CPUExecutionProvider"])
    g16, g32 = grids(side)
    n = len(rows) * views
    f16 = np.zeros((n, 576, g16, g16), np.float16)
    f32 = np.zeros((n, 1280, g32, g32), np.float16)
    heat = np.zeros((n, len(CLASSES), g16, g16), np.float32)
    box = np.zeros((n, 4, g16, g16), np.float32)
    pos = np.zeros((n, g16, g16), np.float32)
    mask = np.zeros((n, len(CLASSES)), np.float32)
    owner = np.zeros(n, np.int64)
    view_of = np.zeros(n, np.int64)
    start = time.time()
    i = 0
    for k, row in enumerate(rows):
        rng = random.Random(f"{SEED}-{side}-{row['id']}")
        im = load_photo(photos / row["file"])
        boxes, package_known, door_known = photo_boxes(photos, row, doors)
        for v in range(views):
            aug, moved = augment(im, boxes, rng, v)
            a, b = sess.run(None, {"image": to_input(aug, side)})
            f16[i], f32[i] = a[0], b[0]
            heat[i], box[i], pos[i], mask[i] = det_targets(moved, door_known, package_known, g16)
            owner[i], view_of[i] = k, v
            i += 1
        if k % 20 == 0:
            print(f"  features {k + 1}/{len(rows)} ({time.time() - start:.0f} s)", flush=True)
    return dict(f16=f16, f32=f32, heat=heat, box=box, pos=pos, mask=mask, owner=owner, view=view_of)


# ------------------------------------------------------------------ training


def focal(logits, target, mask):
    """CenterNet's penalty-reduced focal loss, per class, masked where labels are unknown."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg = 1 - pos
    lpos = -torch.log(p) * (1 - p) ** 2 * pos
    lneg = -torch.log(1 - p) * p**2 * (1 - target) ** 4 * neg
    m = mask[:, :, None, None]
    npos = (pos * m).sum().clamp(min=1)
    return ((lpos + lneg) * m).sum() / npos


def batch_loss(net: Heads, data: dict, b: np.ndarray) -> torch.Tensor:
    f16 = torch.from_numpy(data["f16"][b].astype(np.float32))
    f32 = torch.from_numpy(data["f32"][b].astype(np.float32))
    heat, box = net(f16, f32)
    l_heat = focal(heat, torch.from_numpy(data["heat"][b]), torch.from_numpy(data["mask"][b]))
    pos = torch.from_numpy(data["pos"][b])[:, None]
    l_box = (F.l1_loss(box, torch.from_numpy(data["box"][b]), reduction="none") * pos).sum() / pos.sum().clamp(min=1)
    return l_heat + 2.0 * l_box


def train(data: dict, idx: np.ndarray, guide: dict, guide_idx: np.ndarray, seed: int, epochs: int = EPOCHS) -> Heads:
    """Trains the detector on the verification-size features, with a guidance-size batch every third
    step so the same weights serve both grids."""
    torch.manual_seed(seed)
    net = Heads()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=5e-2)
    steps = epochs * ((len(idx) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    rng = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        net.train()
        order = idx[rng.permutation(len(idx))]
        for s in range(0, len(idx), BATCH):
            loss = batch_loss(net, data, order[s : s + BATCH])
            if step % 3 == 0:
                loss = loss + 0.5 * batch_loss(net, guide, guide_idx[rng.integers(0, len(guide_idx), BATCH // 2)])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
    net.eval()
    return net


def probe_inputs(net: Heads, data: dict) -> np.ndarray:
    """`probe_input` for every view of `data`, with `net` finding the package box."""
    out = []
    with torch.no_grad():
        for s in range(0, len(data["f16"]), 256):
            f16 = torch.from_numpy(data["f16"][s : s + 256].astype(np.float32))
            f32 = torch.from_numpy(data["f32"][s : s + 256].astype(np.float32))
            heat, box = net(f16, f32)
            out.append(probe_input(f16, f32, heat, box).numpy())
    return np.concatenate(out)


def fit_probe(x: np.ndarray, y: np.ndarray, l2: float = PROBE_L2) -> tuple[np.ndarray, np.ndarray]:
    """The criteria probe: logistic regression per criterion on standardised pooled features,
    L2-regularised, by L-BFGS, with plain cross-entropy, light label smoothing and no class
    weights, so that the probabilities keep the photos' base rates and the policy's fixed
    thresholds (0.70 critical, 0.30 warning) apply to them as they are. Returns the weight
    and bias with the standardisation folded in (logits = x @ weight + bias)."""
    mu, sd = x.mean(0), x.std(0) + 1e-3
    xt = torch.from_numpy((x - mu) / sd)
    yt = torch.from_numpy(y * 0.9 + 0.05)
    w = torch.zeros(x.shape[1], y.shape[1], requires_grad=True)
    b = torch.zeros(y.shape[1], requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=150, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(xt @ w + b, yt) + l2 * (w**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    w, b = w.detach().numpy(), b.detach().numpy()
    return (w / sd[:, None]).astype(np.float32), (b - (mu / sd) @ w).astype(np.float32)


def export(model: Exported, path: Path, side: int) -> None:
    """Writes heads for features of a `side` backbone input, and checks the file against
    PyTorch."""
    path.parent.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    g16, g32 = grids(side)
    gen = torch.Generator().manual_seed(0)
    args = (torch.rand(1, 576, g16, g16, generator=gen) * 6, torch.rand(1, 1280, g32, g32, generator=gen) * 6)
    torch.onnx.export(
        model,
        args,
        str(path),
        input_names=["features_s16", "features_s32"],
        output_names=["criteria", "heatmap", "boxes"],
        opset_version=17,
        dynamo=False,
    )
    with torch.no_grad():
        want = [t.numpy() for t in model(*args)]
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"features_s16": args[0].numpy(), "features_s32": args[1].numpy()})
    diff = max(float(np.abs(a - b).max()) for a, b in zip(want, got))
    if diff > 1e-4:
        sys.exit(f"{path}: ONNX differs from PyTorch by {diff}")


def cached(path: Path, key: str) -> dict | None:
    """The arrays saved at `path` if they were saved under `key` (see `save_cached`), else None."""
    if not path.exists():
        return None
    with np.load(path) as data:
        if "key" not in data or data["key"].item() != key:
            return None
        return {k: data[k] for k in data.files if k != "key"}


def save_cached(path: Path, key: str, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, key=np.array(key), **data)


def features(args, rows: list[dict], doors: dict, backbone: Path, side: int, views: int) -> dict:
    """The augmented views' feature maps, cached in .cache/ keyed by everything they depend on."""
    blob = backbone.read_bytes()
    key = hashlib.sha256(blob + json.dumps([side, views, SEED, rows, doors]).encode()).hexdigest()
    cache = args.cache / f"vision-features-{side}.npz"
    data = cached(cache, key)
    if data is not None:
        print(f"features from {cache}")
        return data
    print(f"features at {side} px, {views} views per photo")
    data = build(args.photos, rows, doors, blob, side, views)
    save_cached(cache, key, data)
    return data


def log_loss(prob: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Log loss of probabilities [n, criteria] against 0/1 labels, per criterion."""
    p = np.clip(prob, 1e-6, 1 - 1e-6)
    return -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p), axis=0)


def report(name: str, oof: np.ndarray, labels: np.ndarray) -> None:
    """Out-of-fold accuracy and log loss of the calibrated probabilities."""
    for j, (c, nll) in enumerate(zip(CRITERIA, log_loss(oof, labels))):
        acc = ((oof[:, j] >= 0.5) == (labels[:, j] == 1)).mean()
        print(f"  out-of-fold {name} {c}: accuracy at 0.5 = {acc:.3f}, log loss {nll:.3f}")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--out", type=Path, default=Path("models"))
    ap.add_argument("--views", type=int, default=VIEWS)
    ap.add_argument("--cache", type=Path, default=Path(".cache"))
    args = ap.parse_args()
    torch.set_num_threads(2)

    labelled = list(csv.DictReader(open(args.photos / "labels.csv")))
    try:
        doors = read_doors({r["id"] for r in labelled})
    except ValueError as e:
        sys.exit(str(e))
    rows = [r for r in labelled if r["image_clear"] == "1"]
    folds = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(args.out / "cv" / "folds.csv"))}
    data = features(args, rows, doors, args.out / "backbone.onnx", SIDE, args.views)
    guide = features(args, rows, doors, args.out / "backbone.onnx", GUIDE_SIDE, GUIDE_VIEWS)
    fold_of = np.array([folds[r["id"]] for r in rows])
    labels = targets(rows)
    # image-level targets per view, from the labels as read now
    for d in (data, guide):
        d["labels"] = labels[d["owner"]]

    # every fold's detector and probes, and out-of-fold logits for every photo at both sizes
    nets, probes, probes_guide = [], [], []
    oof, oof_guide = np.zeros((len(rows), len(CRITERIA))), np.zeros((len(rows), len(CRITERIA)))
    for k in range(FOLDS):
        t = time.time()
        train_idx = np.where(fold_of[data["owner"]] != k)[0]
        guide_idx = np.where(fold_of[guide["owner"]] != k)[0]
        nets.append(train(data, train_idx, guide, guide_idx, SEED + k))
        for d, idx, out, fitted in ((data, train_idx, oof, probes), (guide, guide_idx, oof_guide, probes_guide)):
            x = probe_inputs(nets[k], d)  # this fold's detector finds the box, as its exported heads do
            w, b = fit_probe(x[idx], d["labels"][idx])
            test = np.where((fold_of[d["owner"]] == k) & (d["view"] == 0))[0]
            out[d["owner"][test]] = x[test] @ w + b
            fitted.append((w, b))
        print(f"fold {k}: {time.time() - t:.0f} s", flush=True)

    # Calibration, cross-fitted for the fold models; the shipped probes are calibrated on
    # every photo's out-of-fold logits.
    calibrated = np.zeros_like(oof)
    for k, cal in enumerate(fold_calibrations(oof, labels, fold_of)):
        calibrated[fold_of == k] = sigmoid(oof[fold_of == k] * cal[0] + cal[1])
        export(Exported(nets[k], probes[k], cal), args.out / "cv" / f"fold-{k}" / "heads.onnx", SIDE)
    report("verify", calibrated, labels)
    cal, cal_guide = platt(oof, labels), platt(oof_guide, labels)
    report("guide", sigmoid(oof_guide * cal_guide[0] + cal_guide[1]), labels)
    print(f"calibration (scale, shift) per criterion: verify {cal}, guide {cal_guide}")

    net = train(data, np.arange(len(data["owner"])), guide, np.arange(len(guide["owner"])), SEED + 99)
    for d, c, name, side in ((data, cal, "heads.onnx", SIDE), (guide, cal_guide, "heads-guide.onnx", GUIDE_SIDE)):
        export(Exported(net, fit_probe(probe_inputs(net, d), d["labels"]), c), args.out / name, side)
    for f in ("heads.onnx", "heads-guide.onnx"):
        path = args.out / f
        print(f"wrote {path}: {path.stat().st_size} bytes, sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
