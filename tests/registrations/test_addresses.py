"""Email addresses: one rule for every input (what the sender can deliver), paste debris trimmed,
IDNA domains and SMTPUTF8 on a real SMTP server, and a delivery that fails for good shown to the
attendee and the organiser, who can correct the address so the mail is sent again."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from events import organisers
from events.tables import AuditEntry
from notifications import render
from notifications.tables import OutboxMessage
from notifications.worker import Sender
from registrations import service
from registrations.tables import Registration
from tests.conftest import World
from tests.live import free_port
from tests.notifications.conftest import Recorder
from tests.organiser.conftest import csrf, sign_in
from tests.registrations.conftest import sign_up, token_of
from traffpunkt import addresses
from traffpunkt.auth import Principal
from traffpunkt.errors import Conflict, Invalid
from traffpunkt.settings import Settings, get_settings


class Envelopes(Recorder):
    """The test SMTP server, also keeping each accepted mail's envelope recipients."""

    def __init__(self) -> None:
        super().__init__()
        self.rcpt: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.rcpt.extend(envelope.rcpt_tos)
        return await super().handle_DATA(server, session, envelope)


@dataclasses.dataclass
class Server:
    recorder: Envelopes
    settings: Settings


def _server(smtputf8: bool) -> Iterator[Server]:
    recorder = Envelopes()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8
    )
    controller.start()
    settings = dataclasses.replace(
        get_settings(), smtp_url=f"smtp://127.0.0.1:{controller.port}?starttls=off"
    )
    try:
        yield Server(recorder, settings)
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Server]:
    """A real SMTP server (aiosmtpd) as most relays are set up: no SMTPUTF8."""
    yield from _server(smtputf8=False)


@pytest.fixture
def smtp_utf8() -> Iterator[Server]:
    """A real SMTP server that offers SMTPUTF8."""
    yield from _server(smtputf8=True)


@pytest.fixture
def utf8_allowed(monkeypatch: pytest.MonkeyPatch, app: Any) -> Iterator[None]:
    """TRAFFPUNKT_SMTP_UTF8=1: the operator says the relay offers SMTPUTF8 (the app's settings
    govern its requests, so the app gets the new ones too)."""
    monkeypatch.setenv("TRAFFPUNKT_SMTP_UTF8", "1")
    get_settings.cache_clear()
    assert get_settings().smtp_utf8
    app.state["settings"] = get_settings()
    yield
    monkeypatch.delenv("TRAFFPUNKT_SMTP_UTF8")
    get_settings.cache_clear()
    assert not get_settings().smtp_utf8


async def outbox() -> list[dict[str, Any]]:
    return await OutboxMessage.select().order_by(OutboxMessage.created_at, OutboxMessage.id)


# --- the rule ------------------------------------------------------------------------------

BAD = [
    # (address, Swedish message, English message)
    ("anna@example..se", "Adressen har två punkter i rad", addresses.TWO_DOTS),
    ("anna@[127.0.0.1].se", "inte en adress inom hakparenteser", addresses.BRACKETS),
    ("åsa@företag.se", "bokstäver som å, ä eller ö före @", addresses.NON_ASCII_LOCAL),
    ("anna.example.se", "Adressen behöver ett @", addresses.NO_AT),
    ("anna@example", "Delen efter @ behöver en punkt", addresses.NO_DOT),
    ("anna@example.se; bo@example.se", "Skriv bara en adress", addresses.SEVERAL),
    ("anna svensson@example.se", "Adressen innehåller ett mellanslag", addresses.SPACE),
    ("anna@exam_ple.se", "får bara innehålla bokstäver", addresses.DOMAIN_CHARS),
    ("anna@kommun.local", "inte kan ta emot e-post", addresses.RESERVED),
    ("anna\u200b@example.se", "osynligt tecken", addresses.INVISIBLE),
]


