"""The organiser's course pages: tick attendance of an online session, exams, certificates."""

from __future__ import annotations

from uuid import UUID

import httpx

from registrations.tables import Certificate, SessionAttendance
from tests.conftest import World
from tests.organiser.conftest import csrf
from tests.registrations.test_certificates import course
from tests.registrations.test_checkin import attendee


async def test_tick_attendance_and_send_certificates(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient, olle: httpx.AsyncClient
) -> None:
    ev, sessions = await course(client, world)
    people = [await attendee(client, ev["id"], f"p{i}@example.se") for i in range(2)]
    base = f"/organiser/events/{ev['id']}"
    page = await anna.get(f"{base}/course")
    assert page.status_code == 200
    assert "Genomförd: minst 3 av 4 tillfällen." in page.text
    assert f"{base}/sessions/{sessions[1]}/attendance" in page.text
    sheet = await anna.get(f"{base}/sessions/{sessions[1]}/attendance")
    assert sheet.status_code == 200 and "Kryssa i alla som deltog" in sheet.text
    for p in people:
        assert f'<label for="att-{p["id"]}">' in sheet.text
    r = await anna.post(
        f"{base}/sessions/{sessions[1]}/attendance",
        data={"_csrf_token": csrf(sheet.text), "attended": [p["id"] for p in people]},
    )
    assert r.status_code == 303 and r.headers["location"] == f"{base}/course?done=attendance"
    rows = await SessionAttendance.select()
    assert len(rows) == 2 and {r["source"] for r in rows} == {"mark"}
    # Unticking one: only the other stays.
    r = await anna.post(
        f"{base}/sessions/{sessions[1]}/attendance",
        data={"_csrf_token": csrf(sheet.text), "attended": [people[0]["id"]]},
    )
    assert r.status_code == 303
    assert [r["registration"] for r in await SessionAttendance.select()] == [UUID(people[0]["id"])]
    # Another municipality's organiser sees nothing of it.
    assert (await olle.get(f"{base}/course")).status_code == 403
    assert (await olle.get(f"{base}/sessions/{sessions[1]}/attendance")).status_code == 403
    r = await olle.post(
        f"{base}/sessions/{sessions[1]}/attendance",
        data={"_csrf_token": csrf(sheet.text), "attended": [p["id"] for p in people]},
    )
    assert r.status_code in (403, 422)  # refused (or his form's token is not his session's)
    assert [r["registration"] for r in await SessionAttendance.select()] == [UUID(people[0]["id"])]
    assert (await anna.get(f"{base}/sessions/{ev['id']}/attendance")).status_code == 404
    # One session is enough now: the button sends one certificate, a second press none.
    r = await client.patch(
        f"/api/v1/events/{ev['id']}",
        json={"completion_min_sessions": 1},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 200
    page = await anna.get(f"{base}/course")
    for _ in range(2):
        r = await anna.post(f"{base}/certificates", data={"_csrf_token": csrf(page.text)})
        assert r.status_code == 303
    assert r.headers["location"] == f"{base}/course?done=certificates&issued=0"
    assert await Certificate.count() == 1
    done = await anna.get(f"{base}/course?done=certificates&issued=1")
    assert "Skickade intyg: 1" in done.text and "Skickat" in done.text


async def test_sessions_form(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient
) -> None:
    from tests.events.test_events_api import create

    ev = await create(client, world.asele, kind="course", title="Kurs i bokföring")
    base = f"/organiser/events/{ev['id']}/sessions"
    form = await anna.get(base)
    assert form.status_code == 200 and "Kursens tillfällen" in form.text
    token = csrf(form.text)
    rows = {
        "session_id": ["", "", ""],
        "date": ["2027-03-04", "2027-03-11", ""],
        "start": ["09:00", "13:00", ""],
        "end": ["12:00", "12:00", ""],  # the second ends before it starts
        "place": ["", "online", ""],
    }
    r = await anna.post(base, data={"_csrf_token": token, **rows, "completion_min_sessions": "1"})
    assert r.status_code == 422
    assert 'id="row-1-error"' in r.text and "Tillfället måste sluta efter att det börjar" in r.text
    assert 'value="2027-03-11"' in r.text  # nothing typed is lost
    rows["end"][1] = "16:00"
    r = await anna.post(
        base,
        data={
            "_csrf_token": token,
            **rows,
            "completion_min_sessions": "1",
            "completion_requires_exam": "1",
        },
    )
    assert r.status_code == 303, r.text
    items = (
        await client.get(f"/api/v1/events/{ev['id']}/sessions", headers=World.auth(world.asele))
    ).json()["items"]
    assert [(s["starts_at"], s["online"]) for s in items] == [
        ("2027-03-04T09:00:00+01:00", False),
        ("2027-03-11T13:00:00+01:00", True),
    ]
    after = (await client.get(f"/api/v1/events/{ev['id']}", headers=World.auth(world.asele))).json()
    assert after["completion_min_sessions"] == 1 and after["completion_requires_exam"] is True
    # Editing keeps the sessions' ids; the form shows them again.
    form = await anna.get(base)
    assert items[0]["id"] in form.text and 'value="13:00"' in form.text
    # Published: a session is cancelled from here.
    await client.post(f"/api/v1/events/{ev['id']}/publish", headers=World.auth(world.asele))
    form = await anna.get(base)
    r = await anna.post(f"{base}/{items[1]['id']}/cancel", data={"_csrf_token": csrf(form.text)})
    assert r.status_code == 303
    form = await anna.get(f"{base}?done=cancelled")
    assert "(inställt)" in form.text
