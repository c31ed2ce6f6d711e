"""Draws the project's door labels (doors.csv) over their photos, for labelling and review.

    .cache/train-venv/bin/python models/vision/door_sheets.py --photos ../shared/photos

Writes one PNG per labelled photo to --out (default .cache/door-sheets; not part of the
project): the photo as train.py loads it, a grid at every tenth of each side with its numbers
in the margin (how the boxes were read off), the source's package boxes in green, and the door
labels in red, with "no door" or "unsure" written in the margin where that is the label.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train as T  # noqa: E402

SIDE = 520  # long side of the drawn photo
PAD = 18  # margin for the grid's numbers


def sheet(photo: Path, boxes, label: str) -> Image.Image:
    im = T.load_photo(photo)
    im.thumbnail((SIDE, SIDE))
    w, h = im.size
    out = Image.new("RGB", (w + 2 * PAD, h + 2 * PAD), "white")
    out.paste(im, (PAD, PAD))
    draw = ImageDraw.Draw(out)
    for k in range(11):
        x, y = PAD + k * w / 10, PAD + k * h / 10
        colour = (255, 0, 255) if k % 5 == 0 else (255, 255, 0)
        draw.line([(x, PAD), (x, PAD + h)], fill=colour)
        draw.line([(PAD, y), (PAD + w, y)], fill=colour)
        draw.text((x - 4, 2), str(k), fill="black")
        draw.text((2, y - 5), str(k), fill="black")
    for cls, a, b, c, d in boxes or []:
        colour = (0, 255, 0) if cls == 0 else (255, 0, 0)
        draw.rectangle([PAD + a * w, PAD + b * h, PAD + c * w, PAD + d * h], outline=colour, width=2)
    draw.text((PAD, PAD + h + 4), label, fill="black")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=Path("../shared/photos"))
    ap.add_argument("--out", type=Path, default=Path(".cache/door-sheets"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = {r["id"]: r["file"] for r in csv.DictReader(open(args.photos / "labels.csv"))}
    try:
        doors = T.read_doors(set(files))
    except ValueError as e:
        sys.exit(str(e))
    marks = {r["id"]: r["door"] for r in csv.DictReader(open(T.DOORS))}
    for pid, mark in marks.items():
        packages = [b for b in T.read_boxes(args.photos / "boxes" / f"{pid}.txt") or [] if b[0] == 0]
        label = {"yes": f"{pid}: door", "no": f"{pid}: no door", "unsure": f"{pid}: unsure"}[mark]
        sheet(args.photos / files[pid], packages + doors.get(pid, []), label).save(args.out / f"{pid}.png")
    print(f"wrote {len(marks)} sheets to {args.out}")


if __name__ == "__main__":
    main()
