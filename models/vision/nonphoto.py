"""Generated non-photos of the kinds a driver's camera roll holds beside real delivery photos,
for the scene's not-a-photo probe (`fit_scene.py`): collages of photos, adverts and product
renders (a parcel cut out onto a flat or graded backdrop under big text), and phone screens
with delivery notifications. They add to `models/quality/synth.py`'s screenshots, drawings,
charts and photos of screens, which the quality model was trained on.

Each is drawn from the training photos (and their labelled parcel boxes) with Pillow only, so
a seed gives the same image on every machine.
"""

from __future__ import annotations

import random

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
