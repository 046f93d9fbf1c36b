"""traffpunkt.qr draws exactly what plain qrcode draws, only faster.

The fast path uses qrcode internals; if an upgrade of qrcode changes them, these tests fail
loudly (the module itself falls back to plain qrcode, slower but correct).
"""

from __future__ import annotations

import io
import random
import secrets
import string
from uuid import UUID

import pytest
import qrcode.image.svg
import zxingcpp
from PIL import Image

from registrations import tickets
from traffpunkt import qr


def ticket_codes(n: int, rng: random.Random) -> list[str]:
    """Real ticket codes (signed, 120 characters) for a few events."""
    keys = [tickets.new_keypair().private for _ in range(4)]
    events = [UUID(int=rng.getrandbits(128)) for _ in keys]
    return [tickets.sign(events[i % 4], tickets.new_ticket_no(), keys[i % 4]) for i in range(n)]


def other_texts(rng: random.Random) -> list[str]:
    """Links (byte mode), digits, short and long texts: versions 1 to 13, masks of every kind."""
    out = [f"http://testserver/r/{secrets.token_urlsafe(32)}" for _ in range(20)]
    out += [f"https://traffpunkt.example/door/{secrets.token_hex(i)}" for i in range(1, 40, 3)]
    out += ["".join(rng.choices(string.digits, k=rng.randint(1, 300))) for _ in range(10)]
    out += ["".join(rng.choices(string.printable, k=rng.randint(1, 200))) for _ in range(20)]
    out += ["TP1", "Å", "A" * 400, "ticket_no:" + tickets.new_ticket_no()]
    return out


def decode(png: bytes) -> str:
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    return result.text


def test_the_fast_path_is_active() -> None:
    """If this fails, qrcode's internals changed: traffpunkt.qr now draws with plain qrcode
    (correct, ~2x slower per ticket mail). Adapt `_fast_code`/`_masks` to the new qrcode."""
    qr._fast_ok = None
    assert qr.fast_path_active()


def test_fast_png_is_byte_identical_to_qrcode_and_decodes() -> None:
    rng = random.Random(20270304)
    texts = ticket_codes(150, rng) + other_texts(rng)
    for text in texts:
        fast = qr._fast_png(text)
        assert fast == qr._plain_png(text), text
        assert fast.startswith(b"\x89PNG")
    for text in texts[:150:5] + texts[150:]:
        if text.isprintable() and text.strip() == text:  # zxing trims nothing else
            assert decode(qr._fast_png(text)) == text


@pytest.mark.parametrize("box_size", [1, 3, 10])
def test_other_box_sizes_are_identical_too(box_size: int) -> None:
    for text in ticket_codes(5, random.Random(box_size)):
        assert qr._fast_png(text, box_size) == qr._plain_png(text, box_size)


def test_svg_uses_the_same_mask_as_qrcode() -> None:
    for text in ticket_codes(10, random.Random(7)):
        buf = io.BytesIO()
        qr._plain_code(text, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
        assert qr.svg.__wrapped__(text) == buf.getvalue()


def test_public_functions_are_cached_and_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ticket_codes(1, random.Random(1))[0]
    assert qr.png(text) is qr.png(text)  # lru_cache
    assert decode(qr.png(text)) == text
    # qrcode internals gone: the plain drawing, same bytes.
    monkeypatch.setattr(qr, "_fast_ok", None)
    monkeypatch.setattr(qr, "_masks", None)  # calling it raises TypeError
    assert not qr.fast_path_active()
    assert qr.png.__wrapped__(text) == qr._plain_png(text)
    assert qr.svg.__wrapped__(text).startswith(b"<?xml")
    # A failure on one code only (the check at first use passed): that code is drawn plainly.
    monkeypatch.setattr(qr, "_fast_ok", True)
    assert qr.png.__wrapped__(text) == qr._plain_png(text)
