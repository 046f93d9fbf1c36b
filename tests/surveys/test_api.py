"""The survey API (Bearer organisers) and the answer page over HTTP, on both engines."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from typing import Any

import httpx
import openpyxl

from notifications.tables import OutboxMessage
from surveys.tables import SurveyAnswer
from tests.conftest import World
from tests.organiser.conftest import csrf, sign_in
from tests.surveys.conftest import ORG
from traffpunkt.clock import utc_now


def _round_body(**kw: Any) -> dict[str, Any]:
    today = utc_now().date()
    return {
        "title": "Kompetensbehov hösten 2026",
        "municipalities": ["asele"],
        "opens_at": (today - timedelta(days=1)).isoformat(),
        "closes_at": (today + timedelta(days=30)).isoformat(),
        **kw,
    }


async def test_rounds_api_rights_and_figures(client: httpx.AsyncClient, world: World) -> None:
    r = await client.post("/api/v1/surveys", json=_round_body())
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    # Anna organises Åsele only: not Arvidsjaur.
    r = await client.post(
        "/api/v1/surveys",
        json=_round_body(municipalities=["asele", "arvidsjaur"]),
        headers=world.auth(world.asele),
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/surveys",
        json=_round_body(closes_at="2020-01-01"),
        headers=world.auth(world.asele),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "closes_at"
    r = await client.post("/api/v1/surveys", json=_round_body(), headers=world.auth(world.asele))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["state"] == "open" and created["url"].endswith(f"/survey/{created['slug']}")
    # Olle (Arvidsjaur) neither sees nor lists it.
    listed = (await client.get("/api/v1/surveys", headers=world.auth(world.arvidsjaur))).json()
    assert listed == {"items": [], "next": None}
    r = await client.get(f"/api/v1/surveys/{created['id']}", headers=world.auth(world.arvidsjaur))
    assert r.status_code == 403
    listed = (await client.get("/api/v1/surveys", headers=world.auth(world.asele))).json()
    assert [i["id"] for i in listed["items"]] == [created["id"]]
    r = await client.patch(
        f"/api/v1/surveys/{created['id']}",
        json={"title": "Kompetensbehov 2026"},
        headers=world.auth(world.asele),
    )
    assert r.status_code == 200 and r.json()["title"] == "Kompetensbehov 2026"
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/invitations",
        json={"emails": ["Karin Nilsson <karin@foretag.se>", "bo@foretag.se"]},
        headers=world.auth(world.asele),
    )
    assert r.status_code == 202 and r.json()["invited"] == 2
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/invitations",
        json={"emails": ["karin@"]},
        headers=world.auth(world.asele),
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/reminders", headers=world.auth(world.asele)
    )
    assert r.status_code == 202 and r.json() == {"reminded": 2}
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/reminders", headers=world.auth(world.asele)
    )
    assert r.json() == {"reminded": 0}
    figures = (
        await client.get(f"/api/v1/surveys/{created['id']}", headers=world.auth(world.asele))
    ).json()["figures"]
    assert figures["invites"] == 2 and figures["reminded"] == 2 and figures["answers"] == 0
    assert figures["per_municipality"] == [{"municipality": "asele", "name": "Åsele", "answers": 0}]
    r = await client.get(f"/api/v1/surveys/{created['id']}", headers=world.auth(world.asele))
    assert r.status_code == 200
    r = await client.get("/api/v1/surveys/not-an-id", headers=world.auth(world.asele))
    assert r.status_code == 404


def _form(html: str, **values: str) -> dict[str, str]:
    return {"_csrf_token": csrf(html), **values}


ANSWER = {
    "company_name": "Åsele Bygg AB",
    "org_number": ORG[2],
    "municipality": "asele",
    "sector": "F",
    "size_band": "5-9",
    "contact_name": "Lars Berg",
    "email": "lars@aselebygg.se",
    "need-recruitment": "3",
    "need-e-commerce": "",
    "offers": "sustainability",
    "free_text": "Lärlingar",
    "contact_consent": "yes",
}


async def test_answer_page_keeps_what_was_typed_and_shows_each_error(
    client: httpx.AsyncClient, world: World
) -> None:
    created = (
        await client.post("/api/v1/surveys", json=_round_body(), headers=world.auth(world.asele))
    ).json()
    page = await client.get(f"/survey/{created['slug']}")
    assert page.status_code == 200 and "Kompetensbehov" in page.text
    assert "X-Robots-Tag" not in page.headers  # the open link may be listed by search engines
    # Both consents unticked by default.
    assert not re.search(r'name="(contact|networking)_consent"[^>]*checked', page.text)
    bad = {**ANSWER, "org_number": "556036-0794", "email": "lars@", "sector": ""}
    r = await client.post(f"/survey/{created['slug']}", data=_form(page.text, **bad))
    assert r.status_code == 422
    assert 'id="org_number-error"' in r.text and 'id="email-error"' in r.text
    assert 'id="sector-error"' in r.text and "Organisationsnumret stämmer inte" in r.text
    assert 'value="Åsele Bygg AB"' in r.text and "Lärlingar" in r.text
    assert re.search(r'<option value="3" selected>', r.text)  # the urgency chosen
    assert await SurveyAnswer.count() == 0
    r = await client.post(f"/survey/{created['slug']}", data=_form(page.text, **ANSWER))
    assert r.status_code == 303, r.text
    link = r.headers["location"]
    assert link.startswith("/survey/a/") and link.endswith("done=saved-mailed")
    own = await client.get(link)
    assert own.status_code == 200 and own.headers["X-Robots-Tag"] == "noindex, nofollow"
    (receipt,) = await OutboxMessage.select().where(OutboxMessage.kind == "survey_receipt")
    assert json.loads(receipt["secrets"])["answer_url"].endswith(link.split("?")[0])
    # The same company through the open link again: saved, the link mailed, not shown.
    again = await client.post(
        f"/survey/{created['slug']}", data=_form(page.text, **{**ANSWER, "email": "eva@x.se"})
    )
    assert again.status_code == 200 and "ersätter det tidigare" in again.text
    assert "/survey/a/" not in again.text
    (newest,) = await OutboxMessage.select().where(OutboxMessage.recipient == "eva@x.se")
    link = json.loads(newest["secrets"])["answer_url"].removeprefix("http://testserver")
    link += "?done=saved-mailed"
    mine = await client.get(link)
    assert "Tack! Ert svar är sparat." in mine.text and 'value="Lars Berg"' in mine.text
    # Change it through the link, then erase it.
    r = await client.post(
        link.split("?")[0], data=_form(mine.text, **{**ANSWER, "need-recruitment": "1"})
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=saved")
    erase = await client.get(link.split("?")[0] + "/erase")
    assert "Radera ert svar?" in erase.text
    r = await client.post(link.split("?")[0] + "/erase", data=_form(erase.text))
    assert r.status_code == 200 and "Ert svar är raderat" in r.text
    assert await SurveyAnswer.count() == 0
    assert (await client.get(link.split("?")[0])).status_code == 404
    assert (await client.get("/survey/no-such-survey")).status_code == 404


async def test_organiser_pages_and_export(app: Any, world: World) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anna:
        await sign_in(anna, "anna@asele.se")
        new = await anna.get("/organiser/surveys/new")
        assert new.status_code == 200
        body = _round_body()
        r = await anna.post(
            "/organiser/surveys",
            data={**_form(new.text), "title": "", "opens": body["opens_at"], "closes": "x",
                  "municipalities": "asele"},
        )  # fmt: skip
        assert (
            r.status_code == 422 and 'id="title-error"' in r.text and 'id="closes-error"' in r.text
        )
        r = await anna.post(
            "/organiser/surveys",
            data={**_form(new.text), "title": body["title"], "opens": body["opens_at"],
                  "closes": body["closes_at"], "municipalities": "asele"},
        )  # fmt: skip
        assert r.status_code == 303
        round_url = r.headers["location"].split("?")[0]
        page = await anna.get(round_url)
        assert page.status_code == 200 and "Svar hittills" in page.text
        r = await anna.post(
            f"{round_url}/invitations",
            data=_form(page.text, emails="lars@aselebygg.se\nanna@"),
            files={"file": ("adresser.csv", b"namn;e-post\nEva;eva@foretag.se\n", "text/csv")},
        )
        assert r.status_code == 200 and "2 inbjudningar" in r.text and "anna@" in r.text
        slug = round_url.rsplit("/", 1)[1]
        open_url = re.search(r'id="open-url"[^>]*value="[^"]*(/survey/[^"]+)"', page.text)
        assert open_url
        form = await anna.get(open_url.group(1))
        await anna.post(open_url.group(1), data=_form(form.text, **ANSWER))
        xlsx = await anna.get(f"{round_url}/answers.xlsx")
        assert xlsx.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "Företag" and rows[1][0] == "Åsele Bygg AB"
        assert rows[1][9] == "Rekrytering och kompetensförsörjning (3)"
        csv = await anna.get(f"{round_url}/answers.csv")
        assert "Åsele Bygg AB" in csv.content.decode("utf-8-sig")
        r = await anna.post(f"{round_url}/reminders", data=_form(page.text))
        assert r.status_code == 303 and "n=2" in r.headers["location"]
        assert slug


async def test_answers_through_the_api(client: httpx.AsyncClient, world: World) -> None:
    created = (
        await client.post("/api/v1/surveys", json=_round_body(), headers=world.auth(world.asele))
    ).json()
    body = {
        "company": "Åsele Bygg AB",
        "organisation_number": ORG[4],
        "municipality": "asele",
        "email": "lars@aselebygg.se",
        "needs": [{"topic": "recruitment", "urgency": 3}],
        "contact_consent": True,
    }
    r = await client.post(f"/api/v1/surveys/{created['id']}/answers", json=body)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["manage_url"].startswith("http://testserver/survey/a/")
    # The same company again: the newest kept, the link mailed and not shown.
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/answers", json={**body, "needs": [{"topic": "export"}]}
    )
    assert r.status_code == 200 and r.json()["id"] == first["id"]
    assert "manage_url" not in r.json()
    receipts = await OutboxMessage.select().where(OutboxMessage.kind == "survey_receipt")
    assert len(receipts) == 2
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/answers",
        json={**body, "organisation_number": "556036-0794", "needs": [{"topic": "astrology"}]},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"organisation_number", "needs"}
    r = await client.post(f"/api/v1/surveys/{created['slug']}x/answers", json=body)
    assert r.status_code == 404


async def test_organiser_pages_of_a_round_are_its_municipalities_organisers(
    app: Any, client: httpx.AsyncClient, world: World
) -> None:
    created = (
        await client.post("/api/v1/surveys", json=_round_body(), headers=world.auth(world.asele))
    ).json()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as olle:
        await sign_in(olle, "olle@arvidsjaur.se")
        base = f"/organiser/surveys/{created['id']}"
        html = {"accept": "text/html"}
        for path in (base, f"{base}/edit", f"{base}/answers.xlsx", f"{base}/answers.csv"):
            r = await olle.get(path, headers=html)
            assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), path
        listing = await olle.get("/organiser/surveys")
        assert listing.status_code == 200 and created["title"] not in listing.text
        form = await olle.get("/organiser/surveys/new")
        r = await olle.post(f"{base}/reminders", data=_form(form.text))
        assert r.status_code == 403
        r = await olle.post(f"{base}/invitations", data=_form(form.text, emails="a@b.se"))
        assert r.status_code == 403
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as nobody:
        r = await nobody.get(base, headers=html)
        assert r.status_code == 303 and "/organiser/sign-in" in r.headers["location"]


async def test_a_closed_round_says_so_and_still_erases(
    client: httpx.AsyncClient, world: World
) -> None:
    created = (
        await client.post("/api/v1/surveys", json=_round_body(), headers=world.auth(world.asele))
    ).json()
    english = await client.get(f"/survey/{created['slug']}?lang=en")
    assert "What does your company need?" in english.text and 'lang="en"' in english.text
    page = await client.get(f"/survey/{created['slug']}?lang=sv")
    r = await client.post(f"/survey/{created['slug']}", data=_form(page.text, **ANSWER))
    link = r.headers["location"].split("?")[0]
    today = utc_now().date()
    r = await client.patch(
        f"/api/v1/surveys/{created['id']}",
        json={
            "opens_at": (today - timedelta(days=10)).isoformat(),
            "closes_at": (today - timedelta(days=1)).isoformat(),
        },
        headers=world.auth(world.asele),
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"
    closed = await client.get(link)
    assert closed.status_code == 200 and "Enkäten är stängd." in closed.text
    assert 'action="/survey/a/' not in closed.text  # no form to change it
    assert f'href="{link}/erase"' in closed.text  # erasing stays possible
    r = await client.post(link, data=_form(page.text, **ANSWER))
    assert r.status_code == 409 and "Enkäten är stängd." in r.text
    erase = await client.get(f"{link}/erase")
    r = await client.post(f"{link}/erase", data=_form(erase.text))
    assert r.status_code == 200 and await SurveyAnswer.count() == 0
    r = await client.post(
        f"/api/v1/surveys/{created['id']}/invitations",
        json={"emails": ["late@foretag.se"]},
        headers=world.auth(world.asele),
    )
    assert r.status_code == 409
