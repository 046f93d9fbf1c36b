"""`traffpunkt serve` behind a reverse proxy: forwarded headers only from trusted proxies
(TRAFFPUNKT_FORWARDED_ALLOW_IPS), Secure cookies for https, and a keep-alive longer than a
proxy's (TRAFFPUNKT_KEEPALIVE_TIMEOUT, `--keepalive-timeout`). Real servers, real sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import PG_ADMIN_URL
from tests.live import LiveServer, drop_database, fresh_database, live_server
from traffpunkt.cli import build_parser, uvicorn_options
from traffpunkt.settings import load_settings

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture
def behind_proxy(
    engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[LiveServer]:
    """A live server that trusts a proxy on 127.0.0.1 and keeps idle connections 2 s."""
    template: Path = request.getfixturevalue("sqlite_template")
    if engine_name == "postgres":
        request.getfixturevalue("pg_database")
    url = fresh_database(engine_name, template, tmp_path, PG_ADMIN_URL)
    env = {"TRAFFPUNKT_FORWARDED_ALLOW_IPS": "127.0.0.1", "TRAFFPUNKT_KEEPALIVE_TIMEOUT": "2"}
    try:
        with live_server(url, tmp_path, env) as server:
            yield server
    finally:
        drop_database(url, PG_ADMIN_URL)


def set_cookies(url: str, headers: dict[str, str] | None = None) -> list[str]:
    # A page that sets the language cookie and Litestar's CSRF cookie.
    r = httpx.get(f"{url}/organiser/sign-in?lang=en", headers=headers)
    assert r.status_code == 200
    cookies = r.headers.get_list("set-cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"lang", "csrftoken"}, cookies
    return cookies


def request_on(sock: socket.socket, host: str) -> bytes:
    sock.sendall(f"GET /api/v1/topics HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.5)
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_by_default_no_proxy_is_trusted_and_idle_connections_outlive_5_s(live: Any) -> None:
    """A client cannot claim https (or another address) with forwarded headers. And uvicorn's
    own keep-alive (5 s) is shorter than nginx's upstream one (60 s): a proxy reusing a
    connection after 5 s idle lost its request. The default is 75 s."""
    assert not any("; Secure" in c for c in set_cookies(live.url, HTTPS))
    parts = urlsplit(live.url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        assert request_on(sock, parts.netloc).startswith(b"HTTP/1.1 200")
        time.sleep(6.5)
        assert not closed_by_server(sock)
        assert request_on(sock, parts.netloc).startswith(b"HTTP/1.1 200")


def test_a_trusted_proxy_and_the_keepalive_setting(behind_proxy: LiveServer) -> None:
    """https from a trusted proxy makes every cookie Secure; plain http does not; an idle
    connection is closed after TRAFFPUNKT_KEEPALIVE_TIMEOUT."""
    assert all("; Secure" in c for c in set_cookies(behind_proxy.url, HTTPS))
    assert not any("; Secure" in c for c in set_cookies(behind_proxy.url))
    parts = urlsplit(behind_proxy.url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        assert request_on(sock, parts.netloc).startswith(b"HTTP/1.1 200")
        time.sleep(3.5)  # longer than TRAFFPUNKT_KEEPALIVE_TIMEOUT=2
        assert closed_by_server(sock)


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAFFPUNKT_KEEPALIVE_TIMEOUT", "30")
    monkeypatch.delenv("TRAFFPUNKT_FORWARDED_ALLOW_IPS", raising=False)
    settings = load_settings()
    options = uvicorn_options(build_parser().parse_args(["serve"]), settings)
    assert options["timeout_keep_alive"] == 30
    assert options["proxy_headers"] is False  # trust no proxy unless told
    args = build_parser().parse_args(["serve", "--keepalive-timeout", "90"])
    assert uvicorn_options(args, settings)["timeout_keep_alive"] == 90
    monkeypatch.delenv("TRAFFPUNKT_KEEPALIVE_TIMEOUT")
    monkeypatch.setenv("TRAFFPUNKT_FORWARDED_ALLOW_IPS", "10.0.0.0/8, 127.0.0.1")
    options = uvicorn_options(build_parser().parse_args(["serve"]), load_settings())
    assert options["timeout_keep_alive"] == 75
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.0/8, 127.0.0.1"
