"""Measures a rule on the shipped person detector as evidence of "held in a hand" (not shipped).

    .cache/train-venv/bin/python models/vision/eval_people.py --photos ../shared/photos

The rule: a parcel is held when a person (`people.onnx`, the Open Images SSD's own predictors
on the backbone's maps, from 0.3 as in redaction) stands over it: the centre of the strongest
package box lies inside the person's box, widened by a quarter of its width on each side, and
above the lowest `1 - --lift` of it, so that a parcel at someone's feet does not count. The
package box comes from the detector of the fold that never saw the photo (`models/cv/fold-K`),
as `proofshot eval --cv` finds it. Every clear photo is run at 300 px as the SDK sees it, and
the rule's hits are counted among the held parcels, the other invalid photos and the valid ones.
Nothing here trains on the photos, so the figures hold for porches the data does not show, of
the kind it does. People are decoded as `core/src/people.rs` decodes them; as a check of that,
the script also counts the photos in which it finds a person, among those with a face marked in
`models/faces/face-points.csv` and the others, as `proofshot redact --people --points` does.
Needs the training environment (models/quality/requirements.txt).
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train as T  # noqa: E402

PERSON, PERSON_THRESHOLD, NMS_IOU = 0, 0.3, 0.45  # core/src/vision/objects.rs (people.onnx keeps Person, Vehicle, Car)
BOX_THRESHOLD = 0.3  # core/src/vision.rs


def anchors() -> np.ndarray:
    """MediaPipe's SSD anchors for the detector, as `core/src/people.rs` builds them: [1917, 4]
    centre x, centre y, width, height as fractions of the input."""
    strides = [16, 32, 64, 128, 256, 512]

    def scale(layer: int) -> float:
        return 0.2 + (0.95 - 0.2) * layer / (len(strides) - 1)

    out = []
    for layer, stride in enumerate(strides):
        if layer == 0:
            shapes = [(1.0, 0.1), (2.0, scale(0)), (0.5, scale(0))]
        else:
            following = 1.0 if layer == len(strides) - 1 else scale(layer + 1)
            shapes = [(r, scale(layer)) for r in (1.0, 2.0, 0.5, 3.0, 1 / 3)]
            shapes.append((1.0, (scale(layer) * following) ** 0.5))
        side = -(-T.SIDE // stride)
        for y in range(side):
            for x in range(side):
                out += [((x + 0.5) / side, (y + 0.5) / side, s * r**0.5, s / r**0.5) for r, s in shapes]
    return np.array(out, np.float32)


def iou(a, b) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def people(sess: ort.InferenceSession, grid: np.ndarray, s16: np.ndarray, s32: np.ndarray) -> list:
    """(score, [x, y, w, h]) of every person from PERSON_THRESHOLD, after non-maximum suppression."""
    enc, logits = sess.run(["box_encodings", "class_logits"], {"features_s16": s16, "features_s32": s32})
    score = 1 / (1 + np.exp(-np.clip(logits[0, :, PERSON], -100, 100)))
    found = []
    for i in np.flatnonzero(score >= PERSON_THRESHOLD):
        ax, ay, aw, ah = grid[i]
        ty, tx, th, tw = enc[0, i]
        cx, cy, w, h = tx / 10 * aw + ax, ty / 10 * ah + ay, np.exp(tw / 5) * aw, np.exp(th / 5) * ah
        x0, y0, x1, y1 = np.clip([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 0, 1)
        if x1 > x0 and y1 > y0:
            found.append((float(score[i]), [x0, y0, x1 - x0, y1 - y0]))
    found.sort(key=lambda d: -d[0])
    kept = []
    for d in found:
        if all(iou(d[1], k[1]) < NMS_IOU for k in kept):
            kept.append(d)
    return kept


def strongest_package(heatmap: np.ndarray, boxes: np.ndarray):
    """The package box at the heatmap's peak, decoded as `core/src/vision.rs` decodes it, or
    None when no cell reaches BOX_THRESHOLD."""
    heat = heatmap[0, 0]
    g = heat.shape[0]
    peak = int(heat.argmax())
    if heat.flat[peak] < BOX_THRESHOLD:
        return None
    gy, gx = divmod(peak, g)
    ox, oy, w, h = np.clip(boxes[0, :, gy, gx], 0, 1)
    cx, cy = (gx + ox) / g, (gy + oy) / g
    x0, y0, x1, y1 = np.clip([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 0, 1)
    return [x0, y0, x1 - x0, y1 - y0]


def held(package, persons, lift: float) -> bool:
    if package is None:
        return False
    cx, cy = package[0] + package[2] / 2, package[1] + package[3] / 2
    return any(
        b[0] - b[2] / 4 <= cx <= b[0] + b[2] * 1.25 and b[1] <= cy <= b[1] + lift * b[3] for _, b in persons
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--lift", type=float, action="append",
                    help="how high in the person's box the parcel's centre must sit, as a fraction "
                         "of its height from the top (repeatable; default 0.7, 0.8, 0.9 and 1)")
    args = ap.parse_args()
    lifts = args.lift or [0.7, 0.8, 0.9, 1.0]
    if not all(0 < v <= 1 for v in lifts):
        sys.exit(f"--lift: every value must be above 0 and at most 1, got {lifts}")
    labels = args.photos / "labels.csv"
    if not labels.is_file():
        sys.exit(f"--photos: {labels} does not exist")

    cpu = ["CPUExecutionProvider"]
    backbone = ort.InferenceSession(str(args.models / "backbone.onnx"), providers=cpu)
    detector = ort.InferenceSession(str(args.models / "people.onnx"), providers=cpu)
    heads = [ort.InferenceSession(str(args.models / "cv" / f"fold-{k}" / "heads.onnx"), providers=cpu)
             for k in range(T.FOLDS)]
    folds = {r["id"]: int(r["fold"]) for r in csv.DictReader(open(args.models / "cv" / "folds.csv"))}
    grid = anchors()

    hits = collections.defaultdict(collections.Counter)
    flagged = collections.defaultdict(list)
    totals = collections.Counter()
    faces = {r["id"] for r in csv.DictReader(open(args.models / "faces" / "face-points.csv"))}
    with_person = collections.Counter()
    for row in csv.DictReader(open(labels)):
        im = T.load_photo(args.photos / row["file"])
        s16, s32 = backbone.run(None, {"image": T.to_input(im, T.SIDE)})
        persons = people(detector, grid, s16, s32)
        face = row["id"] in faces
        with_person[face, bool(persons)] += 1
        if row["image_clear"] != "1":
            continue
        heatmap, boxes = heads[folds[row["id"]]].run(["heatmap", "boxes"], {"features_s16": s16, "features_s32": s32})
        package = strongest_package(heatmap, boxes)
        group = "held parcels" if T.is_held(row) else "valid" if row["category"] == "valid_pod" else "other invalid"
        totals[group] += 1
        for lift in lifts:
            if held(package, persons, lift):
                hits[lift][group] += 1
                if group != "held parcels":
                    flagged[lift].append(row["id"])

    print(f"a person from {PERSON_THRESHOLD} in {with_person[True, True]} of the "
          f"{with_person[True, True] + with_person[True, False]} photos with a marked face, in "
          f"{with_person[False, True]} of the {with_person[False, True] + with_person[False, False]} without\n")
    groups = ("held parcels", "other invalid", "valid")
    print("| lift | " + " | ".join(f"{g} flagged ({totals[g]})" for g in groups) + " | others flagged |")
    print("|---|---|---|---|---|")
    for lift in lifts:
        print(f"| {lift:g} | " + " | ".join(str(hits[lift][g]) for g in groups)
              + f" | {', '.join(flagged[lift]) or '-'} |")


if __name__ == "__main__":
    main()
