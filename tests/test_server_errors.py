"""Every 500 is logged with a request id, and the page or problem+json shows the same id.

The failure used here is the one seen in issue 12: the running server's template files vanish
(`pip install -e .` replaced the installed package under it). Litestar reports that as its own
500 (an HTTPException), which used to be answered with no log line at all.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import httpx

from traffpunkt.templating import template_dirs


def _serve_templates_from_copy(app: Any, where: Path) -> None:
    """Point the app's Jinja loader at a copy of the template folders, as an installed
    package's folders are (so the test can delete them)."""
    copies = []
    for i, folder in enumerate(template_dirs()):
        copy = where / str(i)
        shutil.copytree(folder, copy)
        copies.append(str(copy))
    env = app.template_engine.engine
    env.loader.searchpath = copies
    env.cache.clear()


def _remove(folder: Path, name: str) -> None:
    for path in folder.rglob(name):
        path.unlink()


async def test_vanished_templates_give_a_logged_500_with_request_id(
    app: Any, client: httpx.AsyncClient, tmp_path: Path, caplog: Any
) -> None:
    _serve_templates_from_copy(app, tmp_path)
    html = {"Accept": "text/html"}
    assert (await client.get("/", headers=html)).status_code == 200
    shutil.rmtree(tmp_path)  # what `pip install -e .` did to the installed package

    caplog.set_level(logging.ERROR, logger="traffpunkt")
    r = await client.get("/", headers=html)
    assert r.status_code == 500
    rid = r.headers["x-request-id"]
    assert len(rid) == 16
    # The page, in Swedish, still says what happened and shows the id (the templates are gone,
    # so it is the plain fallback page).
    assert r.headers["content-type"].startswith("text/html")
    assert "Något gick fel" in r.text and rid in r.text
    assert "events/home.html" not in r.text  # no internals to the visitor
    records = [rec for rec in caplog.records if rid in rec.getMessage()]
    assert len(records) >= 1 and records[0].exc_info is not None
    assert "GET /" in records[0].getMessage()

    # An API client gets problem+json with the same kind of id; a proxy's id is kept.
    r = await client.get("/", headers={"Accept": "*/*", "X-Request-ID": "proxy-42.a:b"})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["request_id"] == "proxy-42.a:b" == r.headers["x-request-id"]
    assert body["status"] == 500 and "events/home.html" not in body["detail"]
    assert any("proxy-42.a:b" in rec.getMessage() for rec in caplog.records)

    # An id that could forge log lines or markup is replaced by our own.
    r = await client.get("/", headers={"Accept": "*/*", "X-Request-ID": "a b<script>"})
    assert r.json()["request_id"] != "a b<script>" and len(r.json()["request_id"]) == 16


async def test_error_page_template_shows_request_id(
    app: Any, client: httpx.AsyncClient, tmp_path: Path, caplog: Any
) -> None:
    """When only a page's own template is missing, the 500 is the site's error page (with the
    layout), in the visitor's language, with the id."""
    _serve_templates_from_copy(app, tmp_path)
    _remove(tmp_path, "home.html")
    caplog.set_level(logging.ERROR, logger="traffpunkt")
    r = await client.get("/?lang=en", headers={"Accept": "text/html"})
    assert r.status_code == 500
    rid = r.headers["x-request-id"]
    assert 'class="site-header"' in r.text  # the real error page, not the fallback
    assert "Something went wrong" in r.text
    assert f"Error reference: {rid}" in r.text
    assert any(rid in rec.getMessage() for rec in caplog.records)
