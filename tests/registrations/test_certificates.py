"""Course completion and certificates: online marks, "send certificates" once under concurrency,
the public check (no address), the PDF."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from notifications.tables import OutboxMessage
from registrations import service
from registrations.tables import Certificate
from tests.conftest import World
from tests.events.test_sessions import FOUR, put_sessions
from tests.registrations.conftest import make_event
from tests.registrations.test_checkin import attendee, door


async def course(client: httpx.AsyncClient, world: World) -> tuple[dict[str, Any], list[str]]:
    ev = await make_event(
        client,
        world,
        kind="course",
        title="Bokföring för nyföretagare",
        capacity=10,
        completion_min_sessions=3,
    )
    r = await put_sessions(client, world.asele, ev["id"], FOUR)
    assert r.status_code == 200, r.text
    return ev, [s["id"] for s in r.json()["items"]]


async def test_marks_completion_and_certificates_once(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, sessions = await course(client, world)
    assert ev["completion_min_sessions"] == 3 and ev["completion_requires_exam"] is False
    h = await door(client, world, ev["id"])
    org = World.auth(world.asele)
    people = [await attendee(client, ev["id"], f"p{i}@example.se") for i in range(3)]
    scans = {0: [0, 2], 1: [0], 2: [0, 2, 3]}
    for who, attended in scans.items():
        for i in attended:
            r = await client.post(
                f"/api/v1/events/{ev['id']}/checkins",
                json={"secret": people[who]["code"], "session_id": sessions[i]},
                headers=h,
            )
            assert r.json()["result"] == "ok"
    # Session 2 was online: the organiser ticks who took part (twice: still one attendance).
    for _ in range(2):
        r = await client.put(
            f"/api/v1/events/{ev['id']}/registrations/{people[0]['id']}/attendance",
            json={"session_id": sessions[1], "attended": True},
            headers=org,
        )
        assert r.status_code == 204, r.text
    # Unticking works too (a mistake), and ticking again.
    for attended in (False, True):
        r = await client.put(
            f"/api/v1/events/{ev['id']}/registrations/{people[1]['id']}/attendance",
            json={"session_id": sessions[1], "attended": attended},
            headers=org,
        )
        assert r.status_code == 204
    r = await client.put(
        f"/api/v1/events/{ev['id']}/registrations/{people[1]['id']}/attendance",
        json={"session_id": "nope", "attended": True},
        headers=org,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "session_id"
    forbidden = await client.post(
        f"/api/v1/events/{ev['id']}/certificates", headers=World.auth(world.arvidsjaur)
    )
    assert forbidden.status_code == 403

    # Two presses at once: each person who completed gets one certificate and one mail.
    runs = await asyncio.gather(
        *(client.post(f"/api/v1/events/{ev['id']}/certificates", headers=org) for _ in range(2))
    )
    assert all(r.status_code == 200 for r in runs), [r.text for r in runs]
    bodies = [r.json() for r in runs]
    assert sum(b["issued"] for b in bodies) == 2  # p0 (2 scans + online mark) and p2
    assert all(b["not_completed"] == 1 for b in bodies)  # p1: two sessions of four
    assert await Certificate.count() == 2
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "certificate")
    assert sorted(m["recipient"] for m in mails) == ["p0@example.se", "p2@example.se"]
    again = (await client.post(f"/api/v1/events/{ev['id']}/certificates", headers=org)).json()
    assert again == {"issued": 0, "already": 2, "not_completed": 1}

    # The mail's link; the public check says valid, course, name, date, and no address.
    mail = next(m for m in mails if m["recipient"] == "p0@example.se")
    assert json.loads(mail["data"])["hours"] == "9"
    pdf_link = json.loads(mail["secrets"])["certificate_url"]
    token = pdf_link.split("/certificates/")[1].split("/")[0]
    page = await client.get(f"/certificates/{token}")
    assert page.status_code == 200
    assert "Bokföring för nyföretagare" in page.text and people[0]["name"] in page.text
    assert "@" not in page.text.split("<main", 1)[1].split("</main>")[0]
    check = (await client.get(f"/api/v1/certificates/{token}")).json()
    assert check["valid"] is True and set(check) == {
        "valid",
        "course",
        "name",
        "organiser",
        "issued_on",
    }
    assert (await client.get("/certificates/not-a-token")).status_code == 404
    assert (await client.get("/api/v1/certificates/not-a-token")).status_code == 404

    # The PDF: from the mail's link and from the attendee's own page.
    pdf = await client.get(pdf_link.removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    own = await client.get(f"/r/{people[0]['token']}/certificate.pdf")
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    manage = await client.get(f"/r/{people[0]['token']}")
    assert f"/r/{people[0]['token']}/certificate.pdf" in manage.text
    assert (await client.get(f"/r/{people[1]['token']}/certificate.pdf")).status_code == 404
    plain = await service.certificate_pdf(token, compress=False)
    assert "Bokföring för nyföretagare".encode("latin-1") in plain
    assert people[0]["name"].encode("latin-1") in plain
    assert "Antal timmar totalt: 9".encode("latin-1") in plain
    assert token.encode() in plain  # the verification address is printed (and in the QR)


async def test_exam_required(client: httpx.AsyncClient, world: World) -> None:
    ev, sessions = await course(client, world)
    org = World.auth(world.asele)
    r = await client.patch(
        f"/api/v1/events/{ev['id']}",
        json={"completion_requires_exam": True, "completion_min_sessions": 1},
        headers=org,
    )
    assert r.status_code == 200 and r.json()["completion_requires_exam"] is True
    anna = await attendee(client, ev["id"], "anna@example.se")
    await client.put(
        f"/api/v1/events/{ev['id']}/registrations/{anna['id']}/attendance",
        json={"session_id": sessions[0], "attended": True},
        headers=org,
    )
    run = (await client.post(f"/api/v1/events/{ev['id']}/certificates", headers=org)).json()
    assert run == {"issued": 0, "already": 0, "not_completed": 1}
    r = await client.put(
        f"/api/v1/events/{ev['id']}/registrations/{anna['id']}/exam",
        json={"passed": True},
        headers=org,
    )
    assert r.status_code == 204
    run = (await client.post(f"/api/v1/events/{ev['id']}/certificates", headers=org)).json()
    assert run == {"issued": 1, "already": 0, "not_completed": 0}
