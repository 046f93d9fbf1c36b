"""What the site serves of its own: the API documentation's viewers (no CDN), the favicon and
the icons a phone installs the door app with."""

from __future__ import annotations

import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from PIL import Image

from tests.conftest import World

STATIC = Path(__file__).resolve().parent.parent / "traffpunkt" / "static"


class _Refs(HTMLParser):
    """Every URL a page makes the browser load: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("src", "href") if tag in ("script", "link", "img") else ():
            if a.get(name):
                self.urls.append(str(a[name]))


def loaded_urls(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.urls


async def test_api_docs_load_nothing_from_other_hosts(client: httpx.AsyncClient) -> None:
    for path in ("/api/docs", "/api/docs/swagger"):
        r = await client.get(path)
        assert r.status_code == 200, path
        urls = loaded_urls(r.text)
        assert len(urls) >= 3, (path, urls)  # the viewer's script, its CSS, the icon
        for url in urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{path} loads {url}"
            assert (await client.get(url)).status_code == 200, url
        # Scalar must not fetch its fonts, report usage or ask its agent (all at scalar.com).
        if path == "/api/docs":
            for option in ('"withDefaultFonts":false', '"telemetry":false', '"disabled":true'):
                assert option in r.text


async def test_favicon_and_icons(client: httpx.AsyncClient) -> None:
    r = await client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert Image.open(io.BytesIO(r.content)).format == "ICO"

    page = (await client.get("/")).text
    urls = [u.partition("?v=")[0] for u in loaded_urls(page)]  # without the content hash
    assert "/favicon.ico" in urls
    assert "/static/icons/favicon.svg" in urls
    assert "/static/icons/apple-touch-icon.png" in urls
    for url in ("/static/icons/favicon.svg", "/static/icons/apple-touch-icon.png"):
        assert (await client.get(url)).status_code == 200, url
    touch = Image.open(io.BytesIO((await client.get("/static/icons/apple-touch-icon.png")).content))
    assert touch.size == (180, 180) and touch.mode == "RGB"  # iOS shows transparency as black


async def test_door_app_manifest_has_installable_icons(client: httpx.AsyncClient) -> None:
    event_id = "5f0c7c1e-0000-4000-8000-000000000001"
    r = await client.get(f"/checkin/{event_id}/manifest.webmanifest")
    manifest: dict[str, Any] = json.loads(r.content)
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/checkin/")
    assert manifest["name"]
    pngs = {}
    for icon in manifest["icons"]:
        got = await client.get(icon["src"])
        assert got.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            image = Image.open(io.BytesIO(got.content))
            assert f"{image.size[0]}x{image.size[1]}" == icon["sizes"], icon
            pngs[(icon["sizes"], icon.get("purpose", "any"))] = image
    # What Chrome wants before it offers to install the app on Android.
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(pngs)
    # The maskable one fills its square (a phone cuts it to its own shape).
    assert pngs[("512x512", "maskable")].convert("RGBA").getpixel((0, 0))[3] == 255
    # The door page itself shows the site's icons.
    page = (await client.get(f"/checkin/{event_id}")).text
    assert "/static/icons/favicon.svg" in [u.partition("?v=")[0] for u in loaded_urls(page)]


def test_icon_files_are_what_the_script_draws(tmp_path: Path) -> None:
    """The committed SVG is the script's output (so the PNGs and the SVG show one design)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_icons", Path(__file__).resolve().parent.parent / "scripts" / "make_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (STATIC / "icons" / "favicon.svg").read_text() == module.svg()


async def test_static_assets_are_versioned_and_cached_to_match(client: httpx.AsyncClient) -> None:
    """The page links its stylesheet and icons with their content hash, kept a year; the same
    file without a hash is kept a day and revalidated with its ETag."""
    page = (await client.get("/")).text
    versioned = [u for u in loaded_urls(page) if u.startswith("/static/")]
    assert len(versioned) >= 3, versioned  # the stylesheet, the SVG icon, the touch icon
    for url in versioned:
        path, _, version = url.partition("?v=")
        assert len(version) == 12, url
        r = await client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable", url
        # A changed file gets another URL: the hash is the file's content.
        assert (
            hashlib.sha256((STATIC / path.removeprefix("/static/")).read_bytes()).hexdigest()[:12]
            == version
        )
        plain = await client.get(path)
        assert plain.headers["cache-control"] == "public, max-age=86400", path
        assert plain.headers["etag"]
        again = await client.get(path, headers={"If-None-Match": plain.headers["etag"]})
        assert again.status_code == 304, path
    missing = await client.get("/static/nothing-here.css?v=0123456789ab")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get(
        "cache-control", ""
    )


async def test_public_pages_describe_themselves_in_the_page_language(
    client: httpx.AsyncClient, world: World
) -> None:
    """Search engines and link previews get a description (Lighthouse SEO), translated."""

    def description(html: str) -> str:
        found = re.findall(r'<meta name="description" content="([^"]*)">', html)
        assert len(found) == 1, found  # exactly one, also on pages that set their own
        return found[0]

    sv = description((await client.get("/")).text)
    en = description((await client.get("/?lang=en")).text)
    assert sv.startswith("Seminarier och nätverksträffar för småföretag"), sv
    assert en.startswith("Seminars and network meetings for small companies"), en
    assert "Åsele" in description((await client.get("/calendar/asele")).text)
    sign_in = (await client.get("/organiser/sign-in?lang=sv")).text  # ?lang=en was remembered
    assert description(sign_in).startswith("Seminarier")
