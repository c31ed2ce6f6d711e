"""Training images for the image-quality model, generated from clear photos and drawn by code.

Every sample is an RGB uint8 array of SIZE x SIZE, made the way the SDK makes the model's
input: the photo is reduced (box filter) to a working size, degraded there, and reduced
again (box filter, stretched to a square) to SIZE x SIZE. Degradations are expressed in
fractions of the long side, so they mean the same at every resolution.

Labels are four independent flags, in the model's output order:
too_dark, overexposed, blurry, not_a_photo. A clear photo has none set.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

SIZE = 192          # model input side (must match core/src/quality.rs INPUT_SIDE)
WORK = 1024         # working size, where degradations are applied (core/src/resample.rs WORKING_LONG_SIDE):
                    # the model must see photos reduced from the same size it sees them at run time
LABELS = ("too_dark", "overexposed", "blurry", "not_a_photo")


def load_photo(path: str) -> Image.Image:
    """Opens a photo, applies its EXIF orientation, and reduces it to WORK on the long side."""
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    im.thumbnail((WORK, WORK), Image.BOX)
    return im


def to_input(im: Image.Image) -> np.ndarray:
    """The model's view of an image: box-filtered and stretched to SIZE x SIZE."""
    return np.asarray(im.convert("RGB").resize((SIZE, SIZE), Image.BOX), dtype=np.uint8)


def _luma(a: np.ndarray) -> float:
    return float((a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114).mean())


# ---------------------------------------------------------------- clear photos

