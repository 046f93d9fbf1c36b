"""The distribution of a 1-5 question as an accessible SVG bar chart.

The chart is one image to a screen reader (`role="img"`, named by its `<title>` and described
by its `<desc>`, which says every number); the page shows the same numbers in a table beside
it. Inline SVG, no script: it prints, zooms and works without JavaScript; the text in it has
the page's colour on white (contrast 15:1), the bars are the brand blue (7:1 on white)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT, TOP, BOTTOM = 300, 150, 18, 22
BAR = "#0b5394"
TEXT = "#1b1f24"


def distribution_svg(
    chart_id: str, title: str, desc: str, counts: Sequence[int], labels: Sequence[str]
) -> Markup:
    """Bars for `counts` (one per label), each with its count above and its label below."""
    most = max(counts) or 1
    slot = WIDTH / len(counts)
    bar_width = slot * 0.6
    area = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="distribution" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="0" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{TEXT}" stroke-width="1"/>',
    ]
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        height = area * count / most
        x = slot * i + (slot - bar_width) / 2
        y = HEIGHT - BOTTOM - height
        middle = slot * i + slot / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
            f'fill="{BAR}"/>'
            f'<text x="{middle:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT}">{count}</text>'
            f'<text x="{middle:.1f}" y="{HEIGHT - 5}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
