"""The scene's view around the parcels, as the SDK computes it (bundle 2026.12.5, issue 19):
the package boxes its heads report, and the scene's input with them masked. Needs numpy only,
so that `fit_scene.py` (training) and `scripts/bench_compare.py` (the plain pipeline the SDK is
measured against) share one copy.
"""

from __future__ import annotations

import numpy as np

# the SDK's box decoding (core/src/vision/mod.rs `decode`)
BOX_THRESHOLD = 0.3
MAX_BOXES = 8


def package_boxes(heat: np.ndarray, boxes: np.ndarray) -> list[tuple[float, float, float, float]]:
    """The package boxes the SDK reports from the heads' `heatmap` [1, 2, g, g] and `boxes`
    [1, 4, g, g]: cells of the package heatmap from BOX_THRESHOLD that are the maximum of their
    3 x 3 neighbourhood (ties go to the earlier cell), the MAX_BOXES strongest, as (x, y, w, h)
    fractions of the frame, clamped to it."""
    h = np.nan_to_num(heat[0, 0], nan=0.0).clip(0, 1)
    g = h.shape[0]
    found = []
    for gy in range(g):
        for gx in range(g):
            v = h[gy, gx]
            if v < BOX_THRESHOLD:
                continue
            near = [(ny, nx) for ny in range(max(gy - 1, 0), min(gy + 1, g - 1) + 1)
                    for nx in range(max(gx - 1, 0), min(gx + 1, g - 1) + 1)]
            if any(h[ny, nx] > v or ((ny, nx) < (gy, gx) and h[ny, nx] == v) for ny, nx in near):
                continue
            at = np.nan_to_num(boxes[0, :, gy, gx], nan=0.0).clip(0, 1)
            cx, cy, w, hh = (gx + at[0]) / g, (gy + at[1]) / g, at[2], at[3]
            x0, y0 = np.clip(cx - w / 2, 0, 1), np.clip(cy - hh / 2, 0, 1)
            x1, y1 = np.clip(cx + w / 2, 0, 1), np.clip(cy + hh / 2, 0, 1)
            found.append((float(v), (float(x0), float(y0), float(x1 - x0), float(y1 - y0))))
    found.sort(key=lambda f: -f[0])
    return [b for _, b in found[:MAX_BOXES]]


def masked_input(image: np.ndarray, boxes) -> np.ndarray:
    """The scene's input [1, side, side, 3] with every box (x, y, w, h as fractions) filled with
    the input's mean colour: what lies around the parcels. The SDK masks the same way
    (core/src/vision/scene.rs `mask`)."""
    out = image.copy()
    side = out.shape[1]
    mean = image[0].reshape(-1, 3).mean(0)
    for x, y, w, h in boxes:
        x0, y0 = int(np.floor(x * side)), int(np.floor(y * side))
        x1, y1 = min(int(np.ceil((x + w) * side)), side), min(int(np.ceil((y + h) * side)), side)
        out[0, y0:y1, x0:x1] = mean
    return out