@pytest.mark.parametrize(("address", "swedish", "english"), BAD)
async def test_a_bad_address_is_a_422_that_says_what_is_wrong_and_leaves_nothing(
    client: httpx.AsyncClient, event: dict[str, Any], address: str, swedish: str, english: str
) -> None:
    r = await sign_up(client, event["id"], address, name="Anna")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["field"] == "email" and swedish in error["message"]
    r = await client.post(
        f"/api/v1/events/{event['id']}/registrations",
        json={"name": "Anna", "email": address},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == english
    assert await Registration.select() == [] and await outbox() == []


@pytest.mark.parametrize(
    "pasted",
    [
        "anna@exempel.se;",
        "anna@exempel.se,",
        "  Anna@Exempel.se \n",
        "<anna@exempel.se>",
        "mailto:anna@exempel.se",
        "Anna Svensson <anna@exempel.se>;",
        "“anna@exempel.se”",
    ],
)
async def test_paste_debris_is_trimmed_and_the_clean_address_stored(
    client: httpx.AsyncClient, event: dict[str, Any], pasted: str
) -> None:
    r = await sign_up(client, event["id"], pasted, name="Anna")
    assert r.status_code == 201, r.text
    (row,) = await Registration.select()
    assert row["email"] == "anna@exempel.se"
    assert [m["recipient"] for m in await outbox()] == ["anna@exempel.se"]
    again = await sign_up(client, event["id"], "anna@exempel.se", name="Anna")
    assert again.status_code == 200  # the same person, not a second seat


async def test_the_same_rule_in_the_html_form_with_a_translated_message(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    form = await client.get(f"/events/{event['slug']}/register")
    r = await client.post(
        f"/events/{event['slug']}/register",
        data={"_csrf_token": csrf(form.text), "name": "Anna", "email": "anna@example..se"},
    )
    assert r.status_code == 422
    assert "Adressen har två punkter i rad" in r.text
    assert await Registration.select() == [] and await outbox() == []
    r = await client.post(
        f"/events/{event['slug']}/register",
        data={"_csrf_token": csrf(form.text), "name": "Anna", "email": "anna@exempel.se;"},
    )
    assert r.status_code == 303
    assert [row["email"] for row in await Registration.select()] == ["anna@exempel.se"]


async def test_invitations_use_the_rule_and_name_each_bad_address(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    url = f"/api/v1/events/{event['id']}/invitations"
    r = await client.post(
        url,
        json={"emails": ["bo@example.se", "anna@example..se", "cia@[10.0.0.1].se"]},
        headers={**World.auth(world.asele), "Accept-Language": "en"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "emails[1]", "message": addresses.TWO_DOTS},
        {"field": "emails[2]", "message": addresses.BRACKETS},
    ]
    assert await outbox() == []
    r = await client.post(
        url,
        json={"emails": ["<Bo@Example.se>;", "bo@example.se", "mailto:cia@företag.se"]},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 202, r.text
    assert sorted(m["recipient"] for m in await outbox()) == ["bo@example.se", "cia@företag.se"]


async def test_organisers_sign_in_and_the_cli_use_the_rule(
    client: httpx.AsyncClient, world: World
) -> None:
    # `traffpunkt token create --email` and the admin's form both create through this.
    with pytest.raises(Invalid) as bad:
        await organisers.ensure_organiser("boss@example..se", "admin")
    assert bad.value.errors[0].message == addresses.TWO_DOTS
    trimmed = await organisers.ensure_organiser(" <Boss@Example.se>; ", "admin")
    assert trimmed == await organisers.ensure_organiser("boss@example.se", "admin")
    form = await client.get("/organiser/sign-in")
    r = await client.post(
        "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": "anna@asele..se"}
    )
    assert r.status_code == 422 and "Adressen har två punkter i rad" in r.text
    await sign_in(client, "anna@asele.se")  # the right address still works


async def test_openapi_says_format_email(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/docs/openapi.json")).json()
    schemas = doc["components"]["schemas"]

    def prop(schema: str, name: str) -> dict[str, Any]:
        # The name, or the name under its module's prefix (`registrations_schemas_Invitee`).
        (key,) = [k for k in schemas if k == schema or k.endswith(f"_{schema}")]
        return schemas[key]["properties"][name]

    assert prop("RegistrationIn", "email")["format"] == "email"
    assert prop("InvitationsIn", "emails")["items"]["format"] == "email"
    patch = prop("RegistrationPatch", "email")
    assert "email" in {s.get("format") for s in patch.get("oneOf", [patch])}


# --- what the sender does with them -----------------------------------------------------------


async def test_an_idna_domain_is_sent_as_ascii_to_a_server_without_smtputf8(
    client: httpx.AsyncClient, event: dict[str, Any], smtp: Server
) -> None:
    r = await sign_up(client, event["id"], "Anna@Företag.se", name="Anna")
    assert r.status_code == 201, r.text
    (row,) = await Registration.select()
    assert row["email"] == "anna@företag.se"  # stored as people read it
    assert await Sender(smtp.settings).run_once() == 1
    assert smtp.recorder.rcpt == ["anna@xn--fretag-wxa.se"]
    (mail,) = smtp.recorder.messages
    assert mail["To"].addresses[0].addr_spec == "anna@xn--fretag-wxa.se"
    assert [m["status"] for m in await outbox()] == ["sent"]


async def test_letters_before_the_at_need_the_setting_and_a_server_with_smtputf8(
    client: httpx.AsyncClient,
    event: dict[str, Any],
    utf8_allowed: None,
    smtp_utf8: Server,
    smtp: Server,
) -> None:
    r = await sign_up(client, event["id"], "Åsa@Företag.se", name="Åsa")
    assert r.status_code == 201, r.text
    (row,) = await Registration.select()
    assert row["email"] == "åsa@företag.se"
    assert await Sender(smtp_utf8.settings).run_once() == 1
    assert smtp_utf8.recorder.rcpt == ["åsa@xn--fretag-wxa.se"]
    # A relay without SMTPUTF8 (the setting was wrong): failed for good with the reason, at
    # once (no ten retries), so it shows for correction.
    bo = await sign_up(client, event["id"], "björn@example.se", name="Björn")
    assert bo.status_code == 201
    assert await Sender(smtp.settings).run_once() == 1
    failed = [m for m in await outbox() if m["recipient"] == "björn@example.se"]
    assert [(m["status"], m["attempts"]) for m in failed] == [("failed", 1)]
    assert "SMTPUTF8" in failed[0]["last_error"] and smtp.recorder.messages == []


def test_every_address_the_rule_accepts_can_be_written_by_the_sender() -> None:
    """The rule and the sender agree: what is stored renders into a To header and an envelope
    that aiosmtplib accepts (the mail that failed for ever with "Invalid addr_spec")."""
    import email.policy

    import aiosmtplib.email
    from hypothesis import given, settings
    from hypothesis import strategies as st

    domains = st.sampled_from(["example.se", "företag.se", "ÅSELE.se", "xn--fretag-wxa.se"])
    local = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30
    )

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.one_of(st.emails(), st.builds(lambda a, d: f"{a}@{d}", local, domains)))
    def check(text: str) -> None:
        for utf8 in (False, True):
            try:
                stored = addresses.normalise(text, smtputf8=utf8)
            except addresses.AddressError:
                continue
            to = render.recipient_address("Anna", stored)
            wire = to.addr_spec
            assert wire.rpartition("@")[2].isascii()  # the domain as IDNA
            assert wire.isascii() or utf8
            _, header = render.POLICY.header_store_parse("To", to)
            policy = email.policy.SMTPUTF8 if not wire.isascii() else email.policy.SMTP
            assert wire.encode() in policy.fold_binary("To", header)
            quoted = aiosmtplib.email.quote_address(wire)
            assert quoted.encode("utf-8" if utf8 else "ascii")

    check()


# --- a delivery that fails for good, and a corrected address ------------------------------------

REFUSED = "550 5.1.1 <anna@exempel.se>: Recipient address rejected: User unknown"


async def _refused_sign_up(client: httpx.AsyncClient, event: dict[str, Any], smtp: Server) -> str:
    smtp.recorder.refuse["anna@exempel.se"] = REFUSED
    r = await sign_up(client, event["id"], "anna@exempel.se", name="Anna Svensson")
    assert r.status_code == 201
    assert await Sender(smtp.settings).run_once() == 1
    assert [(m["kind"], m["status"]) for m in await outbox()] == [("confirmed", "failed")]
    return token_of(r)


async def _organiser(app: Any) -> httpx.AsyncClient:
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    await sign_in(c, "anna@asele.se")
    return c


async def test_the_attendee_sees_a_refused_address_and_corrects_it(
    app: Any, client: httpx.AsyncClient, event: dict[str, Any], smtp: Server
) -> None:
    token = await _refused_sign_up(client, event, smtp)
    page = await client.get(f"/r/{token}")
    assert page.status_code == 200
    assert "Vårt mejl till dig kom inte fram" in page.text
    assert "anna@exempel.se" in page.text and "Recipient address rejected" in page.text
    assert f'action="/r/{token}/email"' in page.text
    # A wrong correction is refused with the reason; nothing changes.
    r = await client.post(
        f"/r/{token}/email", data={"_csrf_token": csrf(page.text), "email": "anna@exempel..se"}
    )
    assert r.status_code == 422 and "Adressen har två punkter i rad" in r.text
    r = await client.post(
        f"/r/{token}/email", data={"_csrf_token": csrf(page.text), "email": "anna@exempel.se"}
    )
    assert r.status_code == 303  # the same address again: sent again (a mailbox came back)
    assert await Sender(smtp.settings).run_once() == 1
    # The right address, through the service the page calls.
    own = await service.correct_own_address(token, " Anna.Svensson@Exempel.se; ")
    assert own.email == "anna.svensson@exempel.se"
    assert await Sender(smtp.settings).run_once() == 1
    (mail,) = smtp.recorder.messages
    assert mail["To"].addresses[0].addr_spec == "anna.svensson@exempel.se"
    assert mail["X-Traffpunkt-Kind"] == "confirmed"
    assert any(p.get_content_type() == "image/png" for p in mail.walk())  # the ticket
    assert smtp.recorder.rcpt == ["anna.svensson@exempel.se"]
    # The manage link still works and the notice is gone.
    page = await client.get(f"/r/{token}")
    assert page.status_code == 200 and "kom inte fram" not in page.text
    r = await client.get(f"/api/v1/registrations/{token}")
    assert r.json()["email"] == "anna.svensson@exempel.se"
    # One registration, under the new address.
    again = await sign_up(client, event["id"], "anna.svensson@exempel.se", name="Anna")
    assert again.status_code == 200


async def test_the_attendee_can_correct_through_the_api_too(
    client: httpx.AsyncClient, event: dict[str, Any], smtp: Server
) -> None:
    token = await _refused_sign_up(client, event, smtp)
    r = await client.patch(f"/api/v1/registrations/{token}", json={"email": "anna@exempel..se"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"
    r = await client.patch(f"/api/v1/registrations/{token}", json={"email": "anna@exempel.com"})
    assert r.status_code == 200 and r.json()["email"] == "anna@exempel.com"
    assert await Sender(smtp.settings).run_once() == 1
    assert smtp.recorder.rcpt == ["anna@exempel.com"]


async def test_the_organiser_sees_the_failure_and_corrects_the_address(
    app: Any, client: httpx.AsyncClient, world: World, event: dict[str, Any], smtp: Server
) -> None:
    token = await _refused_sign_up(client, event, smtp)
    other = await sign_up(client, event["id"], "bo@exempel.se", name="Bo")
    reg_id = (await Registration.select().where(Registration.email == "anna@exempel.se"))[0]["id"]
    organiser = await _organiser(app)
    try:
        page = await organiser.get(f"/organiser/events/{event['id']}/attendees")
        assert page.status_code == 200
        assert "Recipient address rejected" in page.text
        action = f"/organiser/events/{event['id']}/registrations/{reg_id}/email"
        assert f'action="{action}"' in page.text
        # Someone else's address: refused, said so.
        r = await organiser.post(
            action, data={"_csrf_token": csrf(page.text), "email": "bo@exempel.se"}
        )
        assert r.status_code == 409 and "redan anmäld" in r.text
        r = await organiser.post(
            action, data={"_csrf_token": csrf(page.text), "email": "anna@exempel.nu"}
        )
        assert r.status_code == 303
        assert r.headers["location"].endswith("attendees?done=address")
    finally:
        await organiser.aclose()
    assert other.status_code == 201
    # Bo's confirmation, Anna's again, and the organiser's sign-in link.
    assert await Sender(smtp.settings).run_once() == 3
    assert sorted(smtp.recorder.rcpt) == ["anna@asele.se", "anna@exempel.nu", "bo@exempel.se"]
    audit = await AuditEntry.select().where(AuditEntry.action == "registration.address_corrected")
    assert [a["organiser_email"] for a in audit] == ["anna@asele.se"]
    assert audit[0]["detail"] == "anna@exempel.se → anna@exempel.nu"
    overview = await _organiser(app)
    try:
        log = (await overview.get(f"/organiser/events/{event['id']}")).text
    finally:
        await overview.aclose()
    assert "Rättade adressen anna@exempel.se → anna@exempel.nu" in log
    assert (await client.get(f"/r/{token}")).status_code == 200


async def test_organiser_correction_service_checks_rights_and_addresses(
    client: httpx.AsyncClient, world: World, event: dict[str, Any], smtp: Server
) -> None:
    await _refused_sign_up(client, event, smtp)
    (reg,) = await Registration.select()
    anna_id = await organisers.ensure_organiser("anna@asele.se", "organiser", "asele")
    anna = await organisers.authenticate(world.asele)
    assert anna is not None and anna.organiser_id == anna_id
    olle = await organisers.authenticate(world.arvidsjaur)
    assert isinstance(olle, Principal)
    with pytest.raises(Exception) as other_municipality:
        await service.organiser_correct_address(olle, event["id"], str(reg["id"]), "a@b.se")
    assert getattr(other_municipality.value, "status", None) in (403, 404)
    with pytest.raises(Invalid):
        await service.organiser_correct_address(anna, event["id"], str(reg["id"]), "a@b..se")
    await sign_up(client, event["id"], "bo@exempel.se", name="Bo")
    with pytest.raises(Conflict):
        await service.organiser_correct_address(anna, event["id"], str(reg["id"]), "bo@exempel.se")
    corrected = await service.organiser_correct_address(
        anna, event["id"], str(reg["id"]), "anna@exempel.nu"
    )
    assert (corrected.email, corrected.resent) == ("anna@exempel.nu", 1)
    kinds = [(m["kind"], m["recipient"], m["status"]) for m in await outbox()]
    assert ("confirmed", "anna@exempel.nu", "pending") in kinds
    assert ("confirmed", "anna@exempel.se", "failed") in kinds  # the history stays


async def test_a_waitlisted_persons_corrected_address_gets_the_current_state(
    client: httpx.AsyncClient, world: World, smtp: Server
) -> None:
    from tests.registrations.conftest import make_event

    event = await make_event(client, world, capacity=1)
    first = await sign_up(client, event["id"], "first@exempel.se", name="First")
    smtp.recorder.refuse["anna@exempel.se"] = REFUSED
    r = await sign_up(client, event["id"], "anna@exempel.se", name="Anna")
    assert r.json()["status"] == "waitlisted"
    assert await Sender(smtp.settings).run_once() == 2
    # A seat frees up while her mail bounces: the promotion fails too.
    await client.delete(f"/api/v1/registrations/{token_of(first)}")
    await Sender(smtp.settings).run_once()
    failed = [m["kind"] for m in await outbox() if m["status"] == "failed"]
    assert failed == ["waitlisted", "promoted"]
    await service.correct_own_address(token_of(r), "anna@exempel.nu")
    smtp.recorder.messages.clear()
    smtp.recorder.rcpt.clear()
    assert await Sender(smtp.settings).run_once() == 1  # one mail: where she stands now
    (mail,) = smtp.recorder.messages
    assert mail["X-Traffpunkt-Kind"] == "confirmed"
    assert smtp.recorder.rcpt == ["anna@exempel.nu"]


async def test_the_organiser_corrects_through_the_api(
    client: httpx.AsyncClient, world: World, event: dict[str, Any], smtp: Server
) -> None:
    await _refused_sign_up(client, event, smtp)
    (reg,) = await Registration.select()
    url = f"/api/v1/events/{event['id']}/registrations/{reg['id']}/email"
    r = await client.put(
        url, json={"email": "anna@exempel.nu"}, headers=World.auth(world.arvidsjaur)
    )
    assert r.status_code in (403, 404)
    r = await client.put(url, json={"email": "anna@@exempel.nu"}, headers=World.auth(world.asele))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"
    r = await client.put(url, json={"email": "Anna@Exempel.nu;"}, headers=World.auth(world.asele))
    assert r.status_code == 200 and r.json() == {"email": "anna@exempel.nu", "resent": 1}
    messages = await client.get(
        f"/api/v1/events/{event['id']}/messages", headers=World.auth(world.asele)
    )
    assert [(m["to"], m["status"]) for m in messages.json()["items"]] == [
        ("anna@exempel.se", "failed"),
        ("anna@exempel.nu", "pending"),
    ]


async def test_an_address_stored_before_the_rule_fails_with_the_reason_and_is_corrected(
    client: httpx.AsyncClient, event: dict[str, Any], smtp: Server
) -> None:
    """The reported case: a sign-up with `anna@example..se` got a seat, and its ticket failed
    for ever. Such rows (from before the rule) fail at once with the reason and are fixable."""
    r = await sign_up(client, event["id"], "anna@example.se", name="Anna")
    await Registration.update({Registration.email: "anna@example..se"}).where(
        Registration.email == "anna@example.se"
    )
    await OutboxMessage.update({OutboxMessage.recipient: "anna@example..se"}).where(
        OutboxMessage.recipient == "anna@example.se"
    )
    assert await Sender(smtp.settings).run_once() == 1
    (failed,) = await outbox()
    assert failed["status"] == "failed" and failed["attempts"] == 1
    page = await client.get(f"/r/{token_of(r)}")
    assert "Vårt mejl till dig kom inte fram" in page.text
    await service.correct_own_address(token_of(r), "anna@example.se")
    assert await Sender(smtp.settings).run_once() == 1
    assert smtp.recorder.rcpt == ["anna@example.se"]


def test_token_create_uses_the_rule(sqlite_template: Path, tmp_path: Path) -> None:
    """`traffpunkt token create --email`: a bad address is refused with the reason, debris is
    trimmed (the rule runs before the database, so one engine shows it)."""
    path = tmp_path / "cli.db"
    shutil.copyfile(sqlite_template, path)
    env = {**os.environ, "TRAFFPUNKT_DATABASE_URL": f"sqlite:///{path}"}

    def cli(email: str) -> subprocess.CompletedProcess[str]:
        args = ["token", "create", "--email", email, "--role", "admin"]
        return subprocess.run(
            [sys.executable, "-m", "traffpunkt", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    bad = cli("boss@example..se")
    assert bad.returncode != 0 and addresses.TWO_DOTS in bad.stderr
    good = cli("<Boss@Example.se>;")
    assert good.returncode == 0, good.stderr
    assert len(good.stdout.split()[-1]) >= 20  # the token is the last line


async def test_the_invitation_form_takes_a_list_as_mail_programs_copy_it(
    app: Any, client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    organiser = await _organiser(app)
    page_url = f"/organiser/events/{event['id']}/attendees"
    action = f"/organiser/events/{event['id']}/invitations"
    try:
        page = await organiser.get(page_url)
        r = await organiser.post(
            action,
            data={
                "_csrf_token": csrf(page.text),
                "emails": "Erik Berg <erik@exempel.se>; cia@exempel..se",
            },
        )
        # The good one is sent; the bad one is named with its line and stays in the box.
        assert r.status_code == 200
        assert "‘cia@exempel..se’ – Adressen har två punkter i rad" in r.text
        assert [m["recipient"] for m in await outbox() if m["kind"] == "invitation"] == [
            "erik@exempel.se"
        ]
        r = await organiser.post(
            action,
            data={
                "_csrf_token": csrf(page.text),
                "emails": '"Lund, Berit" <Berit@Exempel.se>; Calle Ek <calle@exempel.se>,\n'
                "mailto:doris@exempel.se;",
            },
        )
        assert r.status_code == 200, r.text
    finally:
        await organiser.aclose()
    invited = sorted(m["recipient"] for m in await outbox() if m["kind"] == "invitation")
    assert invited == [
        "berit@exempel.se",
        "calle@exempel.se",
        "doris@exempel.se",
        "erik@exempel.se",
    ]


async def test_a_municipalitys_contact_address_uses_the_rule(
    client: httpx.AsyncClient, world: World
) -> None:
    url = "/api/v1/municipalities/asele"
    auth = {**World.auth(world.asele), "Accept-Language": "en"}
    r = await client.patch(url, json={"contact_email": "naringsliv@asele..se"}, headers=auth)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "contact_email", "message": addresses.TWO_DOTS}]
    r = await client.patch(url, json={"contact_email": "<Naringsliv@Asele.se>;"}, headers=auth)
    assert r.status_code == 200 and r.json()["contact_email"] == "naringsliv@asele.se"


async def test_a_cancellation_that_did_not_arrive_is_sent_again_not_the_ticket(
    client: httpx.AsyncClient, event: dict[str, Any], smtp: Server
) -> None:
    token = await _refused_sign_up(client, event, smtp)
    r = await client.delete(f"/api/v1/registrations/{token}")
    assert r.json()["status"] == "cancelled"
    assert await Sender(smtp.settings).run_once() == 1
    failed = [m["kind"] for m in await outbox() if m["status"] == "failed"]
    assert failed == ["confirmed", "registration_cancelled"]
    await service.correct_own_address(token, "anna@exempel.nu")
    assert await Sender(smtp.settings).run_once() == 1
    (mail,) = smtp.recorder.messages
    assert mail["X-Traffpunkt-Kind"] == "registration_cancelled"
    assert smtp.recorder.rcpt == ["anna@exempel.nu"]
