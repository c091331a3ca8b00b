"""Draw the home-screen icons of the field work (现场检查) into static/icons/.

A white clipboard with a check mark on the platform blue. The "any" icons have rounded
corners on a transparent ground; the maskable one fills the square and keeps the symbol
inside the central 80 % that every launcher mask leaves visible. Run again after a change:

    .venv/bin/python scripts/make_field_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "icons"
BLUE = (13, 110, 253, 255)
WHITE = (255, 255, 255, 255)
GREEN = (25, 135, 84, 255)
GREY = (173, 181, 189, 255)
BIG = 1024  # drawn large, then scaled down smoothly
SIZES = (48, 72, 96, 144, 180, 192, 512)


def _symbol(draw: ImageDraw.ImageDraw, scale: float) -> None:
    """The clipboard and check mark, centred, ``scale`` of the full width."""

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        # coordinates on a 0..1 grid of the symbol's square, centred in the canvas
        off = BIG * (1 - scale) / 2
        return (off + x0 * BIG * scale, off + y0 * BIG * scale,
                off + x1 * BIG * scale, off + y1 * BIG * scale)  # fmt: skip

    r = BIG * scale * 0.06
    draw.rounded_rectangle(box(0.16, 0.10, 0.84, 0.95), radius=r, fill=WHITE)
    draw.rounded_rectangle(box(0.34, 0.02, 0.66, 0.18), radius=r * 0.7, fill=GREY)
    line = max(2, int(BIG * scale * 0.05))
    for y in (0.34, 0.48):
        draw.line([box(0.30, y, 0.70, y)[0:2], box(0.30, y, 0.70, y)[2:4]], fill=GREY, width=line)
    tick = [box(0.32, 0.70, 0, 0)[0:2], box(0.45, 0.82, 0, 0)[0:2], box(0.70, 0.58, 0, 0)[0:2]]
    draw.line(tick, fill=GREEN, width=int(line * 1.8), joint="curve")


def draw_icon(*, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (BIG, BIG), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, BIG, BIG), fill=BLUE)
        _symbol(draw, 0.56)
    else:
        draw.rounded_rectangle((0, 0, BIG - 1, BIG - 1), radius=BIG * 0.2, fill=BLUE)
        _symbol(draw, 0.72)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    plain = draw_icon(maskable=False)
    for size in SIZES:
        icon = plain.resize((size, size), Image.Resampling.LANCZOS)
        if size == 180:  # iOS draws its own corners and shows transparency as black
            icon = draw_icon(maskable=True).resize((size, size), Image.Resampling.LANCZOS)
        icon.save(OUT / f"field-{size}.png", optimize=True)
    maskable = draw_icon(maskable=True).resize((512, 512), Image.Resampling.LANCZOS)
    maskable.save(OUT / "field-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