def clear_variant(im: Image.Image, rng: random.Random) -> Image.Image:
    """A photo that must still count as clear: framing, exposure, noise, compression, mild blur,
    low light, overlays that cameras add (timestamps, logos), rotation padding."""
    w, h = im.size
    if rng.random() < 0.7:  # crop, sometimes tight: a door or a wall filling the frame
        s = rng.uniform(0.35, 1.0) if rng.random() < 0.4 else rng.uniform(0.6, 1.0)
        cw, ch = int(w * s), int(h * rng.uniform(max(0.6, s - 0.2), min(1.0, s + 0.2)))
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        im = im.crop((x, y, x + cw, y + ch))
    if rng.random() < 0.5:
        im = ImageOps.mirror(im)
    if rng.random() < 0.2:  # rotation with flat padding, as dataset exports and gallery apps do
        fill = rng.choice([(0, 0, 0), (114, 114, 114), (128, 128, 128), (255, 255, 255)])
        im = im.rotate(rng.uniform(-25, 25), resample=Image.BILINEAR, expand=rng.random() < 0.5, fillcolor=fill)
    a = np.asarray(im, dtype=np.float32)
    r = rng.random()
    if r < 0.25:  # low light that must still pass: mean luma stays well above black
        target = rng.uniform(26, 70)
        a = a * min(1.0, target / max(_luma(a), 1.0))
        a = 255.0 * (a / 255.0) ** rng.uniform(0.9, 1.3)
    elif r < 0.45:
        a = a * rng.uniform(0.7, 1.35) + rng.uniform(-20, 20)
    elif r < 0.55:  # hazy / contrast-stretched exports
        a = (a - 128) * rng.uniform(0.55, 1.6) + 128
    if rng.random() < 0.3:
        a = a + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(2, 10), a.shape)
    im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if rng.random() < 0.15:  # phone noise reduction: flat surfaces come out very flat
        im = im.filter(ImageFilter.MedianFilter(rng.choice([3, 5])))
    if rng.random() < 0.3:  # mild blur: soft, but everything identifiable
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.9) * max(im.size) / 100))
    if rng.random() < 0.2:  # a low-resolution camera
        s = rng.uniform(0.3, 0.7)
        small = im.resize((max(8, int(im.width * s)), max(8, int(im.height * s))), Image.BILINEAR)
        im = small.resize(im.size, Image.BILINEAR)
    if rng.random() < 0.25:  # doorbell-camera timestamp / logo overlay
        d = ImageDraw.Draw(im)
        font = ImageFont.load_default(size=max(10, im.height // rng.randint(18, 30)))
        text = rng.choice(["2024-06-17 19:01:00", "blink", "FRONT DOOR  08:42 PM", "ring", "CAM 1"])
        d.text((rng.randint(2, im.width // 3), rng.choice([4, im.height - im.height // 12])), text,
               fill=rng.choice([(255, 255, 255), (255, 255, 0), (230, 230, 230)]), font=font)
    if rng.random() < 0.15:  # gallery-app filters: sepia, faded blacks, saturation, vignette
        im = _photo_filter(im, rng)
    if rng.random() < 0.12:  # decorative frames: flat or rounded borders, as sharing apps add
        im = _photo_frame(im, rng)
    if rng.random() < 0.4:  # JPEG round trip
        im = _jpeg(im, rng.randint(25, 90))
    return im


def _photo_filter(im: Image.Image, rng: random.Random) -> Image.Image:
    a = np.asarray(im, dtype=np.float32) / 255.0
    kind = rng.random()
    if kind < 0.3:  # sepia
        m = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)
        a = np.clip(a @ m.T, 0, 1) * rng.uniform(0.5, 1) + a * rng.uniform(0, 0.5)
    elif kind < 0.6:  # faded: lifted blacks, lowered whites, a colour cast
        lift, cast = rng.uniform(0.05, 0.2), np.array([rng.uniform(-0.05, 0.05) for _ in range(3)], np.float32)
        a = lift + a * (1 - lift - rng.uniform(0, 0.1)) + cast
    else:  # punchy saturation and contrast
        grey = a.mean(axis=2, keepdims=True)
        a = grey + (a - grey) * rng.uniform(1.3, 1.9)
        a = (a - 0.5) * rng.uniform(1.0, 1.3) + 0.5
    if rng.random() < 0.6:  # vignette
        h, w = a.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
        a = a * (1 - rng.uniform(0.2, 0.6) * np.clip(r - 0.5, 0, 1)[..., None])
    return Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8))


def _photo_frame(im: Image.Image, rng: random.Random) -> Image.Image:
    w, h = im.size
    b = int(min(w, h) * rng.uniform(0.02, 0.08))
    color = rng.choice([(0, 0, 0), (255, 255, 255), (20, 20, 20), (240, 235, 225)])
    out = Image.new("RGB", (w + 2 * b, h + 2 * b), color)
    if rng.random() < 0.5:  # rounded inner corners
        mask = Image.new("L", (w, h), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=int(min(w, h) * rng.uniform(0.03, 0.1)), fill=255)
        out.paste(im, (b, b), mask)
    else:
        out.paste(im, (b, b))
    return out


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    import io
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


# ---------------------------------------------------------------- poor photos

def dark_variant(im: Image.Image, rng: random.Random) -> Image.Image:
    """Too dark to use: lens covered, pocket shot, a room with no light. Four kinds: pure black;
    evenly scaled to mean luma 0.5..12; crushed shadows with a few highlights kept (a lamp or a
    window in a dark room, mean 3..13); and flat dim (mean 12..20 with nothing lit: 95th
    percentile at most 40). Clear low-light photos start at mean 26 or have lit areas."""
    a = np.asarray(im, dtype=np.float32)
    g = np.random.default_rng(rng.randrange(1 << 30))
    kind = rng.random()
    if kind < 0.12:
        a = np.zeros_like(a)
    elif kind < 0.5:
        a = a * (rng.uniform(0.5, 12.0) / max(_luma(a), 1.0))
    elif kind < 0.75:
        a = 255.0 * (a / 255.0) ** rng.uniform(2.0, 4.0)
        a = a * (rng.uniform(3.0, 13.0) / max(_luma(a), 1.0))
    else:
        target = rng.uniform(12.0, 20.0)
        a = a * (target / max(_luma(a), 1.0))
        luma = a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114
        p95 = float(np.percentile(luma, 95))
        ceiling = rng.uniform(28.0, 40.0)
        if p95 > ceiling:
            a = target + (a - target) * ((ceiling - target) / (p95 - target))
    a = a + g.normal(rng.uniform(0, 1.5), rng.uniform(0.3, 3), a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return _jpeg(out, rng.randint(40, 90)) if rng.random() < 0.5 else out


def bright_variant(im: Image.Image, rng: random.Random) -> Image.Image:
    """Blown out: pointed at the sun or a lamp, or an exposure that failed; little left but white."""
    a = np.asarray(im, dtype=np.float32)
    g = np.random.default_rng(rng.randrange(1 << 30))
    r = rng.random()
    if r < 0.15:
        a = np.full_like(a, rng.uniform(235, 255))
    elif r < 0.6:
        k = rng.uniform(0.0, 0.18)
        a = a * k + (1 - k) * rng.uniform(235, 255)
    else:
        a = np.clip(a * rng.uniform(6, 14), 0, 255)
    a = a + g.normal(0, rng.uniform(0.3, 3), a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def blurry_variant(im: Image.Image, rng: random.Random) -> Image.Image:
    """Unidentifiably blurred: defocus or motion so strong that nothing can be made out."""
    long_side = max(im.size)
    r = rng.random()
    if r < 0.4:
        out = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.04, 0.09) * long_side))
    elif r < 0.75:
        out = _motion_blur(im, rng.uniform(0.10, 0.25) * long_side, rng.uniform(0, 180))
    else:
        out = _disk_blur(im, rng.uniform(0.035, 0.07) * long_side)
    a = np.asarray(out, dtype=np.float32)
    if rng.random() < 0.3:
        a = a * rng.uniform(0.3, 1.2)
    if rng.random() < 0.4:
        a = a + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(1, 6), a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return _jpeg(out, rng.randint(40, 90)) if rng.random() < 0.5 else out


