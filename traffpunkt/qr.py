"""QR codes as PNG and SVG (tickets, door pairing), cached per text.

`qrcode` chooses the mask pattern by drawing the code 8 times and scoring each drawing in pure
Python: ~4 of the ~5.5 ms a ticket code costs, and every ticket mail carries a new code. Here the
same choice is made with NumPy: the code is drawn once in qrcode's test mode, the 8 masks are
XORed over its data modules, and the 8 results are scored at once with the same four penalties
as `qrcode.util.lost_point` (with the same ties: the first lowest score wins). The winner gets
its format bits and the PNG is written from the NumPy bitmap: byte-identical to what plain
qrcode writes, in ~1.4 instead of ~5.5 ms (tests/test_qr.py checks many codes, so a qrcode
upgrade that changes its internals fails there).

The fast path leans on qrcode internals (`makeImpl`, `precomputed_qr_blanks`, ...). If they are
missing, or the check at first use finds a different result, plain qrcode is used (slower, same
codes).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import qrcode
import qrcode.constants
import qrcode.exceptions
import qrcode.image.svg

log = logging.getLogger("traffpunkt.qr")

# Medium error correction: a scratched or cracked phone screen still scans.
_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
_BORDER = 4


def _new(text: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=_ERROR_CORRECTION, box_size=box_size, border=_BORDER)
    code.add_data(text)
    return code


def _plain_code(text: str, box_size: int) -> qrcode.QRCode:
    code = _new(text, box_size)
    code.make(fit=True)
    return code


def _plain_png(text: str, box_size: int = 8) -> bytes:
    """What qrcode itself writes (the reference; the fallback)."""
    buf = io.BytesIO()
    _plain_code(text, box_size).make_image().save(buf, format="PNG")
    return buf.getvalue()


# --- the fast mask choice ----------------------------------------------------------------------

# Penalty 3 (ISO 18004): 1:1:3:1:1 dark:light:dark:light:dark with 4 light modules on one side,
# as 11-bit numbers (the first module is the highest bit).
_FINDER_LIKE = (0b10111010000, 0b00001011101)


def _run_penalties(rows: Any, k: int) -> Any:
    """Penalty 1 of k stacked codes given as k * n rows: each run of 5 or more same-coloured
    modules in a row costs its length - 2. Returns k sums."""
    import numpy as np

    edges = np.ones((rows.shape[0], rows.shape[1] + 1), dtype=bool)
    edges[:, 1:-1] = rows[:, 1:] != rows[:, :-1]
    at = np.flatnonzero(edges.ravel())  # run starts, plus each row's end
    lengths = np.diff(at)
    long = lengths >= 5  # (a row's end to the next row's start is 1: never counted)
    code = at[:-1][long] // (edges.size // k)
    return np.bincount(code, weights=lengths[long] - 2, minlength=k)


def _lost_points(stack: Any) -> list[int]:
    """qrcode.util.lost_point of each of k square boolean module matrices (k, n, n): the same
    values, computed for all k at once."""
    import numpy as np

    k, n, _ = stack.shape
    points = _run_penalties(stack.reshape(k * n, n), k)
    columns = stack.transpose(0, 2, 1)
    points += _run_penalties(columns.reshape(k * n, n), k)
    a = stack[:, :-1, :-1]
    blocks = (a == stack[:, :-1, 1:]) & (a == stack[:, 1:, :-1]) & (a == stack[:, 1:, 1:])
    points += 3 * blocks.sum(axis=(1, 2))
    for x in (stack, columns):
        windows = np.zeros((k, n, n - 10), dtype=np.int16)
        for t in range(11):
            windows = (windows << 1) | x[:, :, t : n - 10 + t]
        found = (windows == _FINDER_LIKE[0]) | (windows == _FINDER_LIKE[1])
        points += 40 * found.sum(axis=(1, 2))
    out = []
    for code_points, dark in zip(points.tolist(), stack.sum(axis=(1, 2)).tolist(), strict=True):
        percent = float(dark) / (n**2)  # penalty 4, in qrcode's float arithmetic
        out.append(int(code_points) + int(abs(percent * 100 - 50) / 5) * 10)
    return out


@functools.cache
def _masks(version: int, error_correction: int) -> Any:
    """The 8 mask patterns (qrcode.util.mask_func) restricted to the data modules of a version,
    as an (8, n, n) array. Needs qrcode's blank of that version, which `makeImpl` stores."""
    import numpy as np
    from qrcode.main import copy_2d_array, precomputed_qr_blanks

    n = version * 4 + 17
    probe = qrcode.QRCode(error_correction=error_correction)
    probe.version, probe.modules_count = version, n
    probe.modules = copy_2d_array(precomputed_qr_blanks[version])
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    data = np.array([[c is None for c in row] for row in probe.modules], dtype=bool)
    i, j = np.indices((n, n))
    patterns = (
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i * j) % 3 + (i + j) % 2) % 2 == 0,
    )
    return np.stack([p & data for p in patterns])


