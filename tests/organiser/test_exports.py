"""The attendee list as a workbook and as a CSV that Swedish Excel opens in columns: headers and
values in the organiser's language, formulas never evaluated (both engines)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import httpx
import openpyxl

from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up


async def _event_with_people(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    event = await make_event(client, world, capacity=1)
    await sign_up(client, event["id"], "asa@example.se", name="Åsa Öberg", needs=["e-commerce"])
    await sign_up(
        client,
        event["id"],
        "evil@example.se",
        name='=HYPERLINK("http://evil.test","x")',
        organisation="+46 70 123",
        networking_consent=True,
    )
    return event


async def test_xlsx_in_swedish(
    anna: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    event = await _event_with_people(client, world)
    r = await anna.get(f"/organiser/events/{event['id']}/attendees.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "deltagare" in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["Namn", "E-post", "Företag eller organisation", "Kommun", "Status"]
    by_email = {row[1]: row for row in rows[1:]}
    asa = by_email["asa@example.se"]
    assert asa[0] == "Åsa Öberg" and asa[4] == "Bekräftad" and asa[6] == "E-handel"
    assert isinstance(asa[9], datetime)  # a real date cell, local time
    evil = by_email["evil@example.se"]
    assert evil[4] == "På väntelistan" and evil[8] == "Ja"
    # Text stays text: openpyxl reads a formula cell as "=…" with data_type "f".
    cells = {c.value: c.data_type for c in sheet[3]} | {c.value: c.data_type for c in sheet[2]}
    assert cells['=HYPERLINK("http://evil.test","x")'] == "s"


async def test_csv_for_swedish_excel(
    anna: httpx.AsyncClient, client: httpx.AsyncClient, world: World
) -> None:
    event = await _event_with_people(client, world)
    r = await anna.get(f"/organiser/events/{event['id']}/attendees.csv")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = r.content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Namn" and len(rows[0]) == 11
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["evil@example.se"][0].startswith("'=")  # no formula
    assert by_email["evil@example.se"][2] == "'+46 70 123"
    english = await anna.get(f"/organiser/events/{event['id']}/attendees.csv?lang=en")
    header = english.content.decode("utf-8-sig").split("\r\n")[0]
    assert header.startswith("Name;Email;Company or organisation")
    assert (await anna.get(f"/organiser/events/{event['id']}/attendees.pdf")).status_code == 404
