"""Log lines carry no secrets and no addresses: a request that fails with a manage token in its
path (a real `traffpunkt serve`, its real log) and the redaction rules themselves. (A mail that
cannot be rendered: tests/notifications/test_render_error_log.py.)"""

from __future__ import annotations

import logging
import re
import secrets
import sqlite3
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from traffpunkt import logs


def rename_table(database_url: str, old: str, new: str) -> None:
    sql = f"ALTER TABLE {old} RENAME TO {new}"
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            conn.execute(sql)
            conn.commit()
        finally:
            conn.close()
        return
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def test_a_500_with_a_manage_token_in_the_path_logs_no_token(live: Any) -> None:
    live.cli("demo")
    events = httpx.get(f"{live.url}/api/v1/events", params={"limit": 200}).json()["items"]
    open_event = next(e for e in events if e["registration_open"])
    r = httpx.post(
        f"{live.url}/api/v1/events/{open_event['id']}/registrations",
        json={"name": "Rut Ek", "email": "rut.ek@asele.se"},
    )
    assert r.status_code == 201, r.text
    token = r.json()["manage_url"].rsplit("/", 1)[1]
    invite = secrets.token_urlsafe(32)
    # The database loses a table under the running server: every token lookup fails.
    rename_table(live.database_url, "manage_token", "manage_token_gone")
    try:
        for path in (f"/r/{token}?invite={invite}", f"/api/v1/registrations/{token}"):
            failed = httpx.get(f"{live.url}{path}", headers={"Authorization": f"Bearer {invite}"})
            assert failed.status_code == 500, (path, failed.text)
    finally:
        rename_table(live.database_url, "manage_token_gone", "manage_token")
    log = (live.data_dir / f"serve-{urlsplit(live.url).port}.log").read_text()
    assert re.search(r"unhandled error.* on GET /r/\*\*\*", log), log
    assert re.search(r"unhandled error.* on GET /api/v1/registrations/\*\*\*", log), log
    assert "registrations/attendee_pages.py" in log  # file paths stay readable
    assert "Traceback" in log  # the traceback is kept, only redacted
    assert token not in log and invite not in log
    assert "rut.ek" not in log


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        ("GET /r/{t}/people?lang=en", "GET /r/***/people?lang=en", "{t}"),
        ("DELETE /api/v1/registrations/{t}", "/api/v1/registrations/***", "{t}"),
        ("GET /organiser/sign-in/{t}?next=/organiser", "/organiser/sign-in/***?next=", "{t}"),
        ("GET /events/x/register?invite={t}&lang=en", "?invite=***&lang=en", "{t}"),
        ("Authorization: Bearer {t}", "Bearer ***", "{t}"),
        ("door link /checkin/e#door={t}", "#door=***", "{t}"),
        ("a token {t} in a message", "a token *** in a message", "{t}"),
        ("smtps://mailer:{t}@mail.kommun.se:465", "smtps://***@mail.kommun.se", "{t}"),
        ("to Åsa Öberg <åsa.öberg@företag.se>", "<***@företag.se>", "åsa.öberg"),
        ("ticket TP1ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABC", "ticket TP1***", "TP1ABC"),
    ],
)
def test_redaction_rules(line: str, kept: str, gone: str) -> None:
    token = secrets.token_urlsafe(32)
    redacted = logs.redact(line.format(t=token))
    assert kept in redacted
    assert gone.format(t=token) not in redacted


def test_what_is_not_secret_stays_readable() -> None:
    for text in (
        "GET /events/digital-marknadsforing-steg-1-grunder-3f1c",
        "event 3f1c3b3e-1d7d-4b8e-9a55-0a0f6b5e4d1c",
        "asyncpg.exceptions.CharacterNotInRepertoireError: invalid byte sequence",
        "registrations_2026_11_27t04_41_32_971556",
        'File "/srv/app/registrations/attendee_pages.py", line 137, in manage_page',
        "GET /r/short",
    ):
        assert logs.redact(text) == text


def test_uvicorns_access_log_arguments_keep_their_shape() -> None:
    """uvicorn's AccessFormatter unpacks five arguments; the path among them is redacted."""
    from uvicorn.logging import AccessFormatter

    token = secrets.token_urlsafe(32)
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/r/{token}", "1.1", 200),
        None,
    )
    logs.RedactFilter().filter(record)
    line = AccessFormatter(fmt='%(client_addr)s - "%(request_line)s" %(status_code)s').format(
        record
    )
    assert line.startswith('127.0.0.1:5000 - "GET /r/*** HTTP/1.1" 200'), line
    assert token not in line