@functools.cache
def _format_bits(version: int, error_correction: int, mask: int) -> Any:
    """The dark modules of the format (and version) information: what `makeImpl(False, mask)`
    writes where test mode leaves light modules."""
    import numpy as np

    n = version * 4 + 17
    probe = qrcode.QRCode(error_correction=error_correction)
    probe.version, probe.modules_count = version, n
    probe.modules = [[False] * n for _ in range(n)]
    probe.setup_type_info(False, mask)
    if version >= 7:
        probe.setup_type_number(False)
    return np.array(probe.modules, dtype=bool)


def _fast_modules(text: str, box_size: int) -> tuple[qrcode.QRCode, Any]:
    """(the code, its final modules): what `_plain_code` makes, with the mask chosen in NumPy.
    The code's own `modules` are left in test mode."""
    import numpy as np

    code = _new(text, box_size)
    code.best_fit()
    code.makeImpl(True, 0)  # test mode: format bits light, so the masks differ in data only
    masks = _masks(code.version, code.error_correction)
    candidates = (np.array(code.modules, dtype=bool) ^ masks[0]) ^ masks
    scores = _lost_points(candidates)
    best = scores.index(min(scores))  # the first lowest, as qrcode
    return code, candidates[best] | _format_bits(code.version, code.error_correction, best)


def _fast_code(text: str, box_size: int) -> qrcode.QRCode:
    code, modules = _fast_modules(text, box_size)
    code.modules = modules.tolist()
    return code


def _fast_png(text: str, box_size: int = 8) -> bytes:
    """`_plain_png`'s bytes: the fast mask choice, and the bitmap drawn in NumPy (mode "1", black
    on white, as qrcode's PilImage)."""
    import numpy as np
    from PIL import Image

    modules = np.pad(_fast_modules(text, box_size)[1], _BORDER)
    pixels = np.repeat(np.repeat(~modules, box_size, axis=0), box_size, axis=1)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


# A ticket code (version 6) and a long text (version 13, with the version information blocks).
_SELF_CHECK = (
    "TP1" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 3 + "QWERTYUIOPASDFGHJKLZXCV",
    "https://traffpunkt.example/r/" + "0123456789abcdef" * 20,
)
_fast_ok: bool | None = None  # None: not checked yet in this process


def fast_path_active() -> bool:
    """Whether the NumPy mask choice is used (checked once per process against plain qrcode)."""
    global _fast_ok
    if _fast_ok is None:
        try:
            _fast_ok = all(_fast_png(t) == _plain_png(t) for t in _SELF_CHECK)
            reason = "it draws different codes"
        except Exception as exc:  # qrcode internals renamed or gone, NumPy missing, ...
            _fast_ok = False
            reason = f"{type(exc).__name__}: {exc}"
        if not _fast_ok:
            log.warning("fast QR drawing disabled (%s); using qrcode as it is", reason)
    return _fast_ok


T = TypeVar("T")


def _fast_or_plain(
    fast: Callable[[str, int], T], plain: Callable[[str, int], T], text: str, box_size: int
) -> T:
    """The fast drawing if it is active and works for this code, else qrcode's own (a code too
    long for a QR is an error either way)."""
    if fast_path_active():
        try:
            return fast(text, box_size)
        except qrcode.exceptions.DataOverflowError:
            raise
        except Exception:
            log.warning("fast QR drawing failed for one code; using qrcode", exc_info=True)
    return plain(text, box_size)


def _code(text: str, box_size: int) -> qrcode.QRCode:
    return _fast_or_plain(_fast_code, _plain_code, text, box_size)


# --- the API -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def png(text: str, box_size: int = 8) -> bytes:
    return _fast_or_plain(_fast_png, _plain_png, text, box_size)


@functools.lru_cache(maxsize=4096)
def svg(text: str) -> bytes:
    buf = io.BytesIO()
    _code(text, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue()
