"""The API documentation renders in a real browser with every other host unreachable: its
viewers (Scalar, Swagger UI) come from the package, not a CDN (issue 12)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def offline_page(new_page: Any, origin: str) -> tuple[Any, list[str]]:
    """A page whose requests to any host but `origin` are aborted (and recorded)."""
    page = await new_page()
    refused: list[str] = []
    host = urlsplit(origin).netloc

    async def route(r: Any) -> None:
        url = r.request.url
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:")):
            await r.continue_()
        else:
            refused.append(url)
            await r.abort()

    await page.route("**/*", route)
    return page, refused


async def test_scalar_and_swagger_render_offline(live: Any, new_page: Any) -> None:
    page, refused = await offline_page(new_page, live.url)
    await page.goto(f"{live.url}/api/docs")
    # Scalar has drawn the document: the title and an operation of the public contract.
    await page.get_by_role("heading", name="Träffpunkt").first.wait_for()
    await page.get_by_text("/api/v1/events/{event_id}/registrations").first.wait_for()

    await page.goto(f"{live.url}/api/docs/swagger")
    await page.locator(".swagger-ui .info .title").filter(has_text="Träffpunkt").wait_for()
    await page.locator(".opblock-summary-path").first.wait_for()
    assert refused == [], f"the API docs tried to load from other hosts: {refused}"
