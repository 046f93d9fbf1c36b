"""Draws Träffpunkt's icons into traffpunkt/static/icons/ (run it again after a change here).

The symbol is the meeting-point sign (ISO 7001's "meeting point": arrows from four sides
pointing at one spot), in the site's colours: white arrows and a yellow spot on the brand blue.
One geometry gives the SVG favicon and, through Pillow (installed with qrcode[pil]), the PNGs a
phone wants for its home screen and the .ico that browsers ask for at /favicon.ico.

    python scripts/make_icons.py
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "traffpunkt" / "static" / "icons"
BLUE = "#0b5394"  # --brand in site.css
YELLOW = "#f0a500"  # the focus colour in site.css
WHITE = "#ffffff"

SIZE = 512
CORNER = 96  # rounded corners of the icon that is not masked by the phone
# One arrow, pointing down at the centre from the top side; the other three are it rotated.
TIP, BASE, HALF_WIDTH = 96, 196, 74  # distances from the centre, in px of a 512 px icon
SPOT = 52  # radius of the meeting spot


def arrows(scale: float = 1.0) -> list[list[tuple[float, float]]]:
    c = SIZE / 2
    top = [(0.0, -TIP), (-HALF_WIDTH, -BASE), (HALF_WIDTH, -BASE)]
    shapes = []
    for rx, ry in ((1, 0), (0, 1), (-1, 0), (0, -1)):  # rotations by 0, 90, 180, 270 degrees
        shapes.append(
            [(c + scale * (x * rx - y * ry), c + scale * (x * ry + y * rx)) for x, y in top]
        )
    return shapes


def svg() -> str:
    polygons = "\n".join(
        '  <polygon points="{}" fill="{}"/>'.format(
            " ".join(f"{x:g},{y:g}" for x, y in shape), WHITE
        )
        for shape in arrows()
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">\n'
        f"  <title>Träffpunkt</title>\n"
        f'  <rect width="{SIZE}" height="{SIZE}" rx="{CORNER}" fill="{BLUE}"/>\n'
        f"{polygons}\n"
        f'  <circle cx="{SIZE // 2}" cy="{SIZE // 2}" r="{SPOT}" fill="{YELLOW}"/>\n'
        "</svg>\n"
    )


def png(size: int, *, rounded: bool, scale: float = 1.0) -> Image.Image:
    """Drawn at 4x and scaled down, for smooth edges. `rounded=False` fills the square (a phone
    masks it: Android's maskable icons, iOS's home-screen icons); `scale` keeps the symbol
    inside the maskable safe zone (a circle of 80 % of the width)."""
    big = SIZE * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=CORNER * 4, fill=BLUE)
    else:
        draw.rectangle((0, 0, big, big), fill=BLUE)
    for shape in arrows(scale):
        draw.polygon([(x * 4, y * 4) for x, y in shape], fill=WHITE)
    r = SPOT * scale * 4
    draw.ellipse((big / 2 - r, big / 2 - r, big / 2 + r, big / 2 + r), fill=YELLOW)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(svg())
    png(192, rounded=True).save(OUT / "icon-192.png", optimize=True)
    png(512, rounded=True).save(OUT / "icon-512.png", optimize=True)
    png(512, rounded=False, scale=0.78).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS draws its own rounded corners and ignores transparency (it would show black).
    png(180, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    ico = io.BytesIO()
    png(256, rounded=True).save(ico, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    (OUT / "favicon.ico").write_bytes(ico.getvalue())
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
