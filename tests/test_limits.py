"""Abuse limits (traffpunkt.limits): 429 + Retry-After per client and per target address, the
same sign-in answer whether or not an address exists, token guesses, and "this wasn't me".

Each test sets low limits through the real environment variables (and rereads the settings),
rather than sending hundreds of requests.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from notifications.tables import OutboxMessage
from registrations.tables import AddressBlock
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from traffpunkt.limit_rules import DEFAULTS, Rule, from_environment
from traffpunkt.limits.tables import RateCounter
from traffpunkt.settings import get_settings

ATTACKER = ("203.0.113.66", 40000)
DOOR = ("198.51.100.7", 40001)


@pytest.fixture
def set_limits(monkeypatch: pytest.MonkeyPatch, app: Any) -> Iterator[Callable[..., None]]:
    def apply(**rules: str) -> None:
        for name, value in rules.items():
            monkeypatch.setenv(f"TRAFFPUNKT_RATE_LIMIT_{name.upper()}", value)
        get_settings.cache_clear()
        app.state["settings"] = get_settings()  # the app's settings govern its requests

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
async def attacker(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Another client address than the `client` fixture's (127.0.0.1)."""
    transport = httpx.ASGITransport(app=app, client=ATTACKER)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def door(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=DOOR)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def assert_429(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["retry-after"]) <= 86400


async def mails(kind: str) -> list[dict[str, Any]]:
    return await OutboxMessage.select().where(OutboxMessage.kind == kind)


# --- configuration -----------------------------------------------------------------------------


def test_limits_are_configured_from_the_environment() -> None:
    assert from_environment({}) == DEFAULTS
    assert from_environment({"TRAFFPUNKT_RATE_LIMITS": "off"}) == {}
    tenfold = from_environment({"TRAFFPUNKT_RATE_LIMITS": "10"})
    assert tenfold["signup_per_client"] == Rule(DEFAULTS["signup_per_client"].count * 10, 600)
    one = from_environment(
        {
            "TRAFFPUNKT_RATE_LIMIT_SIGNIN_PER_ADDRESS": "5/2h",
            "TRAFFPUNKT_RATE_LIMIT_SIGNUP_PER_CLIENT": "off",
        }
    )
    assert one["signin_per_address"] == Rule(5, 7200) and "signup_per_client" not in one
    assert from_environment({"TRAFFPUNKT_RATE_LIMIT_INVITE_PER_ADDRESS": "3/d"})[
        "invite_per_address"
    ] == Rule(3, 86400)
    for bad in ({"TRAFFPUNKT_RATE_LIMITS": "-1"}, {"TRAFFPUNKT_RATE_LIMIT_SIGNIN_PER_CLIENT": "5"}):
        with pytest.raises(SystemExit):
            from_environment(bad)


# --- sign-in links -----------------------------------------------------------------------------


