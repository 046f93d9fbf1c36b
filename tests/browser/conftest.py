"""Browser fixtures: one headless Debian chromium per test session, driven by Playwright.

- The browser is never downloaded: it is `/usr/bin/chromium` (`apt-get install -y chromium`;
  TRAFFPUNKT_CHROMIUM names another path). Without it the browser tests are skipped, unless
  TRAFFPUNKT_REQUIRE_BROWSER=1 (CI): then they fail.
- Playwright objects belong to the event loop that made them, so the browser fixture and every
  browser test run on pytest-asyncio's session loop (`loop_scope="session"`).
- `site` is the `live` server (SQLite or PostgreSQL) with the demo data loaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

CHROMIUM = Path(os.environ.get("TRAFFPUNKT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("TRAFFPUNKT_REQUIRE_BROWSER") == "1"

# A Swedish visitor unless a test says otherwise (Playwright would otherwise send en-US).
DEFAULT_LOCALE = "sv-SE"

NewPage = Callable[..., Awaitable[Any]]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium; skips (or fails, with TRAFFPUNKT_REQUIRE_BROWSER=1) without it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium); browser tests need it"
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium_path: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def new_page(browser: Any) -> AsyncIterator[NewPage]:
    """`await new_page(**context_options)`: a page in a fresh browser context (own cookies).

    Defaults: a Swedish locale and a desktop viewport; every context is closed after the test.
    """
    contexts: list[Any] = []

    async def make(**options: Any) -> Any:
        options.setdefault("locale", DEFAULT_LOCALE)
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = await browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return await context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
def site(live: Any) -> Any:
    """The live server with the demo data (13 municipalities, 13 upcoming events, 1 a series)."""
    assert "Loaded 13 municipalities" in live.cli("demo")
    return live


@pytest.fixture
def admin_token(site: Any) -> str:
    out = site.cli("token", "create", "--email", "admin@example.se", "--role", "admin")
    return out.split()[-1]


class _HostHandler(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_origin() -> Iterator[Callable[[str, str], str]]:
    """`host(path, html)` serves `html` from a second HTTP server (another origin); its URL.

    A real server on 127.0.0.1 rather than a routed fake host: chromium's local-network-access
    rules block a page from a public address (which a routed one counts as) from framing
    127.0.0.1.
    """
    pages: dict[str, str] = {}
    handler = type("HostHandler", (_HostHandler,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def host(path: str, html: str) -> str:
        pages[path] = html
        return base + path

    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