def _motion_blur(im: Image.Image, length: float, angle_deg: float) -> Image.Image:
    a = np.asarray(im, dtype=np.float32)
    n = max(2, int(length))
    dx, dy = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    acc = np.zeros_like(a)
    for i in range(n):
        t = i - (n - 1) / 2
        acc += np.roll(a, (int(round(t * dy)), int(round(t * dx))), axis=(0, 1))
    return Image.fromarray(np.clip(acc / n, 0, 255).astype(np.uint8))


def _disk_blur(im: Image.Image, radius: float) -> Image.Image:
    a = np.asarray(im, dtype=np.float32)
    r = max(1, int(radius))
    acc = np.zeros_like(a)
    count = 0
    step = max(1, r // 5)
    for y in range(-r, r + 1, step):
        for x in range(-r, r + 1, step):
            if x * x + y * y <= r * r:
                acc += np.roll(a, (y, x), axis=(0, 1))
                count += 1
    out = Image.fromarray(np.clip(acc / count, 0, 255).astype(np.uint8))
    # the sparse offsets leave ghost copies; a blur of one step's size merges them
    return out.filter(ImageFilter.GaussianBlur(step)) if step > 1 else out


# ---------------------------------------------------------------- non-photos

_WORDS = ("Delivered", "Order", "Track package", "Your parcel", "Out for delivery", "Settings",
          "Camera", "Photos", "Driver", "Stop 14 of 32", "Signature", "Confirm", "Cancel",
          "Lorem ipsum dolor sit amet", "Address", "Apt 4B", "Notes", "Today 10:42", "Menu")


def _font(rng: random.Random, size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _rand_color(rng: random.Random, light: bool | None = None) -> tuple[int, int, int]:
    if light is None:
        return tuple(rng.randint(0, 255) for _ in range(3))
    lo, hi = (170, 255) if light else (0, 90)
    return tuple(rng.randint(lo, hi) for _ in range(3))


def render_screenshot(rng: random.Random, photo: Image.Image | None) -> Image.Image:
    """A phone or desktop screenshot: flat UI, text, icons, sometimes a photo inside it."""
    portrait = rng.random() < 0.7
    w, h = (rng.randint(360, 540), rng.randint(700, 1000)) if portrait else (rng.randint(800, 1100), rng.randint(500, 700))
    dark = rng.random() < 0.3
    bg = _rand_color(rng, light=not dark)
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    fg = (20, 20, 20) if not dark else (235, 235, 235)
    accent = _rand_color(rng)
    y = 0
    d.rectangle((0, 0, w, int(h * 0.035)), fill=accent if rng.random() < 0.5 else bg)  # status bar
    d.text((8, 4), "9:41", fill=fg, font=_font(rng, int(h * 0.022)))
    y = int(h * 0.05)
    d.rectangle((0, y, w, y + int(h * 0.07)), fill=accent)
    d.text((16, y + 10), rng.choice(_WORDS), fill=(255, 255, 255), font=_font(rng, int(h * 0.03)))
    y += int(h * 0.09)
    if photo is not None and rng.random() < 0.6:  # an app showing a photo
        ph = int(h * rng.uniform(0.2, 0.45))
        pw = w - 32
        p = photo.copy()
        p.thumbnail((pw, ph))
        im.paste(p, (16 + (pw - p.width) // 2, y))
        y += p.height + 12
    while y < h - 40:
        kind = rng.random()
        fs = int(h * rng.uniform(0.018, 0.03))
        if kind < 0.45:
            d.text((16, y), rng.choice(_WORDS), fill=fg, font=_font(rng, fs))
            y += fs + rng.randint(6, 20)
        elif kind < 0.7:
            bh = rng.randint(40, 90)
            d.rounded_rectangle((12, y, w - 12, y + bh), radius=rng.randint(0, 16),
                                fill=_rand_color(rng, light=not dark), outline=fg if rng.random() < 0.3 else None)
            d.ellipse((20, y + 8, 20 + bh - 16, y + bh - 8), fill=_rand_color(rng))
            d.text((bh + 16, y + 10), rng.choice(_WORDS), fill=fg, font=_font(rng, fs))
            y += bh + 10
        elif kind < 0.85:
            bw = rng.randint(w // 3, w - 24)
            d.rounded_rectangle((12, y, 12 + bw, y + 44), radius=22, fill=accent)
            d.text((30, y + 12), rng.choice(_WORDS), fill=(255, 255, 255), font=_font(rng, fs))
            y += 56
        else:
            d.line((0, y, w, y), fill=(200, 200, 200) if not dark else (60, 60, 60), width=1)
            y += 8
    return im


def render_drawing(rng: random.Random) -> Image.Image:
    """Clip art or a cartoon: flat fills, outlines, a drawn box and door."""
    w, h = rng.randint(400, 900), rng.randint(400, 900)
    im = Image.new("RGB", (w, h), _rand_color(rng, light=rng.random() < 0.7))
    d = ImageDraw.Draw(im)
    outline = (0, 0, 0) if rng.random() < 0.7 else None
    lw = rng.randint(1, 6)
    if rng.random() < 0.5:  # ground
        d.rectangle((0, int(h * rng.uniform(0.55, 0.8)), w, h), fill=_rand_color(rng))
    for _ in range(rng.randint(2, 12)):
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        x1, y1 = x0 + rng.randint(20, w // 2), y0 + rng.randint(20, h // 2)
        shape = rng.random()
        fill = _rand_color(rng)
        if shape < 0.35:
            d.rectangle((x0, y0, x1, y1), fill=fill, outline=outline, width=lw)
        elif shape < 0.6:
            d.ellipse((x0, y0, x1, y1), fill=fill, outline=outline, width=lw)
        elif shape < 0.8:
            pts = [(rng.randint(0, w), rng.randint(0, h)) for _ in range(rng.randint(3, 6))]
            d.polygon(pts, fill=fill, outline=outline)
        else:  # a drawn parcel: three flat faces
            s = rng.randint(40, min(w, h) // 3)
            c = np.array(_rand_color(rng))
            top = [(x0, y0), (x0 + s, y0), (x0 + s + s // 2, y0 - s // 3), (x0 + s // 2, y0 - s // 3)]
            d.polygon(top, fill=tuple(int(v) for v in np.clip(c * 1.2, 0, 255)), outline=outline)
            d.rectangle((x0, y0, x0 + s, y0 + s), fill=tuple(int(v) for v in c), outline=outline, width=lw)
            side = [(x0 + s, y0), (x0 + s + s // 2, y0 - s // 3), (x0 + s + s // 2, y0 + s - s // 3), (x0 + s, y0 + s)]
            d.polygon(side, fill=tuple(int(v) for v in c * 0.7), outline=outline)
    if rng.random() < 0.3:
        d.text((rng.randint(0, w // 2), rng.randint(0, h - 30)), rng.choice(_WORDS), fill=(0, 0, 0),
               font=_font(rng, rng.randint(16, 48)))
    if rng.random() < 0.3:  # soft vector-style shading
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2)))
    return im


def render_sketch(rng: random.Random) -> Image.Image:
    """A pencil or pen sketch on paper."""
    w, h = rng.randint(400, 900), rng.randint(400, 900)
    paper = rng.randint(225, 255)
    im = Image.new("RGB", (w, h), (paper, paper, rng.randint(paper - 20, paper)))
    d = ImageDraw.Draw(im)
    ink = rng.randint(0, 90)
    for _ in range(rng.randint(10, 80)):
        pts = [(rng.randint(0, w), rng.randint(0, h))]
        for _ in range(rng.randint(1, 6)):
            x, y = pts[-1]
            pts.append((x + rng.randint(-120, 120), y + rng.randint(-120, 120)))
        d.line(pts, fill=(ink, ink, ink), width=rng.randint(1, 3))
    return im


def render_chart(rng: random.Random) -> Image.Image:
    """A chart or document page: the kind of graphic a phone can share as an 'image'."""
    w, h = rng.randint(500, 1000), rng.randint(400, 900)
    im = Image.new("RGB", (w, h), (255, 255, 255) if rng.random() < 0.8 else _rand_color(rng, light=True))
    d = ImageDraw.Draw(im)
    if rng.random() < 0.5:
        d.line((50, 20, 50, h - 40), fill=(0, 0, 0), width=2)
        d.line((50, h - 40, w - 20, h - 40), fill=(0, 0, 0), width=2)
        n = rng.randint(3, 12)
        bw = (w - 90) // n
        for i in range(n):
            bh = rng.randint(20, h - 80)
            d.rectangle((60 + i * bw, h - 40 - bh, 60 + i * bw + int(bw * 0.7), h - 40), fill=_rand_color(rng))
        if rng.random() < 0.5:
            pts = [(60 + i * bw, rng.randint(30, h - 60)) for i in range(n)]
            d.line(pts, fill=_rand_color(rng), width=3)
    else:
        y = 30
        while y < h - 30:
            fs = rng.randint(12, 28)
            d.text((30, y), " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 5))),
                   fill=(rng.randint(0, 60),) * 3, font=_font(rng, fs))
            y += fs + rng.randint(4, 14)
    return im


def render_gradient(rng: random.Random) -> Image.Image:
    """Wallpaper-like synthetic graphics: smooth gradients with flat shapes on top."""
    w, h = rng.randint(400, 900), rng.randint(400, 900)
    c0, c1 = np.array(_rand_color(rng), np.float32), np.array(_rand_color(rng), np.float32)
    t = np.linspace(0, 1, w if rng.random() < 0.5 else h, dtype=np.float32)[:, None]
    line = c0 * (1 - t) + c1 * t
    a = np.broadcast_to(line[None, :, :], (h, w, 3)) if len(t) == w else np.broadcast_to(line[:, None, :], (h, w, 3))
    im = Image.fromarray(a.astype(np.uint8).copy())
    d = ImageDraw.Draw(im)
    for _ in range(rng.randint(0, 6)):
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        d.ellipse((x0, y0, x0 + rng.randint(20, 300), y0 + rng.randint(20, 300)), fill=_rand_color(rng))
    return im


def render_screen_photo(photo_or_ui: Image.Image, rng: random.Random) -> Image.Image:
    """A photo of a screen: the content seen through a pixel grid, with moire, glare, a bezel
    and a perspective tilt."""
    content = photo_or_ui.copy()
    content.thumbnail((WORK, WORK))
    a = np.asarray(content, dtype=np.float32)
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(2.2, 5.0)
    ang = rng.uniform(0, math.pi)
    moire = np.sin((xx * math.cos(ang) + yy * math.sin(ang)) * 2 * math.pi / period)
    moire2 = np.sin((xx * math.cos(ang + 1.3) + yy * math.sin(ang + 1.3)) * 2 * math.pi / rng.uniform(6, 20))
    a = a * (1 + rng.uniform(0.08, 0.25) * moire[..., None] + rng.uniform(0.03, 0.12) * moire2[..., None])
    sub = np.zeros_like(a)  # RGB sub-pixel stripes
    for c in range(3):
        sub[:, c::3, c] = 1.0
    a = a * (1 - rng.uniform(0.1, 0.35)) + a * sub * rng.uniform(0.1, 0.35) * 3
    glare_x, glare_y = rng.uniform(0, w), rng.uniform(0, h)
    glare = np.exp(-(((xx - glare_x) ** 2 + (yy - glare_y) ** 2) / (2 * (rng.uniform(0.15, 0.5) * w) ** 2)))
    a = a + glare[..., None] * rng.uniform(20, 120)
    screen = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    bezel = rng.randint(8, 60)
    bg = Image.new("RGB", (w + 2 * bezel + rng.randint(0, 200), h + 2 * bezel + rng.randint(0, 200)),
                   _rand_color(rng, light=False))
    ImageDraw.Draw(bg).rectangle((0, 0, w + 2 * bezel, h + 2 * bezel), fill=(rng.randint(5, 40),) * 3)
    bg.paste(screen, (bezel, bezel))
    # perspective tilt
    W, H = bg.size
    d = [rng.uniform(-0.08, 0.08) * W for _ in range(8)]
    quad = (d[0], d[1], d[2], H + d[3], W + d[4], H + d[5], W + d[6], d[7])
    out = bg.transform((W, H), Image.QUAD, quad, resample=Image.BILINEAR)
    if rng.random() < 0.5:
        out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    return _jpeg(out, rng.randint(50, 92))


def non_photo(rng: random.Random, photo: Image.Image | None) -> Image.Image:
    """One rendered non-photo, of a kind chosen at random."""
    r = rng.random()
    if r < 0.30:
        im = render_screenshot(rng, photo)
    elif r < 0.50:
        im = render_drawing(rng)
    elif r < 0.60:
        im = render_sketch(rng)
    elif r < 0.72:
        im = render_chart(rng)
    elif r < 0.80:
        im = render_gradient(rng)
    else:
        src = photo if (photo is not None and rng.random() < 0.6) else render_screenshot(rng, photo)
        return render_screen_photo(src, rng)
    if rng.random() < 0.4:
        im = _jpeg(im, rng.randint(40, 95))
    return im
