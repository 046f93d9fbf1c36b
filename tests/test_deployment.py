"""The deployment of docs/deploy.md, run for real: nginx with the shipped site file
(deploy/nginx/traffpunkt.conf, TLS with a throw-away certificate), two `traffpunkt serve
--no-worker` and one `traffpunkt worker` on one PostgreSQL database, an SMTP server in the test.

Through nginx it shows: no overbooking when sign-ups spread over both web processes, every mail
sent exactly once (by Message-ID), a door token's revocation honoured by both processes within
the stated 2 s, feeds answered from nginx's cache (HIT, and 304 to a client's If-None-Match), and
`/readyz` turning unready when the database goes away and ready again when it is back. The
database "goes away" by cutting a TCP relay between the services and PostgreSQL, so the
machine's PostgreSQL (which other tests use) keeps running.

Skipped where nginx is not installed, unless TRAFFPUNKT_REQUIRE_NGINX=1 (CI installs Debian's
nginx and sets it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.conftest import PG_ADMIN_URL, REQUIRE_PG, _pg_available
from tests.live import drop_database, free_port, fresh_database, server_env, stop
from tests.notifications.conftest import Recorder

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "traffpunkt.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
REQUIRE_NGINX = os.environ.get("TRAFFPUNKT_REQUIRE_NGINX") == "1"
REVOCATION_DELAY = 2.0  # docs/api.md: "within 2 s in others"


class Relay:
    """A TCP relay to PostgreSQL that the test can cut (close every connection and refuse new
    ones) and restore on the same port: the database unreachable, as the services see it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            listener.close()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


@dataclass
class Site:
    url: str  # nginx, https
    backends: list[str]  # each web process directly
    admin: str  # an admin's API token
    access_log: Path
    relay: Relay
    smtp: Recorder
    database_url: str  # direct, not through the relay


def _render_site(web_ports: list[int], https_port: int, http_port: int, work: Path) -> str:
    """The shipped site file with this test's ports, names, certificate and cache folder."""
    site = SITE.read_text()
    upstream = "".join(f"    server 127.0.0.1:{p};\n" for p in web_ports)
    site, n = re.subn(r"(    server 127\.0\.0\.1:800\d;\n)+", upstream, site)
    assert n == 1, "the upstream block of deploy/nginx/traffpunkt.conf changed shape"
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/traffpunkt.example.se/fullchain.pem": str(work / "cert.pem"),
        "/etc/letsencrypt/live/traffpunkt.example.se/privkey.pem": str(work / "key.pem"),
        "/var/cache/nginx/traffpunkt": str(work / "cache"),
    }
    for old, new in replacements.items():
        assert old in site, old
        site = site.replace(old, new)
    # No IPv6 listeners in a test sandbox.
    return "\n".join(line for line in site.splitlines() if "listen [::]" not in line)


