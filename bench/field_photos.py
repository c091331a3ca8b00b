"""Benchmark the server's photo check: `python bench/field_photos.py [--photos 20]`.

Every photo is decoded and re-encoded on the server (spotcheck.inspections.images.clean_photo).
The phone resizes a photo to at most 1600 px before sending it (static/js/field-record.js);
the baseline, measured in the same run, is the camera's original (4000 × 3000) sent as is.
Printed: bytes on the wire and server time per photo, and the ratios.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from spotcheck.inspections.images import clean_photo  # noqa: E402


def camera_photo(seed: int) -> Image.Image:
    """A 4000 × 3000 picture with the texture of a real photo (it must not compress away)."""
    rnd = random.Random(seed)
    small = Image.new("RGB", (400, 300))
    small.putdata(
        [(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(400 * 300)]
    )
    img = small.resize((4000, 3000), Image.Resampling.BICUBIC).filter(ImageFilter.DETAIL)
    draw = ImageDraw.Draw(img)
    for _ in range(200):
        x, y = rnd.randrange(4000), rnd.randrange(3000)
        draw.rectangle([x, y, x + rnd.randrange(400), y + rnd.randrange(300)], outline=(0, 0, 0))
    return img


def encode(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def timed(data: list[bytes]) -> float:
    start = time.perf_counter()
    for blob in data:
        clean_photo(blob)
    return (time.perf_counter() - start) / len(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    originals, resized = [], []
    for n in range(args.photos):
        img = camera_photo(n)
        originals.append(encode(img, 92))
        small = img.copy()
        small.thumbnail((1600, 1600))
        resized.append(encode(small, 85))
    base_bytes = sum(map(len, originals)) / len(originals)
    phone_bytes = sum(map(len, resized)) / len(resized)
    base_time = timed(originals)
    phone_time = timed(resized)
    print(f"photos: {args.photos}")
    print(
        f"camera original 4000x3000: {base_bytes / 1024:.0f} KiB, server {base_time * 1000:.0f} ms"
    )
    print(
        f"resized on the phone 1600x1200: {phone_bytes / 1024:.0f} KiB, "
        f"server {phone_time * 1000:.0f} ms"
    )
    print(
        f"ratio bytes: {base_bytes / phone_bytes:.1f}x  server time: {base_time / phone_time:.1f}x"
    )


if __name__ == "__main__":
    main()
