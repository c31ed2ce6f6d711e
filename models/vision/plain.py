"""Generated "no delivery location" photos: a training photo's parcel on a plain background.

A parcel photographed on a studio sweep, a plain wall or floor, a table top or in the air
shows nothing a customer could recognise as their door. The 200 training photos hold six
such photos, all from one source; the probe learned their look, not the concept. These
samples teach it the concept from the training photos' own parcels: each parcel, cut out
along its labelled box (a small margin of its real surroundings kept), is pasted at a random
size and place on a generated background — a flat colour, a gradient, a studio sweep with a
horizon, or a fine uniform texture (paper, fabric, concrete) — with an optional soft shadow,
light noise and a JPEG round trip, so that the paste edge is not the only cue.

Nothing here reads ../shared/photos-dev: the backgrounds are generated, the parcels are the
training photos' own.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def _colour(rng: random.Random) -> tuple[int, int, int]:
    """A backdrop colour: mostly whites, greys and beiges, sometimes a saturated studio colour."""
    kind = rng.random()
    if kind < 0.45:  # white to grey
        v = rng.randint(150, 250)
        return (v, v + rng.randint(-6, 6), v + rng.randint(-8, 4))
    if kind < 0.75:  # beige, cream, wood-ish
        v = rng.randint(140, 235)
        return (v, int(v * rng.uniform(0.85, 0.97)), int(v * rng.uniform(0.65, 0.9)))
    if kind < 0.9:  # dark
        v = rng.randint(25, 90)
        return (v, v, v + rng.randint(-5, 10))
    return tuple(rng.randint(30, 230) for _ in range(3))  # type: ignore[return-value]


def background(w: int, h: int, rng: random.Random) -> Image.Image:
    """A plain background of size w x h."""
    c0 = np.array(_colour(rng), np.float32)
    kind = rng.choice(("flat", "gradient", "sweep", "texture"))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "flat":
        a = np.broadcast_to(c0, (h, w, 3)).copy()
    elif kind == "gradient":
        c1 = np.clip(c0 * rng.uniform(0.6, 1.25), 0, 255)
        t = (xs * np.cos(rng.uniform(0, 6.3)) + ys * np.sin(rng.uniform(0, 6.3))) / max(w, h)
        t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
        a = c0 * (1 - t[..., None]) + c1 * t[..., None]
    elif kind == "sweep":  # studio or wall-and-floor: a soft horizon with a lighter floor
        horizon = rng.uniform(0.3, 0.7) * h
        t = 1 / (1 + np.exp(-(ys - horizon) / rng.uniform(0.02, 0.12) / h))
        c1 = np.clip(c0 * rng.uniform(0.75, 1.2), 0, 255)
        a = c0 * (1 - t[..., None]) + c1 * t[..., None]
    else:  # fine texture: paper, fabric, concrete
        noise = np.asarray(
            Image.fromarray(np.uint8(np.random.default_rng(rng.randint(0, 2**31)).integers(0, 256, (h // 4 + 1, w // 4 + 1))))
            .resize((w, h), Image.BILINEAR)
            .filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.0))),
            np.float32,
        )[:h, :w]
        a = c0 + (noise[..., None] - 128) * rng.uniform(0.05, 0.25)
    # a vignette or a light fall-off, as studio and phone photos have
    r = np.hypot((xs - w / 2) / w, (ys - h / 2) / h)
    a = a * (1 - rng.uniform(0, 0.35) * r[..., None] ** 2)
    return Image.fromarray(np.uint8(np.clip(a, 0, 255)))


def parcel_crop(im: Image.Image, box: tuple[float, float, float, float], rng: random.Random) -> Image.Image:
    """The parcel cut out along its box (corners as fractions), with a small random margin."""
    w, h = im.size
    a, b, c, d = box
    m = rng.uniform(-0.03, 0.06)
    bw, bh = c - a, d - b
    crop = (
        int(max(0.0, a - m * bw) * w),
        int(max(0.0, b - m * bh) * h),
        int(min(1.0, c + m * bw) * w),
        int(min(1.0, d + m * bh) * h),
    )
    return im.crop(crop)


def plain_sample(im: Image.Image, box: tuple[float, float, float, float], rng: random.Random) -> Image.Image:
    """One generated photo: the parcel in `box` of `im` on a plain background, at the size of `im`."""
    return pasted(im, box, background(im.width, im.height, rng), rng)


def scene_sample(
    im: Image.Image, box: tuple[float, float, float, float], scene: Image.Image, rng: random.Random
) -> Image.Image:
    """The counterpart with a location: the same cut-out pasted, the same way, on `scene` (a
    training photo of a door or entrance without a parcel), so that the paste itself says
    nothing about the location."""
    return pasted(im, box, scene.resize(im.size, Image.BICUBIC), rng)


def pasted(im: Image.Image, box: tuple[float, float, float, float], bg: Image.Image, rng: random.Random) -> Image.Image:
    """The parcel in `box` of `im` pasted on `bg` (the size of `im`)."""
    return pasted_at(im, box, bg, rng)[0]


def pasted_at(
    im: Image.Image, box: tuple[float, float, float, float], bg: Image.Image, rng: random.Random
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """`pasted`, and where the parcel went: (x, y, width, height) in pixels."""
    w, h = im.size
    parcel = parcel_crop(im, box, rng)
    bg = bg.copy()
    # the parcel fills 25-75 % of the frame's shorter side, anywhere it fits
    scale = rng.uniform(0.25, 0.75) * min(w, h) / max(parcel.size)
    pw, ph = max(8, int(parcel.width * scale)), max(8, int(parcel.height * scale))
    parcel = parcel.resize((pw, ph), Image.BICUBIC)
    x = rng.randint(0, max(0, w - pw))
    y = rng.randint(int(0.1 * (h - ph)), max(int(0.1 * (h - ph)), h - ph))
    if rng.random() < 0.6:  # a soft contact shadow under the parcel
        shadow = Image.new("L", (w, h), 0)
        dy = int(ph * rng.uniform(0.02, 0.1))
        ImageDraw.Draw(shadow).rectangle((x + pw * 0.05, y + dy, x + pw * 1.05, y + ph + dy), fill=rng.randint(40, 120))
        shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, pw * 0.06)))
        bg = Image.composite(Image.new("RGB", (w, h), (20, 20, 20)), bg, shadow)
    # feathered paste edge, so the cut is not a hard line
    mask = Image.new("L", (pw, ph), 0)
    ImageDraw.Draw(mask).rectangle((2, 2, pw - 3, ph - 3), fill=255)
    bg.paste(parcel, (x, y), mask.filter(ImageFilter.GaussianBlur(1.5)))
    a = np.asarray(bg, np.float32)
    a = a + np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(0, 4), a.shape)
    out = Image.fromarray(np.uint8(np.clip(a, 0, 255)))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(60, 92))
    buf.seek(0)
    return Image.open(buf).convert("RGB"), (x, y, pw, ph)