def _nginx_conf(site: str, work: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstream '$request_method $uri $status $upstream_addr $upstream_cache_status';
    access_log {work}/access.log upstream;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    types {{ text/css css; application/javascript js; }}
{site}
}}
"""


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start within 60 s: {log.read_text()}")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    if NGINX is None:
        if REQUIRE_NGINX:
            pytest.fail("nginx is not installed (CI installs Debian's nginx)")
        pytest.skip("nginx is not installed")
    reason = _pg_available()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    work = Path(f"/tmp/traffpunkt-deploy-{secrets.token_hex(4)}")
    work.mkdir(mode=0o755)
    (work / "cache").mkdir()
    database_url = fresh_database("postgres", Path(), tmp_path, PG_ADMIN_URL)
    host, _, rest = database_url.partition("@")[2].partition(":")
    relay = Relay((host, int(rest.split("/")[0])))
    relayed_url = re.sub(r"@[^/]+/", f"@127.0.0.1:{relay.port}/", database_url)
    smtp = Recorder()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    https_port, http_port = free_port(), free_port()
    base_url = f"https://127.0.0.1:{https_port}"
    env = {
        **server_env(relayed_url, work, base_url),
        "TRAFFPUNKT_SECRET_KEY": secrets.token_urlsafe(48),  # an https site needs 32+
        "TRAFFPUNKT_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "TRAFFPUNKT_SMTP_URL": f"smtp://127.0.0.1:{controller.port}?starttls=off",
        "TRAFFPUNKT_MAIL_FROM": "Träffpunkt <noreply@example.se>",
    }
    processes: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        migrate = subprocess.run(
            [sys.executable, "-m", "traffpunkt", "migrate"], env=env, cwd=work, timeout=120
        )
        assert migrate.returncode == 0
        web_ports = [free_port(), free_port()]
        backends = [f"http://127.0.0.1:{p}" for p in web_ports]
        for port in web_ports:
            log = work / f"web-{port}.log"
            cmd = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
            proc = subprocess.Popen(
                [sys.executable, "-m", "traffpunkt", *cmd],
                env=env,
                cwd=work,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            processes.append((proc, f"serve on {port}"))
        worker_log = work / "worker.log"
        worker = subprocess.Popen(
            [sys.executable, "-m", "traffpunkt", "worker"],
            env=env,
            cwd=work,
            stdout=worker_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        processes.append((worker, "traffpunkt worker"))
        for (proc, _), url, port in zip(processes, backends, web_ports, strict=False):
            _wait_ready(url, proc, work / f"web-{port}.log")
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=127.0.0.1", "-keyout", str(work / "key.pem")),
                *("-out", str(work / "cert.pem")),
            ],
            check=True,
            capture_output=True,
        )
        conf = work / "nginx.conf"
        conf.write_text(_nginx_conf(_render_site(web_ports, https_port, http_port, work), work))
        check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen(
            [NGINX, "-c", str(conf), "-g", "daemon off;"],
            stdout=(work / "nginx.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        processes.append((nginx, "nginx"))
        _wait_ready_https(base_url)
        admin = subprocess.run(
            [
                *(sys.executable, "-m", "traffpunkt", "token", "create"),
                *("--email", "admin@example.se", "--role", "admin"),
            ],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        yield Site(base_url, backends, admin, work / "access.log", relay, smtp, database_url)
    finally:
        for proc, what in reversed(processes):
            if proc.poll() is None:
                stop(proc, what)
        controller.stop()
        relay.cut()
        drop_database(database_url, PG_ADMIN_URL)
        shutil.rmtree(work, ignore_errors=True)


def _wait_ready_https(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", verify=False, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("nginx did not answer within 30 s")


def _client(site: Site, **kw: Any) -> httpx.Client:
    return httpx.Client(base_url=site.url, verify=False, timeout=30, **kw)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _outbox_sent(database_url: str) -> tuple[int, int]:
    """(sent, not yet sent) rows of the outbox."""
    import asyncpg

    async def count() -> tuple[int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            row = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE status = 'sent') AS sent,"
                " count(*) FILTER (WHERE status IN ('pending', 'sending')) AS open"
                " FROM outbox_message"
            )
            return int(row["sent"]), int(row["open"])
        finally:
            await conn.close()

    return asyncio.run(count())


def test_two_web_processes_a_worker_and_nginx(site: Site) -> None:
    admin = _auth(site.admin)
    with _client(site) as c:
        r = c.post(
            "/api/v1/municipalities",
            json={"name": "Överkalix", "slug": "overkalix", "region": "Norrbotten"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        r = c.post(
            "/api/v1/events",
            json={
                "title": "Digital marknadsföring för småföretag",
                "kind": "seminar",
                "municipality": "overkalix",
                "starts_at": "2027-03-04T09:00",
                "ends_at": "2027-03-04T11:00",
                "capacity": 25,
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
        event = r.json()
        assert c.post(f"/api/v1/events/{event['id']}/publish", headers=admin).status_code == 200

    # --- no overbooking: 80 sign-ups at once, spread by nginx over both web processes ---------
    def sign_up(i: int) -> httpx.Response:
        with _client(site) as c:
            return c.post(
                f"/api/v1/events/{event['id']}/registrations",
                json={"name": f"Företagare {i}", "email": f"person{i}@example.se"},
                headers={"X-Forwarded-For": f"10.0.{i // 200}.{i % 200}"},  # dropped by nginx
            )

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(sign_up, range(80)))
    assert all(r.status_code == 201 for r in answers), {r.status_code for r in answers}
    statuses = [r.json()["status"] for r in answers]
    assert statuses.count("confirmed") == 25 and statuses.count("waitlisted") == 55
    log = site.access_log.read_text().splitlines()
    upstreams = {line.split()[3] for line in log if "/registrations" in line}
    assert len(upstreams) == 2, upstreams  # both processes took sign-ups

    # --- every mail exactly once, by Message-ID ---------------------------------------------
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        sent, pending = _outbox_sent(site.database_url)
        if pending == 0 and sent >= 80 and len(site.smtp.messages) >= sent:
            break
        time.sleep(0.5)
    sent, pending = _outbox_sent(site.database_url)
    ids = [m["Message-ID"] for m in site.smtp.messages]
    assert pending == 0 and sent >= 80
    assert len(ids) == sent == len(set(ids)), (len(ids), sent, len(set(ids)))
    recipients = {m["To"].addresses[0].addr_spec for m in site.smtp.messages}
    assert {f"person{i}@example.se" for i in range(80)} <= recipients

    # --- a door token's revocation, honoured by both processes within 2 s -------------------
    with _client(site) as c:
        r = c.post(f"/api/v1/events/{event['id']}/door-tokens", headers=admin)
        assert r.status_code == 201, r.text
        door = r.json()
    stats = f"/api/v1/events/{event['id']}/checkin-stats"
    for backend in site.backends:  # each process has seen (and remembers) the token
        assert httpx.get(backend + stats, headers=_auth(door["token"])).status_code == 200
    revoked = httpx.delete(
        f"{site.backends[0]}/api/v1/events/{event['id']}/door-tokens/{door['id']}", headers=admin
    )
    assert revoked.status_code == 204
    revoked_at = time.monotonic()
    assert httpx.get(site.backends[0] + stats, headers=_auth(door["token"])).status_code == 401
    while httpx.get(site.backends[1] + stats, headers=_auth(door["token"])).status_code != 401:
        assert time.monotonic() - revoked_at < REVOCATION_DELAY + 1.0, "still admitted"
        time.sleep(0.1)

    # --- feeds from nginx's cache: HIT, and 304 to If-None-Match ---------------------------
    with _client(site) as c:
        first = c.get("/calendars/overkalix.ics")
        assert first.status_code == 200 and "Digital marknadsföring" in first.text
        second = c.get("/calendars/overkalix.ics")
        assert second.headers["X-Cache-Status"] == "HIT"
        assert second.content == first.content
        etag = first.headers["ETag"]
        again = c.get("/calendars/overkalix.ics", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["X-Cache-Status"] == "HIT"
    feed_hits = [line for line in site.access_log.read_text().splitlines() if ".ics" in line]
    assert sum(1 for line in feed_hits if line.split()[3] != "-") == 1  # one upstream request

    # --- /readyz: unready while the database is away, ready when it is back -----------------
    def ready() -> int:
        with _client(site) as c:
            return c.get("/readyz").status_code

    assert ready() == 200
    site.relay.cut()
    deadline = time.monotonic() + 30
    while ready() != 503:
        assert time.monotonic() < deadline, "still ready without a database"
        time.sleep(0.5)
    site.relay.restore()
    deadline = time.monotonic() + 30
    while ready() != 200:
        assert time.monotonic() < deadline, "not ready again after the database came back"
        time.sleep(0.5)
