"""Signing up: seats, the waiting list, repeated addresses, windows, links, tickets, erasure."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import zxingcpp
from PIL import Image

from notifications.kinds import KINDS
from notifications.tables import OutboxMessage
from registrations.tables import ManageToken, Registration
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from traffpunkt.clock import frozen_at, utc_now


async def outbox(kind: str | None = None) -> list[dict[str, Any]]:
    q = OutboxMessage.select().order_by(OutboxMessage.created_at)
    if kind:
        q = q.where(OutboxMessage.kind == kind)
    return await q


async def test_forty_at_once_for_five_seats(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    responses = await asyncio.gather(
        *(sign_up(client, event["id"], f"person{i}@example.se") for i in range(40))
    )
    assert all(r.status_code == 201 for r in responses), [
        r.text for r in responses if r.status_code != 201
    ]
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("confirmed") == 5 and statuses.count("waitlisted") == 35
    seats = (await client.get(f"/api/v1/events/{event['id']}")).json()["seats_left"]
    assert seats == 0
    assert len(await outbox("confirmed")) == 5 and len(await outbox("waitlisted")) == 35
    # Cancellations promote the waiting list in the order people joined it.
    waiting = sorted(
        (r for r in await Registration.select() if r["status"] == "waitlisted"),
        key=lambda r: (r["queued_at"], str(r["id"])),
    )
    confirmed = [r for r in responses if r.json()["status"] == "confirmed"]
    for n, r in enumerate(confirmed[:3]):
        cancelled = await client.delete(f"/api/v1/registrations/{token_of(r)}")
        assert cancelled.json()["status"] == "cancelled"
        promoted = [x for x in await Registration.select() if x["status"] == "confirmed"]
        assert {str(x["id"]) for x in promoted} >= {str(w["id"]) for w in waiting[: n + 1]}
    assert len(await outbox("promoted")) == 3
    rows = await Registration.select()
    assert sum(r["status"] == "confirmed" for r in rows) == 5


async def test_same_address_again_is_the_same_registration(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    first = await sign_up(client, event["id"], "Anna@Example.se")
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    again = await asyncio.gather(
        *(sign_up(client, event["id"], "anna@example.SE ") for _ in range(5))
    )
    for r in again:
        assert r.status_code == 200
        body = r.json()
        assert body["id"] == first.json()["id"] and "manage_url" not in body
        assert body["status"] == "confirmed"
    assert len(await Registration.select()) == 1
    seats = (await client.get(f"/api/v1/events/{event['id']}")).json()["seats_left"]
    assert seats == 4
    # The link is mailed again (at most once an hour, so the address cannot be flooded).
    assert len(await outbox("manage_link")) == 1


async def test_a_new_address_six_times_at_once_is_one_registration(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    """On PostgreSQL the first sign-up of an address is one statement that reads nothing
    first: the others racing it fail on the unique key (their seat rolled back with them) and
    find the registration on their retry. One seat, one confirmation, one re-sent link."""
    rs = await asyncio.gather(*(sign_up(client, event["id"], "bo@example.se") for _ in range(6)))
    assert sorted(r.status_code for r in rs) == [200] * 5 + [201]
    assert len(await Registration.select()) == 1
    seats = (await client.get(f"/api/v1/events/{event['id']}")).json()["seats_left"]
    assert seats == 4
    assert len(await outbox("confirmed")) == 1
    assert len(await outbox("manage_link")) == 1


async def test_registration_windows_and_states_are_409(
    client: httpx.AsyncClient, world: World
) -> None:
    draft = (
        await client.post(
            "/api/v1/events",
            json={
                "title": "Utkast",
                "kind": "seminar",
                "municipality": "asele",
                "starts_at": "2027-03-04T08:00",
                "ends_at": "2027-03-04T10:00",
            },
            headers=World.auth(world.asele),
        )
    ).json()
    r = await sign_up(client, draft["id"], "a@example.se")
    assert r.status_code == 409 and r.json()["code"] == "event_not_published"
    later = await make_event(client, world, registration_opens_at="2027-02-01T00:00")
    r = await sign_up(client, later["id"], "a@example.se")
    assert r.status_code == 409 and r.json()["code"] == "registration_not_open"
    assert "öppnat" in r.json()["detail"]  # a reason a person understands, in Swedish
    closed = await make_event(
        client,
        world,
        registration_closes_at="2026-01-01T00:00",
        starts_at="2026-12-31T08:00",
        ends_at="2027-12-31T10:00",
    )
    r = await sign_up(client, closed["id"], "a@example.se")
    assert r.status_code == 409 and r.json()["code"] == "registration_closed"
    cancelled = await make_event(client, world)
    await client.post(f"/api/v1/events/{cancelled['id']}/cancel", headers=World.auth(world.asele))
    r = await sign_up(client, cancelled["id"], "a@example.se")
    assert r.status_code == 409 and r.json()["code"] == "event_cancelled"
    assert await Registration.select() == []


async def test_bad_input_is_422_and_stores_nothing(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    for body, field in (
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "", "email": "a@example.se"}, "name"),
        ({"name": "   ", "email": "a@example.se"}, "name"),
        ({"name": "A", "email": "a@example.se", "needs": ["knitting"]}, "needs"),
        ({"name": "A", "email": "a@example.se", "language": "de"}, "language"),
        ({"name": "A", "email": "a@example.se", "networking_consent": "yes"}, "networking_consent"),
        ({"name": "A", "email": "a@example.se", "invitation": "forged"}, "invitation"),
    ):
        r = await client.post(f"/api/v1/events/{event['id']}/registrations", json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert await Registration.select() == []
    assert (await sign_up(client, "no-such-event", "a@example.se")).status_code == 404


async def test_manage_link_ticket_and_cancel(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    r = await sign_up(
        client,
        event["id"],
        "hugo@example.se",
        name="Hugo Lind",
        organisation="Lind AB",
        needs=["bookkeeping"],
        networking_consent=True,
    )
    token = token_of(r)
    assert len(token) >= 22
    stored = [t["token_hash"] for t in await ManageToken.select()]
    assert token not in stored  # only hashes are stored
    own = (await client.get(f"/api/v1/registrations/{token}")).json()
    assert own["status"] == "confirmed" and own["name"] == "Hugo Lind"
    assert own["event"]["id"] == event["id"] and own["needs"] == ["bookkeeping"]
    png = await client.get(f"/api/v1/registrations/{token}/ticket.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert decoded.text == own["ticket"]["code"]
    svg = await client.get(f"/api/v1/registrations/{token}/ticket.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    changed = await client.patch(f"/api/v1/registrations/{token}", json={"language": "en"})
    assert changed.json()["language"] == "en"
    cancelled = await client.delete(f"/api/v1/registrations/{token}")
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["ticket"] is None
    assert (await client.get(f"/api/v1/registrations/{token}/ticket.png")).status_code == 404
    (mail,) = await outbox("registration_cancelled")
    assert mail["language"] == "en"
    # Cancelling twice is harmless; registering again brings the same registration back.
    assert (await client.delete(f"/api/v1/registrations/{token}")).status_code == 200
    back = await sign_up(client, event["id"], "hugo@example.se")
    assert back.status_code == 201 and back.json()["id"] == own["id"]
    assert (await client.get("/api/v1/registrations/unknown-token")).status_code == 404


async def test_erase_my_data(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    r = await sign_up(
        client, event["id"], "erase@example.se", name="Erik Raderad", organisation="Raderad AB"
    )
    token = token_of(r)
    assert (await client.post(f"/api/v1/registrations/{token}/erase")).status_code == 204
    assert (await client.get(f"/api/v1/registrations/{token}")).status_code == 404
    (row,) = await Registration.select()
    assert row["name"] == "" and "erase@example.se" not in str(row) and row["status"] == "cancelled"
    for msg in await outbox():
        assert "erase@example.se" not in str(msg) and "Erik" not in str(msg)
    seats = (await client.get(f"/api/v1/events/{event['id']}")).json()["seats_left"]
    assert seats == 5
    # The same address can sign up again as a new person.
    assert (await sign_up(client, event["id"], "erase@example.se")).status_code == 201


async def test_capacity_increase_promotes_in_order(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    for i in range(8):
        await sign_up(client, event["id"], f"p{i}@example.se")
    r = await client.patch(
        f"/api/v1/events/{event['id']}", json={"capacity": 7}, headers=World.auth(world.asele)
    )
    assert r.status_code == 200 and r.json()["seats_left"] == 0
    rows = {r["email"]: r["status"] for r in await Registration.select()}
    assert [rows[f"p{i}@example.se"] for i in range(8)] == ["confirmed"] * 7 + ["waitlisted"]
    r = await client.patch(
        f"/api/v1/events/{event['id']}", json={"capacity": 3}, headers=World.auth(world.asele)
    )
    assert r.status_code == 409  # below the seats already taken


async def test_event_changes_and_cancellation_reach_attendees(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    for i in range(6):
        await sign_up(client, event["id"], f"p{i}@example.se")
    h = World.auth(world.asele)
    await client.patch(f"/api/v1/events/{event['id']}", json={"title": "Ny titel"}, headers=h)
    assert await outbox("event_changed") == []  # a title is not a move in anyone's calendar
    await client.patch(
        f"/api/v1/events/{event['id']}", json={"starts_at": "2027-03-04T09:00"}, headers=h
    )
    assert len(await outbox("event_changed")) == 5  # the confirmed ones
    await client.post(f"/api/v1/events/{event['id']}/cancel", headers=h)
    assert len(await outbox("event_cancelled")) == 5  # with a calendar CANCEL
    # The one on the waiting list never had a calendar entry, so gets no CANCEL for one.
    (waiting,) = await outbox("event_cancelled_waitlisted")
    assert KINDS[waiting["kind"]].method is None


async def test_leaving_the_waiting_list_sends_no_calendar_cancel(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    tokens = []
    for i in range(6):  # five seats: the sixth waits
        r = await sign_up(client, event["id"], f"w{i}@example.se")
        tokens.append(r.json()["manage_url"].rsplit("/", 1)[1])
    assert (await client.delete(f"/api/v1/registrations/{tokens[5]}")).status_code == 200
    (left,) = await outbox("waitlist_left")
    assert left["recipient"] == "w5@example.se" and KINDS["waitlist_left"].method is None
    assert await outbox("registration_cancelled") == []
    assert (await client.delete(f"/api/v1/registrations/{tokens[0]}")).status_code == 200
    (cancelled,) = await outbox("registration_cancelled")
    assert KINDS[cancelled["kind"]].method == "CANCEL"


async def test_invitations(client: httpx.AsyncClient, world: World, event: dict[str, Any]) -> None:
    await sign_up(client, event["id"], "already@example.se")
    r = await client.post(
        f"/api/v1/events/{event['id']}/invitations",
        json={"emails": ["a@example.se", "B@example.se", "a@example.se", "already@example.se"]},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 202, r.text
    assert r.json() == {
        "invited": 2,
        "already_registered": ["already@example.se"],
        "invited_too_often": [],
    }
    assert sorted(m["recipient"] for m in await outbox("invitation")) == [
        "a@example.se",
        "b@example.se",
    ]
    bad = await client.post(
        f"/api/v1/events/{event['id']}/invitations",
        json={"emails": ["ok@example.se", "nope"]},
        headers=World.auth(world.asele),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "emails[1]"
    assert len(await outbox("invitation")) == 2  # nothing was sent for the bad list
    other = await client.post(
        f"/api/v1/events/{event['id']}/invitations",
        json={"emails": ["x@example.se"]},
        headers=World.auth(world.arvidsjaur),
    )
    assert other.status_code == 403


async def test_reminders_are_queued_once_and_not_for_the_cancelled(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    from datetime import timedelta

    from events import service as events_service
    from registrations import service

    keep = await sign_up(client, event["id"], "keep@example.se")
    gone = await sign_up(client, event["id"], "gone@example.se")
    await client.delete(f"/api/v1/registrations/{token_of(gone)}")
    row = await events_service.event_for_mail(event["id"])
    assert row is not None
    assert await service.schedule_reminders() == 0  # far ahead: not due
    with frozen_at(row.starts_at - timedelta(hours=23)):
        assert await service.schedule_reminders() == 1
        assert await service.schedule_reminders() == 0  # once
    (reminder,) = await outbox("reminder")
    assert reminder["recipient"] == "keep@example.se"
    assert keep.status_code == 201 and utc_now() < row.starts_at


async def test_coming_back_after_cancelling_at_once_takes_one_seat(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    """Someone who cancelled signs up again from several tabs at once: one registration comes
    back to life with one seat and one confirmation; the others are told it exists."""
    first = await sign_up(client, event["id"], "back@example.se")
    await client.delete(f"/api/v1/registrations/{token_of(first)}")
    again = await asyncio.gather(
        *(sign_up(client, event["id"], "back@example.se") for _ in range(6))
    )
    codes = sorted(r.status_code for r in again)
    assert codes == [200] * 5 + [201], [r.text for r in again]
    assert {r.json()["id"] for r in again} == {first.json()["id"]}
    assert all(r.json()["status"] == "confirmed" for r in again)
    assert len(await Registration.select()) == 1
    seats = (await client.get(f"/api/v1/events/{event['id']}")).json()["seats_left"]
    assert seats == 4
    assert len(await outbox("confirmed")) == 2  # the first sign-up's and the comeback's
