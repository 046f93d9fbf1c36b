"""QR codes as PNG and SVG (tickets, door pairing). Drawing costs ~2 ms, so results are cached."""

from __future__ import annotations

import functools
import io

import qrcode
import qrcode.constants
import qrcode.image.svg

# Medium error correction: a scratched or cracked phone screen still scans.
_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _code(text: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=_ERROR_CORRECTION, box_size=box_size, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code


@functools.lru_cache(maxsize=4096)
def png(text: str, box_size: int = 8) -> bytes:
    buf = io.BytesIO()
    _code(text, box_size).make_image().save(buf, format="PNG")
    return buf.getvalue()


@functools.lru_cache(maxsize=4096)
def svg(text: str) -> bytes:
    buf = io.BytesIO()
    _code(text, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue()
