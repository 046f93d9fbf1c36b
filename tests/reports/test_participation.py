"""The participant report from a fixture, compared with counts made by hand.

Period 2027 (the 2028 event is outside), both municipalities (the admin):
- activities: Frukost (Åsele, 2 h, on site), Webbinarium (Åsele, 1.5 h, online),
  Kurs i bokföring (Arvidsjaur, 3 h, on site) = 3.
- participants (checked in): Frukost a b c (d never came), Webbinarium a e, Kurs f a g = 8.
- persons: a b c e f g = 6. companies: ORG1 (a, b), ORG2 (e), ORG3 (f) and ORG4 (a survey
  answer in Arvidsjaur; d's sign-up does not count, d never came) = 4.
- hours: 3 × 2 + 2 × 1.5 + 3 × 3 = 18.
- Arvidsjaur: 1 activity, 3 participants, 3 persons, companies ORG3, ORG1 (a came), ORG4 = 3,
  9 hours. Åsele: 2 activities, 5 participants, 4 persons (a b c e), companies ORG1 ORG2 = 2
  → "<3", 9 hours.
- sectors: A ORG4, C ORG1, G ORG2 ORG3: all below 3. Gender: women a c e = 3; b man, f other
  are below 3 (and no one said "prefer not to say": "<3" too). g answered nothing.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import openpyxl

from tests.conftest import World


async def report(client: httpx.AsyncClient, token: str, query: str) -> httpx.Response:
    return await client.get(f"/api/v1/reports/participation?{query}", headers=World.auth(token))


async def test_the_report_matches_the_hand_count(
    client: httpx.AsyncClient, world: World, year: dict[str, Any]
) -> None:
    r = await report(client, world.admin, "from=2027-01-01&to=2027-12-31")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"]) == ("2027-01-01", "2027-12-31")
    assert body["municipalities"] == ["arvidsjaur", "asele"]
    assert (body["activities"], body["participants"], body["persons"], body["companies"]) == (
        3,
        8,
        6,
        4,
    )
    assert body["hours"] == 18
    assert body["by_municipality"] == [
        {
            "municipality": "arvidsjaur",
            "name": "Arvidsjaur",
            "activities": 1,
            "participants": 3,
            "persons": 3,
            "companies": 3,
            "hours": 9,
        },
        {
            "municipality": "asele",
            "name": "Åsele",
            "activities": 2,
            "participants": 5,
            "persons": 4,
            "companies": "<3",
            "hours": 9,
        },
    ]
    assert body["by_sector"] == [
        {"key": "A", "count": "<3"},
        {"key": "C", "count": "<3"},
        {"key": "G", "count": "<3"},
    ]
    assert body["by_gender"] == [
        {"key": "woman", "count": 3},
        {"key": "man", "count": "<3"},
        {"key": "other", "count": "<3"},
        {"key": "prefer_not_to_say", "count": "<3"},
    ]
    lines = [
        (a["date"], a["title"], a["mode"], a["hours"], a["participants"])
        for a in body["activity_list"]
    ]
    assert lines == [
        ("2027-03-04", "Frukost", "offline", 2, 3),
        ("2027-04-01", "Webbinarium", "online", 1.5, 2),
        ("2027-05-10", "Kurs i bokföring", "offline", 3, 3),
    ]
    # Reproducible: the same period gives the same numbers.
    assert (await report(client, world.admin, "from=2027-01-01&to=2027-12-31")).json() == body
    # No one's address or name is in the answer.
    assert "@example.se" not in r.text


async def test_an_organiser_sees_their_municipalities_only(
    client: httpx.AsyncClient, world: World, year: dict[str, Any]
) -> None:
    r = await report(client, world.asele, "from=2027-01-01&to=2027-12-31")
    body = r.json()
    assert body["municipalities"] == ["asele"]
    assert (body["activities"], body["participants"], body["persons"], body["companies"]) == (
        2,
        5,
        4,
        2,
    )
    assert body["by_gender"][0] == {"key": "woman", "count": 3}
    r = await report(client, world.asele, "from=2027-01-01&to=2027-12-31&municipality=arvidsjaur")
    assert r.status_code == 403
    r = await report(client, world.asele, "municipality=nowhere")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "municipality"
    r = await report(client, world.asele, "from=2027-05-01&to=2027-04-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"
    r = await report(client, world.asele, "from=2027-13-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from"
    assert (await client.get("/api/v1/reports/participation")).status_code == 401


async def test_the_spreadsheet_holds_the_same_figures(
    client: httpx.AsyncClient, world: World, year: dict[str, Any]
) -> None:
    r = await client.get(
        "/api/v1/reports/participation.xlsx?from=2027-01-01&to=2027-12-31&municipality=asele,arvidsjaur",
        headers={**World.auth(world.admin), "Accept-Language": "sv"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == [
        "Sammanfattning",
        "Aktiviteter",
        "Per kommun",
        "Per bransch",
        "Per storlek",
        "Kön",
    ]
    summary = {
        row[0]: row[1] for row in book["Sammanfattning"].iter_rows(min_row=2, values_only=True)
    }
    assert summary["Genomförda aktiviteter"] == 3
    assert summary["Deltagare (incheckade)"] == 8
    assert summary["Unika personer"] == 6
    assert summary["Unika företag"] == 4
    assert summary["Deltagartimmar"] == 18
    municipality = list(book["Per kommun"].iter_rows(min_row=2, values_only=True))
    assert municipality[1] == ("Åsele", 2, 5, 4, "<3", 9)
    cells = [
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    ]
    assert not any("@" in c for c in cells)
    gender = list(book["Kön"].iter_rows(min_row=2, values_only=True))
    assert gender[0] == ("Kvinna", 3) and gender[1] == ("Man", "<3")


async def test_the_pages_and_the_attendance_list(
    client: httpx.AsyncClient, world: World, year: dict[str, Any]
) -> None:
    from tests.organiser.conftest import sign_in

    await sign_in(client, "anna@asele.se")
    page = await client.get("/organiser/reports?from=2027-01-01&to=2027-12-31")
    assert page.status_code == 200
    assert "Deltagarrapport" in page.text and "Frukost" in page.text
    assert "Kurs i bokföring" not in page.text  # Arvidsjaur's
    # The downloads carry the period shown.
    assert "participation.xlsx?from=2027-01-01&amp;to=2027-12-31" in page.text
    bad = await client.get("/organiser/reports?from=2027-01-01&to=2026-01-01")
    assert bad.status_code == 422 and "error-summary" in bad.text
    pdf = await client.get("/organiser/reports/participation.pdf?from=2027-01-01&to=2027-12-31")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = await client.get("/organiser/reports/participation.xlsx?from=2027-01-01&to=2027-12-31")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    frukost = year["events"][0]["id"]
    overview = await client.get(f"/organiser/events/{frukost}")
    assert f"/organiser/events/{frukost}/attendance-list" in overview.text
    sheet = await client.get(f"/organiser/events/{frukost}/attendance-list")
    assert sheet.status_code == 200
    for who in ("A", "B", "C", "D"):  # the confirmed, checked in or not
        assert f"<td>{who}</td>" in sheet.text
    assert "Underskrift" in sheet.text
    pdf = await client.get(f"/organiser/events/{frukost}/attendance-list.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    kurs = year["events"][2]["id"]
    assert (await client.get(f"/organiser/events/{kurs}/attendance-list")).status_code == 403


async def test_a_course_series_counts_its_sessions(client: httpx.AsyncClient, world: World) -> None:
    """A series of four 3-hour sessions (one cancelled, one online) is one activity of 9 hours;
    its participants are those who attended a session, scanned or ticked (online), and each
    counts the hours of the sessions attended."""
    from tests.events.test_sessions import FOUR, put_sessions
    from tests.registrations.conftest import make_event
    from tests.registrations.test_checkin import attendee, door

    ev = await make_event(client, world, kind="course", capacity=10)
    r = await put_sessions(client, world.asele, ev["id"], FOUR)
    assert r.status_code == 200, r.text
    s1, s2, s3, s4 = (s["id"] for s in r.json()["items"])
    h, org = await door(client, world, ev["id"]), World.auth(world.asele)
    anna = await attendee(client, ev["id"], "anna@example.se")
    bo = await attendee(client, ev["id"], "bo@example.se")
    await attendee(client, ev["id"], "cecilia@example.se")  # never came
    for session in (s1, s3):
        body = {"secret": anna["code"], "session_id": session}
        r = await client.post(f"/api/v1/events/{ev['id']}/checkins", json=body, headers=h)
        assert r.json()["result"] == "ok", r.text
    for person in (anna, bo):  # the online session, ticked by the organiser
        r = await client.put(
            f"/api/v1/events/{ev['id']}/registrations/{person['id']}/attendance",
            json={"session_id": s2, "attended": True},
            headers=org,
        )
        assert r.status_code == 204, r.text
    r = await client.post(f"/api/v1/events/{ev['id']}/sessions/{s4}/cancel", headers=org)
    assert r.status_code == 200, r.text
    body = (await report(client, world.asele, "from=2027-01-01&to=2027-12-31")).json()
    assert (body["activities"], body["participants"], body["persons"]) == (1, 2, 2)
    assert body["hours"] == 9 + 3  # anna 3 sessions, bo the online one
    (activity,) = body["activity_list"]
    assert activity["hours"] == 9