async def test_sign_in_requests_are_limited_per_client_and_per_address(
    client: httpx.AsyncClient, attacker: httpx.AsyncClient, world: World, set_limits: Any
) -> None:
    set_limits(signin_per_client="8/10m", signin_per_address="2/10m")
    form = await attacker.get("/organiser/sign-in")
    token = csrf(form.text)
    answers = []
    for _ in range(20):
        r = await attacker.post(
            "/organiser/sign-in",
            data={"_csrf_token": token, "email": "anna@asele.se"},
            headers={"Accept": "text/html"},
        )
        answers.append(r)
    assert [r.status_code for r in answers] == [200] * 8 + [429] * 12
    for r in answers[8:]:
        assert_429(r)
        assert "För många försök" in r.text
    # The per-address limit: 2 links mailed, the other 6 accepted requests quietly sent none.
    assert len(await mails("sign_in")) == 2
    # Another client is not held up by the first one's limit; the address stays quiet for it
    # too, and the page says the same for an unknown address as for a known one.
    form = await client.get("/organiser/sign-in")
    known = await client.post(
        "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": "anna@asele.se"}
    )
    unknown = await client.post(
        "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": "nobody@asele.se"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("anna@asele.se", "X") == unknown.text.replace("nobody@asele.se", "X")
    assert len(await mails("sign_in")) == 2
    # Nothing in the counters names an address.
    keys = " ".join(r["key"] for r in await RateCounter.select(RateCounter.key))
    assert "anna" not in keys and "203.0.113" not in keys


# --- sign-ups ----------------------------------------------------------------------------------


async def test_signups_from_one_client_are_limited(
    client: httpx.AsyncClient, attacker: httpx.AsyncClient, world: World, set_limits: Any
) -> None:
    set_limits(signup_per_client="5/10m")
    event = await make_event(client, world, capacity=None)
    answers = [await sign_up(attacker, event["id"], f"victim{i}@example.se") for i in range(8)]
    assert [r.status_code for r in answers] == [201] * 5 + [429] * 3
    for r in answers[5:]:
        assert_429(r)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 429
    assert len(await mails("confirmed")) == 5
    # Another client signs up as usual.
    assert (await sign_up(client, event["id"], "real@example.se")).status_code == 201


async def test_signups_for_one_address_across_events_are_limited(
    client: httpx.AsyncClient, world: World, set_limits: Any
) -> None:
    set_limits(signup_per_address="3/1h")
    events = [await make_event(client, world, title=f"Möte {i}") for i in range(3)]
    assert (await sign_up(client, events[0]["id"], "target@example.se")).status_code == 201
    assert (await sign_up(client, events[1]["id"], "Target@Example.se")).status_code == 201
    # The "already registered" answer mails the link again: it counts too.
    assert (await sign_up(client, events[0]["id"], "target@example.se")).status_code == 200
    r = await client.post(
        f"/api/v1/events/{events[2]['id']}/registrations",
        json={"name": "T", "email": "target@example.se"},
        headers={"Accept-Language": "en"},
    )
    assert_429(r)
    assert "address" in r.json()["detail"]
    sv = await client.post(
        f"/api/v1/events/{events[2]['id']}/registrations",
        json={"name": "T", "email": "target@example.se"},
        headers={"Accept-Language": "sv"},
    )
    assert_429(sv)
    assert "adressen" in sv.json()["detail"]
    sent = [m for m in await OutboxMessage.select() if m["recipient"] == "target@example.se"]
    assert len(sent) == 3
    assert (await sign_up(client, events[2]["id"], "other@example.se")).status_code == 201


async def test_signup_form_answers_429_with_a_page_in_swedish_and_english(
    client: httpx.AsyncClient, world: World, set_limits: Any
) -> None:
    set_limits(signup_per_client="1/10m")
    event = await make_event(client, world)
    path = f"/events/{event['slug']}/register"
    texts = {}
    for i, lang in enumerate(("", "sv", "en")):
        form = await client.get(path + (f"?lang={lang}" if lang else ""))
        r = await client.post(
            path + (f"?lang={lang}" if lang else ""),
            data={"_csrf_token": csrf(form.text), "name": "Anna", "email": f"a{i}@example.se"},
            headers={"Accept": "text/html"},
        )
        texts[lang] = r
    assert texts[""].status_code == 303  # the first one goes through
    assert_429(texts["sv"])
    assert_429(texts["en"])
    assert texts["sv"].headers["content-type"].startswith("text/html")
    assert "För många försök" in texts["sv"].text and "Vänta" in texts["sv"].text
    assert "Too many requests" in texts["en"].text and "Wait" in texts["en"].text


# --- token guesses -----------------------------------------------------------------------------


async def test_token_guesses_get_429_while_a_valid_door_token_keeps_working(
    client: httpx.AsyncClient,
    attacker: httpx.AsyncClient,
    door: httpx.AsyncClient,
    world: World,
    set_limits: Any,
) -> None:
    set_limits(token_misses_per_client="6/10m")
    event = await make_event(client, world)
    people = [await sign_up(client, event["id"], f"p{i}@example.se") for i in range(3)]
    r = await client.post(
        f"/api/v1/events/{event['id']}/door-tokens", headers=World.auth(world.asele)
    )
    door_token = r.json()["token"]
    secrets = []
    for p in people:
        own = (await client.get(f"/api/v1/registrations/{token_of(p)}")).json()
        secrets.append(own["ticket"]["code"])
    checkin = f"/api/v1/events/{event['id']}/checkins"
    guesses = [
        await attacker.post(checkin, json={"secret": "x"}, headers=World.auth(f"guess{i}"))
        for i in range(4)
    ]
    guesses += [await attacker.get(f"/api/v1/registrations/guess{i}") for i in range(2)]
    assert [g.status_code for g in guesses] == [401] * 4 + [404] * 2
    more = [
        await attacker.post(checkin, json={"secret": "x"}, headers=World.auth("guess-more")),
        await attacker.get("/api/v1/registrations/guess-more"),
        await attacker.get("/r/guess-more", headers={"Accept": "text/html"}),
        await attacker.get(
            f"/api/v1/events/{event['id']}/registrations.csv",
            headers=World.auth("guess-organiser"),
        ),
    ]
    for g in more:
        assert_429(g)
    # The door's phone (another address) checks people in as before ...
    ok = await door.post(checkin, json={"secret": secrets[0]}, headers=World.auth(door_token))
    assert ok.status_code == 200 and ok.json()["result"] == "ok"
    # ... and so does a valid token from the guessing address itself (a door behind the same
    # NAT must keep working; only misses are refused).
    ok = await attacker.post(checkin, json={"secret": secrets[1]}, headers=World.auth(door_token))
    assert ok.status_code == 200 and ok.json()["result"] == "ok"
    own = await attacker.get(f"/api/v1/registrations/{token_of(people[2])}")
    assert own.status_code == 200


async def test_the_429_page_for_token_misses_speaks_swedish_and_english(
    client: httpx.AsyncClient, set_limits: Any, engine: Any
) -> None:
    set_limits(token_misses_per_client="1/10m")
    first = await client.get("/r/unknown-1", headers={"Accept": "text/html"})
    assert first.status_code == 404
    sv = await client.get("/r/unknown-2", headers={"Accept": "text/html"})
    en = await client.get("/r/unknown-3?lang=en", headers={"Accept": "text/html"})
    for r in (sv, en):
        assert_429(r)
        assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="sv"' in sv.text and "Vänta" in sv.text
    assert '<html lang="en"' in en.text and "Wait" in en.text


# --- invitations -------------------------------------------------------------------------------


async def test_invitations_are_limited_per_address_and_per_organiser(
    client: httpx.AsyncClient, world: World, set_limits: Any
) -> None:
    set_limits(invite_per_address="1/1d", invite_per_organiser="4/1h")
    a = await make_event(client, world, title="A")
    b = await make_event(client, world, title="B")
    auth = World.auth(world.asele)
    r = await client.post(
        f"/api/v1/events/{a['id']}/invitations", json={"emails": ["x@example.se"]}, headers=auth
    )
    assert r.status_code == 202 and r.json()["invited"] == 1
    r = await client.post(
        f"/api/v1/events/{b['id']}/invitations",
        json={"emails": ["x@example.se", "y@example.se"]},
        headers=auth,
    )
    assert r.status_code == 202
    assert r.json()["invited"] == 1 and r.json()["invited_too_often"] == ["x@example.se"]
    assert len(await mails("invitation")) == 2
    r = await client.post(
        f"/api/v1/events/{b['id']}/invitations",
        json={"emails": ["z1@example.se", "z2@example.se", "z3@example.se"]},
        headers=auth,
    )
    assert_429(r)
    assert len(await mails("invitation")) == 2


# --- "this wasn't me" --------------------------------------------------------------------------


async def test_this_was_not_me_erases_and_blocks_the_address(
    client: httpx.AsyncClient, world: World
) -> None:
    event = await make_event(client, world)
    other = await make_event(client, world, title="Annat möte")
    r = await sign_up(client, event["id"], "Victim@Example.se", name="Spam")
    token = token_of(r)
    (row,) = await mails("confirmed")
    assert row["secrets"] and f"/r/{token}" in row["secrets"]
    page = await client.get(f"/r/{token}/not-me")
    assert page.status_code == 200 and "Det var inte jag" in page.text
    done = await client.post(f"/r/{token}/not-me", data={"_csrf_token": csrf(page.text)})
    assert done.status_code == 200
    assert (await client.get(f"/api/v1/registrations/{token}")).status_code == 404
    # Only a hash of the address is kept.
    blocks = await AddressBlock.select()
    assert [b["email_hash"] for b in blocks] == [hashlib.sha256(b"victim@example.se").hexdigest()]
    again = await sign_up(client, other["id"], "victim@example.se")
    assert again.status_code == 409 and again.json()["code"] == "address_blocked"
    assert len(await mails("confirmed")) == 1
    # An organiser's invitation still lets the owner sign up.
    await client.post(
        f"/api/v1/events/{other['id']}/invitations",
        json={"emails": ["victim@example.se"]},
        headers=World.auth(world.asele),
    )
    (invitation,) = await mails("invitation")
    import json

    invite = json.loads(invitation["secrets"])["signup_url"].rsplit("=", 1)[1]
    ok = await sign_up(client, other["id"], "victim@example.se", invitation=invite)
    assert ok.status_code == 201


# --- several web processes ---------------------------------------------------------------------


def test_two_web_processes_share_the_counters(
    request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    """`traffpunkt serve --workers 2` on PostgreSQL: misses through both processes (a new
    connection each, so the kernel spreads them) are counted together, exactly."""
    from tests.conftest import PG_ADMIN_URL
    from tests.live import drop_database, fresh_database, live_server

    request.getfixturevalue("pg_database")  # skips (or fails in CI) without PostgreSQL
    template = request.getfixturevalue("sqlite_template")
    url = fresh_database("postgres", template, tmp_path, PG_ADMIN_URL)
    env = {
        "TRAFFPUNKT_RATE_LIMITS": "on",
        "TRAFFPUNKT_RATE_LIMIT_TOKEN_MISSES_PER_CLIENT": "10/10m",
    }
    try:
        with live_server(url, tmp_path, extra_env=env, extra_args=("--workers", "2")) as server:
            statuses = []
            for i in range(30):
                with httpx.Client(base_url=server.url, trust_env=False) as c:
                    statuses.append(c.get(f"/api/v1/registrations/guess-{i}").status_code)
    finally:
        drop_database(url, PG_ADMIN_URL)
    assert statuses == [404] * 10 + [429] * 20
