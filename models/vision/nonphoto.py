"""Generated non-photos of the kinds a driver's camera roll holds beside real delivery photos,
for the scene's not-a-photo probe (`fit_scene.py`): collages of photos, adverts and product
renders (a parcel cut out onto a flat or graded backdrop under big text), and phone screens
with delivery notifications. They add to `models/quality/synth.py`'s screenshots, drawings,
charts and photos of screens, which the quality model was trained on.

Diagrams (a parcel with dimension arrows and labels), 3D renders of boxes and video thumbnails
(a photo under huge outlined words) are here too, for measurements that did not ship
(`fit_scene.py --more-non-photo-kinds` and `--unseen-kinds`, `quality/train.py --nonphoto-kinds`;
models/README.md, "Issue 19").

Each is drawn from the training photos (and their labelled parcel boxes) with Pillow only, so
a seed gives the same image on every machine.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WORDS = [
    "Delivered", "Your package has arrived", "Out for delivery", "Order #4821 shipped", "Track your parcel",
    "FREE SHIPPING", "Buy now", "Limited offer", "Same-day delivery", "Left at front door", "Photo on delivery",
    "Paket zugestellt", "Colis livré", "Pedido entregado", "Consegnato", "配達完了", "Доставлено", "SALE 50%",
    "Arriving today", "Signed for", "Shop the deal", "New arrivals", "Fast. Free. Delivered.", "Tap to view",
]


def font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def colour(rng: random.Random, light: bool | None = None) -> tuple[int, int, int]:
    if light is None:
        return tuple(rng.randint(0, 255) for _ in range(3))
    lo, hi = (180, 255) if light else (0, 80)
    return tuple(rng.randint(lo, hi) for _ in range(3))


def backdrop(rng: random.Random, w: int, h: int) -> Image.Image:
    """A flat colour, or a vertical or diagonal gradient between two colours."""
    a, b = colour(rng), colour(rng)
    if rng.random() < 0.35:
        return Image.new("RGB", (w, h), a)
    ramp = Image.linear_gradient("L").resize((w, h))
    if rng.random() < 0.5:
        ramp = ramp.rotate(rng.choice([45, 90, 135, 180]), expand=False, fillcolor=128)
    return Image.composite(Image.new("RGB", (w, h), b), Image.new("RGB", (w, h), a), ramp)


def package_box(path: Path) -> tuple[float, float, float, float] | None:
    """The first parcel box (class 0) of a YOLO box file (`class cx cy w h`, normalised) as
    corners (left, top, right, bottom), or None where the file or a parcel box is missing."""
    if not path.exists():
        return None
    for line in path.read_text().split("\n"):
        s = line.split()
        if len(s) == 5 and s[0] == "0":
            cx, cy, w, h = map(float, s[1:])
            return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    return None


def cutout(photo: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    """The parcel of a labelled box (corners as fractions of the photo: left, top, right, bottom)."""
    x0, y0, x1, y1 = box
    w, h = photo.size
    return photo.crop((int(x0 * w), int(y0 * h), max(int(x0 * w) + 1, int(x1 * w)), max(int(y0 * h) + 1, int(y1 * h))))


def headline(d: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, w: int, size: int, fill) -> int:
    """One to three lines of big text from `x`, `y`; returns the y below them."""
    for _ in range(rng.randint(1, 3)):
        d.text((x, y), rng.choice(WORDS), fill=fill, font=font(size))
        y += int(size * 1.25)
    return y


def collage(rng: random.Random, photos: list[Image.Image]) -> Image.Image:
    """Two to six photos in a grid with gutters, sometimes under a title bar."""
    n = min(len(photos), rng.randint(2, 6))
    cols = 2 if n <= 4 else 3
    rows = (n + cols - 1) // cols
    cell = rng.randint(260, 420)
    gut = rng.randint(4, 24)
    title = rng.randint(60, 120) if rng.random() < 0.4 else 0
    w, h = cols * cell + (cols + 1) * gut, rows * cell + (rows + 1) * gut + title
    im = Image.new("RGB", (w, h), colour(rng, light=rng.random() < 0.7))
    for i, p in enumerate(rng.sample(photos, n)):
        tile = p.copy()
        side = min(tile.size)
        left, top = (tile.width - side) // 2, (tile.height - side) // 2
        tile = tile.crop((left, top, left + side, top + side)).resize((cell, cell), Image.BOX)
        im.paste(tile, (gut + (i % cols) * (cell + gut), title + gut + (i // cols) * (cell + gut)))
    if title:
        headline(ImageDraw.Draw(im), rng, gut + 8, 10, w, int(title * 0.45), colour(rng, light=False))
    return im


def advert(rng: random.Random, photo: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    """A product render or banner: the parcel cut out onto a backdrop, big text, a button."""
    w, h = rng.choice([(900, 600), (600, 900), (800, 800), (1200, 500)])
    im = backdrop(rng, w, h)
    if rng.random() < 0.3:  # the photo itself, blurred, behind the text
        im = photo.resize((w, h), Image.BOX).filter(ImageFilter.GaussianBlur(rng.uniform(6, 16)))
    part = cutout(photo, box)
    scale = rng.uniform(0.35, 0.6) * min(w, h) / max(part.size)
    part = part.resize((max(1, int(part.width * scale)), max(1, int(part.height * scale))), Image.BOX)
    px = rng.randint(w // 2, max(w // 2, w - part.width - 10)) if rng.random() < 0.6 else (w - part.width) // 2
    py = rng.randint(h // 4, max(h // 4, h - part.height - 10))
    if rng.random() < 0.5:  # a soft shadow under it
        shadow = Image.new("L", im.size, 0)
        ImageDraw.Draw(shadow).ellipse((px, py + part.height - 12, px + part.width, py + part.height + 18), fill=110)
        im = Image.composite(Image.new("RGB", im.size, (0, 0, 0)), im, shadow.filter(ImageFilter.GaussianBlur(12)))
    im.paste(part, (px, py))
    d = ImageDraw.Draw(im)
    ink = (255, 255, 255) if sum(im.getpixel((20, 20))) < 380 else (15, 15, 15)
    y = headline(d, rng, 30, 30, w, int(min(w, h) * rng.uniform(0.06, 0.1)), ink)
    if rng.random() < 0.7:
        bw, bh = rng.randint(180, 320), rng.randint(50, 80)
        d.rounded_rectangle((30, y + 20, 30 + bw, y + 20 + bh), radius=bh // 2, fill=colour(rng))
        d.text((50, y + 20 + bh // 4), rng.choice(WORDS[4:8]), fill=(255, 255, 255), font=font(bh // 2))
    return im


def notification(rng: random.Random, photo: Image.Image) -> Image.Image:
    """A phone's lock or home screen with delivery notifications, one with the photo's thumbnail."""
    w, h = rng.randint(380, 540), rng.randint(780, 1100)
    if rng.random() < 0.5:
        im = photo.resize((w, h), Image.BOX).filter(ImageFilter.GaussianBlur(rng.uniform(8, 20)))
    else:
        im = backdrop(rng, w, h)
    d = ImageDraw.Draw(im)
    d.text((16, 8), f"{rng.randint(6, 22)}:{rng.randint(0, 59):02d}", fill=(255, 255, 255), font=font(int(h * 0.022)))
    if rng.random() < 0.6:  # the lock screen's clock
        d.text((w // 5, int(h * 0.1)), f"{rng.randint(6, 12)}:{rng.randint(0, 59):02d}", fill=(255, 255, 255),
               font=font(int(h * 0.09)))
    y = int(h * rng.uniform(0.25, 0.4))
    for i in range(rng.randint(1, 4)):
        ch = rng.randint(110, 220)
        card = (255, 255, 255) if rng.random() < 0.7 else (40, 40, 44)
        ink = (20, 20, 20) if card[0] > 128 else (235, 235, 235)
        d.rounded_rectangle((12, y, w - 12, y + ch), radius=rng.randint(12, 24), fill=card)
        d.rounded_rectangle((24, y + 14, 24 + 36, y + 50), radius=8, fill=colour(rng))
        d.text((72, y + 16), rng.choice(WORDS), fill=ink, font=font(int(h * 0.02)))
        d.text((24, y + 60), rng.choice(WORDS), fill=ink, font=font(int(h * 0.017)))
        if i == 0 and ch > 150:  # the delivery photo's thumbnail
            t = photo.copy()
            t.thumbnail((ch - 30, ch - 30))
            im.paste(t, (w - 24 - t.width, y + 15))
        y += ch + 10
        if y > h - 120:
            break
    return im


LABELS = ["Width", "Height", "Length", "Depth", "30 cm", "45 cm", "12 in", "18\"", "L", "W", "H", "Label here",
          "Tape", "Seal", "Fragile", "This side up", "Step 1", "Step 2", "Max 30 kg"]


def _arrow(d: ImageDraw.ImageDraw, a: tuple[int, int], b: tuple[int, int], fill, width: int, both: bool) -> None:
    """A straight arrow from `a` to `b`, its head (and with `both` its tail) drawn as triangles."""
    d.line((a, b), fill=fill, width=width)
    ends = [(a, b), (b, a)] if both else [(a, b)]
    for (x0, y0), (x1, y1) in ends:
        dx, dy = x1 - x0, y1 - y0
        n = max(1.0, (dx * dx + dy * dy) ** 0.5)
        ux, uy = dx / n, dy / n
        s = width * 4 + 6
        d.polygon([(x1, y1), (x1 - ux * s - uy * s * 0.5, y1 - uy * s + ux * s * 0.5),
                   (x1 - ux * s + uy * s * 0.5, y1 - uy * s - ux * s * 0.5)], fill=fill)


def diagram(rng: random.Random, photo: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    """A product or how-to diagram: the parcel cut out onto white or a pale flat colour, with
    dimension arrows, callout lines and their labels, sometimes a title."""
    w, h = rng.choice([(800, 600), (600, 600), (900, 560), (640, 800)])
    bg = (255, 255, 255) if rng.random() < 0.6 else colour(rng, light=True)
    im = Image.new("RGB", (w, h), bg)
    part = cutout(photo, box)
    scale = rng.uniform(0.45, 0.7) * min(w, h) / max(part.size)
    part = part.resize((max(1, int(part.width * scale)), max(1, int(part.height * scale))), Image.BOX)
    px, py = (w - part.width) // 2 + rng.randint(-w // 10, w // 10), (h - part.height) // 2 + rng.randint(-h // 12, h // 12)
    px, py = max(40, min(px, w - part.width - 40)), max(40, min(py, h - part.height - 40))
    im.paste(part, (px, py))
    d = ImageDraw.Draw(im)
    ink = (0, 0, 0) if rng.random() < 0.6 else colour(rng, light=False)
    lw = rng.randint(2, 5)
    size = int(min(w, h) * rng.uniform(0.035, 0.06))
    gap = rng.randint(12, 30)
    x0, y0, x1, y1 = px, py, px + part.width, py + part.height
    sides = rng.sample(["below", "right", "left", "above"], rng.randint(1, 3))
    for side in sides:
        label = rng.choice(LABELS)
        if side == "below":
            _arrow(d, (x0, y1 + gap), (x1, y1 + gap), ink, lw, True)
            d.text(((x0 + x1) // 2 - size, min(h - size - 4, y1 + gap + 8)), label, fill=ink, font=font(size))
        elif side == "above":
            _arrow(d, (x0, y0 - gap), (x1, y0 - gap), ink, lw, True)
            d.text(((x0 + x1) // 2 - size, max(2, y0 - gap - size - 8)), label, fill=ink, font=font(size))
        elif side == "right":
            _arrow(d, (x1 + gap, y0), (x1 + gap, y1), ink, lw, True)
            d.text((min(w - 3 * size, x1 + gap + 10), (y0 + y1) // 2), label, fill=ink, font=font(size))
        else:
            _arrow(d, (x0 - gap, y0), (x0 - gap, y1), ink, lw, True)
            d.text((max(2, x0 - gap - 3 * size), (y0 + y1) // 2), label, fill=ink, font=font(size))
    for _ in range(rng.randint(0, 2)):  # callouts: a line from a point on the parcel to a label
        tx, ty = rng.randint(x0, x1), rng.randint(y0, y1)
        lx, ly = rng.choice([10, w - 4 * size]), rng.randint(10, h - size - 10)
        d.line(((tx, ty), (lx + size, ly + size // 2)), fill=ink, width=max(1, lw - 1))
        d.ellipse((tx - 5, ty - 5, tx + 5, ty + 5), fill=ink)
        d.text((lx, ly), rng.choice(LABELS), fill=ink, font=font(size))
    if rng.random() < 0.4:
        headline(d, rng, 20, 8, w, int(size * 1.3), ink)
    return im


def _face(d: ImageDraw.ImageDraw, pts: list[tuple[float, float]], base: tuple[int, int, int], light: float) -> None:
    d.polygon(pts, fill=tuple(max(0, min(255, int(c * light))) for c in base))


def render(rng: random.Random) -> Image.Image:
    """A 3D render of parcels: one to three boxes drawn as shaded cuboids in perspective (flat
    or graded faces, a tape band, a printed word), on a graded backdrop with floating shapes,
    drawn at twice the size and reduced for smooth edges."""
    w, h = rng.choice([(900, 600), (1200, 675), (800, 800), (600, 900)])
    W, H = w * 2, h * 2
    im = backdrop(rng, W, H)
    d = ImageDraw.Draw(im)
    for _ in range(rng.randint(0, 30)):  # confetti, bokeh, floating cubes
        r = rng.randint(6, 60)
        x, y = rng.randint(0, W), rng.randint(0, H)
        c = colour(rng)
        if rng.random() < 0.5:
            d.ellipse((x - r, y - r, x + r, y + r), fill=c)
        else:
            d.regular_polygon((x, y, r), rng.choice([4, 5, 6]), rotation=rng.randint(0, 90), fill=c)
    if rng.random() < 0.5:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(2, 12)))
        d = ImageDraw.Draw(im)
    card = (rng.randint(170, 215), rng.randint(120, 160), rng.randint(70, 100))
    base = card if rng.random() < 0.6 else colour(rng)
    n = rng.randint(1, 3)
    bw = rng.uniform(0.3, 0.55) * W / (1 + 0.3 * (n - 1))
    cx, floor = W / 2 + rng.uniform(-0.15, 0.15) * W, H * rng.uniform(0.75, 0.92)
    skew = rng.uniform(0.2, 0.45)
    for i in range(n):  # stacked, each smaller, bottom first
        s = bw * (1 - 0.18 * i)
        bh, depth = s * rng.uniform(0.5, 0.9), s * rng.uniform(0.3, 0.6)
        left, top = cx - s / 2, floor - bh
        dx, dy = depth * skew * (1 if rng.random() < 0.5 else -1), -depth * 0.6
        front = [(left, top), (left + s, top), (left + s, floor), (left, floor)]
        top_face = [(left, top), (left + s, top), (left + s + dx, top + dy), (left + dx, top + dy)]
        sx = left + s if dx > 0 else left
        side = [(sx, top), (sx + dx, top + dy), (sx + dx, floor + dy), (sx, floor)]
        _face(d, side, base, rng.uniform(0.55, 0.75))
        _face(d, front, base, rng.uniform(0.85, 1.0))
        _face(d, top_face, base, rng.uniform(1.05, 1.25))
        if rng.random() < 0.7:  # a tape band over the top and down the front
            t = s * 0.08
            tape = tuple(min(255, int(c * 1.15)) for c in base) if rng.random() < 0.5 else colour(rng, light=True)
            m = left + s / 2
            d.polygon([(m - t, top), (m + t, top), (m + t + dx, top + dy), (m - t + dx, top + dy)], fill=tape)
            d.rectangle((m - t, top, m + t, top + bh * 0.3), fill=tape)
        if rng.random() < 0.7:
            size = int(bh * rng.uniform(0.12, 0.2))
            d.text((left + s * 0.1, top + bh * 0.45), rng.choice(WORDS[:8] + ["BOX", "SHOP", "MART"]),
                   fill=colour(rng, light=sum(base) < 380), font=font(size))
        floor = top
    if rng.random() < 0.3:
        headline(d, rng, 40, 30, W, int(H * 0.06), colour(rng, light=sum(im.getpixel((20, 20))) < 380))
    return im.resize((w, h), Image.LANCZOS)


def thumbnail(rng: random.Random, photo: Image.Image) -> Image.Image:
    """A video thumbnail or social post: the photo (whole, or beside a flat colour) under huge
    outlined words in loud colours, sometimes an arrow and a circled spot."""
    w, h = rng.choice([(1280, 720), (1080, 1080), (720, 1280)])
    im = photo.resize((w, h), Image.BOX)
    if rng.random() < 0.4:  # the photo on one side, a flat colour on the other
        im = backdrop(rng, w, h)
        p = photo.copy()
        p.thumbnail((int(w * rng.uniform(0.45, 0.65)), h))
        im.paste(p, (w - p.width if rng.random() < 0.5 else 0, (h - p.height) // 2))
    d = ImageDraw.Draw(im)
    y = rng.randint(10, h // 3)
    for _ in range(rng.randint(1, 3)):
        size = int(min(w, h) * rng.uniform(0.08, 0.16))
        d.text((rng.randint(10, w // 4), y), rng.choice(WORDS).upper(), fill=colour(rng, light=True), font=font(size),
               stroke_width=max(2, size // 12), stroke_fill=(0, 0, 0) if rng.random() < 0.8 else colour(rng))
        y += int(size * 1.2)
    if rng.random() < 0.5:
        red = (rng.randint(200, 255), rng.randint(0, 40), rng.randint(0, 40))
        x, yy, r = rng.randint(w // 3, w - 80), rng.randint(h // 3, h - 80), rng.randint(40, 120)
        d.ellipse((x - r, yy - r, x + r, yy + r), outline=red, width=rng.randint(6, 14))
        _arrow(d, (x - 3 * r, yy - 2 * r), (x - r, yy - r // 2), red, rng.randint(8, 16), False)
    return im
