"""Checks of photos and signatures by their content, never by their name or declared type.

A photo must decode as JPEG, PNG or WebP (an SVG, a script or a renamed file does not);
it is re-encoded as JPEG, which drops its metadata (the phone's GPS tag among them) and
anything appended to the image.  A signature must be a PNG with at least one stroke.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PIXELS = 40_000_000
STORED_EDGE = 2560
SIGNATURE_MAX_BYTES = 1024 * 1024


def photo_max_bytes() -> int:
    """The largest photo accepted, in bytes (setting FIELD_PHOTO_MAX_MB, default 10)."""
    return int(getattr(settings, "FIELD_PHOTO_MAX_MB", 10)) * 1024 * 1024


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int


def photo_size_error(size: int) -> str | None:
    """The Chinese refusal of a photo of ``size`` bytes, or None when it is small enough.

    Upload views ask before reading the file; ``clean_photo`` asks again of the bytes.
    """
    limit = photo_max_bytes()
    if size <= limit:
        return None
    return f"照片不能超过 {limit // (1024 * 1024)} MB（本张 {size / 1024 / 1024:.1f} MB）"


def clean_photo(data: bytes) -> CleanImage:
    """Return the photo re-encoded as JPEG, or refuse it with a Chinese message."""
    if message := photo_size_error(len(data)):
        raise ValidationError(message)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except Image.DecompressionBombError as exc:
        # the header claims more pixels than Pillow will ever decode
        raise ValidationError("照片像素过大，请拍摄或选择普通照片") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("文件不是有效的照片，只接受 JPEG、PNG 或 WebP 格式的图片") from exc
    if fmt not in PHOTO_FORMATS:
        raise ValidationError("文件不是有效的照片，只接受 JPEG、PNG 或 WebP 格式的图片")
    if width * height > MAX_PIXELS:
        raise ValidationError("照片像素过大，请拍摄或选择普通照片")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            img.thumbnail((STORED_EDGE, STORED_EDGE))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=85, optimize=True)
            return CleanImage(content=out.getvalue(), width=img.width, height=img.height)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError("照片已损坏，无法读取，请重新拍摄") from exc


def clean_signature(data_url: str, *, label: str = "签名") -> bytes:
    """Return the PNG of a signature pad's ``data:image/png;base64,…``; refuse a blank one."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationError(f"{label}为空，请在签字框内签字")
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"{label}数据无效，请重新签字") from exc
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise ValidationError(f"{label}数据过大，请清除后重新签字")
    try:
        with Image.open(io.BytesIO(raw)) as img:
            if img.format != "PNG" or img.width * img.height > 4_000_000:
                raise ValidationError(f"{label}数据无效，请重新签字")
            rgba = img.convert("RGBA")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(f"{label}数据无效，请重新签字") from exc
    alpha = rgba.getchannel("A")
    ink = (
        alpha.getbbox()
        if alpha.getextrema()[0] < 255
        else ImageOps.invert(rgba.convert("L")).getbbox()
    )
    if ink is None:
        raise ValidationError(f"{label}为空，请在签字框内签字")
    return raw
