"""The report questions (organisation number, SNI section, size band, gender): asked and
accepted only where the organiser enabled them, per event or per municipality, and erased with
the registration."""

from __future__ import annotations

import httpx

from registrations.tables import Registration
from tests.conftest import World
from tests.organiser.conftest import sign_in
from tests.registrations.conftest import make_event, sign_up, token_of
from tests.registrations.test_attendee_pages import csrf

ANSWERS = {
    "org_number": "556036-0793",
    "sni_section": "c",
    "size_band": "1-4",
    "gender": "prefer_not_to_say",
}


async def test_refused_where_not_enabled_named_in_the_422(
    client: httpx.AsyncClient, world: World
) -> None:
    event = await make_event(client, world)
    assert event["report_fields_asked"] == []
    for name, value in ANSWERS.items():
        r = await sign_up(
            client, event["id"], f"{name.replace('_', '')}@example.se", **{name: value}
        )
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == name
    assert await Registration.count() == 0
    form = await client.get(f"/events/{event['slug']}/register")
    assert 'name="org_number"' not in form.text and 'name="gender"' not in form.text


async def test_enabled_per_event_stored_checked(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(client, world, report_fields=["org_number", "sni_section", "gender"])
    assert event["report_fields_asked"] == ["org_number", "sni_section", "gender"]
    r = await sign_up(client, event["id"], "a@example.se", org_number="5560360794")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "org_number"
    r = await sign_up(client, event["id"], "a@example.se", size_band="1-4")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "size_band"
    answers = {k: v for k, v in ANSWERS.items() if k != "size_band"}
    r = await sign_up(client, event["id"], "a@example.se", **answers)
    assert r.status_code == 201, r.text
    # No answer is allowed too.
    assert (await sign_up(client, event["id"], "b@example.se")).status_code == 201
    rows = {r["email"]: r for r in await Registration.select()}
    a = rows["a@example.se"]
    assert (a["org_number"], a["sni_section"], a["gender"]) == (
        "556036-0793",
        "C",
        "prefer_not_to_say",
    )
    assert a["sector"] == ""  # networking's free text is not touched
    assert rows["b@example.se"]["gender"] == ""


async def test_enabled_per_municipality_on_the_form_with_the_purpose(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.patch(
        "/api/v1/municipalities/asele",
        json={"report_fields": ["size_band", "gender"]},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 200 and r.json()["report_fields"] == ["size_band", "gender"]
    event = await make_event(client, world, report_fields=["org_number"])
    assert event["report_fields"] == ["org_number"]
    assert event["report_fields_asked"] == ["org_number", "size_band", "gender"]
    url = f"/events/{event['slug']}/register"
    form = await client.get(url)
    assert "redovisa deltagandet till projektets finansiär" in form.text
    assert 'name="org_number"' in form.text and 'name="size_band"' in form.text
    assert 'value="prefer_not_to_say"' in form.text and 'name="sni_section"' not in form.text
    # No answer is the default, and can be chosen again after a click on another.
    assert '<input type="radio" name="gender" value="" checked>' in form.text
    bad = await client.post(
        url,
        data={
            "_csrf_token": csrf(form.text),
            "name": "Saga",
            "email": "saga@example.se",
            "org_number": "123",
        },
    )
    assert bad.status_code == 422 and "organisationsnummer" in bad.text.lower()
    ok = await client.post(
        url,
        data={
            "_csrf_token": csrf(form.text),
            "name": "Saga",
            "email": "saga@example.se",
            "org_number": "556036-0793",
            "size_band": "5-9",
            "gender": "woman",
        },
    )
    assert ok.status_code == 303, ok.text
    (reg,) = await Registration.select()
    assert (reg["org_number"], reg["size_band"], reg["gender"]) == ("556036-0793", "5-9", "woman")
    # Another municipality's events do not ask.
    body = {
        "title": "Kurs",
        "kind": "course",
        "municipality": "arvidsjaur",
        "starts_at": "2027-03-04T08:00",
        "ends_at": "2027-03-04T10:00",
    }
    r = await client.post("/api/v1/events", json=body, headers=World.auth(world.arvidsjaur))
    assert r.status_code == 201 and r.json()["report_fields_asked"] == []


async def test_the_answers_are_erased_with_the_registration(
    client: httpx.AsyncClient, world: World
) -> None:
    event = await make_event(
        client, world, report_fields=["org_number", "sni_section", "size_band", "gender"]
    )
    r = await sign_up(client, event["id"], "c@example.se", **ANSWERS)
    assert r.status_code == 201
    assert (await client.post(f"/api/v1/registrations/{token_of(r)}/erase")).status_code == 204
    (reg,) = await Registration.select()
    assert reg["erased_at"] is not None
    assert (reg["org_number"], reg["sni_section"], reg["size_band"], reg["gender"]) == (
        "",
        "",
        "",
        "",
    )


async def test_the_person_sees_their_own_answers_and_nobody_else_does(
    client: httpx.AsyncClient, world: World
) -> None:
    """What is kept about them is on their own page (Swedish and English); the event page and
    the organiser's attendee list do not show it."""
    event = await make_event(
        client, world, report_fields=["org_number", "sni_section", "size_band", "gender"]
    )
    r = await sign_up(client, event["id"], "d@example.se", **ANSWERS)
    assert r.status_code == 201
    own = await client.get(f"/r/{token_of(r)}")
    assert own.status_code == 200
    assert "Dina svar till projektets rapport" in own.text
    for shown in ("556036-0793", "C – Tillverkning", "Vill inte svara"):
        assert shown in own.text, shown
    english = await client.get(f"/r/{token_of(r)}?lang=en")
    assert "Your answers for the project&#39;s report" in english.text
    assert "Prefer not to say" in english.text
    # Someone who answered nothing sees no such part.
    r2 = await sign_up(client, event["id"], "e@example.se")
    assert "Dina svar till projektets rapport" not in (await client.get(f"/r/{token_of(r2)}")).text
    public = await client.get(f"/events/{event['slug']}")
    assert "556036-0793" not in public.text
    attendees = await client.get(
        f"/api/v1/events/{event['id']}/registrations", headers=World.auth(world.asele)
    )
    assert attendees.status_code == 200 and "556036-0793" not in attendees.text


async def test_switches_on_the_event_form_and_the_settings_page(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, "anna@asele.se")
    page = await client.get("/organiser/admin")
    assert 'action="/organiser/admin/municipalities/asele/report-fields"' in page.text
    r = await client.post(
        "/organiser/admin/municipalities/asele/report-fields",
        data={"_csrf_token": csrf(page.text), "report_fields": ["gender"]},
    )
    assert r.status_code == 303
    event = await make_event(client, world)
    assert event["report_fields_asked"] == ["gender"]
    form = await client.get(f"/organiser/events/{event['id']}/edit")
    assert 'name="report_fields" value="org_number"' in form.text


async def test_moving_an_event_keeps_its_questions_through_the_confirmation(
    client: httpx.AsyncClient, world: World
) -> None:
    import re

    event = await make_event(client, world, report_fields=["org_number", "gender"])
    assert (await sign_up(client, event["id"], "x@example.se")).status_code == 201
    await sign_in(client, "anna@asele.se")
    url = f"/organiser/events/{event['id']}/edit"
    form = await client.get(url)
    fields = dict(
        re.findall(r'<input id="(\w+)" name="\w+" type="[\w-]+" value="([^"]*)"', form.text)
    )
    data = {
        "_csrf_token": csrf(form.text),
        "title": event["title"],
        "kind": "network",
        "municipality": "asele",
        "starts_at": "2027-03-05T08:00",  # moved: the organiser is asked first
        "ends_at": "2027-03-05T10:00",
        "capacity": fields.get("capacity", "5"),
        "language": "sv",
        "reminder_hours": "24",
        "report_fields": ["org_number", "gender"],
    }
    confirm = await client.post(url, data=data)
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.text
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirm.text)
    assert ("report_fields", "org_number") in hidden and ("report_fields", "gender") in hidden
    again: dict[str, list[str]] = {}
    for name, value in hidden:
        again.setdefault(name, []).append(value)
    again["_csrf_token"] = [csrf(confirm.text)]
    r = await client.post(url, data={**again, "confirm": "yes"})
    assert r.status_code == 303, r.text
    got = (await client.get(f"/api/v1/events/{event['id']}")).json()
    assert got["report_fields"] == ["org_number", "gender"]
