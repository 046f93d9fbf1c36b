"""Helpers every browser test uses: open a page, audit it with axe (WCAG 2.1 A/AA), measure
sideways scrolling, and describe violations readably."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.async_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


async def open_page(page: Any, url: str, status: int = 200) -> Any:
    response = await page.goto(url)
    assert response is not None, url
    assert response.status == status, f"{url}: HTTP {response.status}"
    return response


async def wcag_violations(page: Any) -> list[dict[str, Any]]:
    results = await AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def describe(label: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{label}: {len(violations)} WCAG violation(s)"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            for check in node["any"] + node["all"] + node["none"]:
                lines.append(f"      - {check['message']}")
    return "\n".join(lines)


async def horizontal_overflow(page: Any) -> int:
    """CSS pixels the document is wider than the viewport (0 when nothing scrolls sideways)."""
    return await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
