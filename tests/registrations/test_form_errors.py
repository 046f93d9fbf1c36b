"""The sign-up form and the manage page's profile form name every wrong field at once, in words a
person understands and in the page's language, with a summary that links to each field."""

from __future__ import annotations

import re
from typing import Any

import httpx

from registrations.tables import Registration
from tests.conftest import World
from tests.registrations.conftest import sign_up, token_of
from tests.registrations.test_attendee_pages import post_form


def summary(html: str) -> list[str]:
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert match, "the page has an error summary"
    assert 'tabindex="-1"' in match.group(0) and "autofocus" in match.group(0)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", match.group(0), re.S)
    ]


async def test_empty_name_and_bad_address_are_both_reported_in_swedish(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    url = f"/events/{event['slug']}/register"
    r = await post_form(client, url, url, {"name": "", "email": "anna.example.se"})
    assert r.status_code == 422
    assert summary(r.text) == [
        "Namn: Skriv ditt namn",
        "E-post: Adressen behöver ett @, som i namn@exempel.se",
    ]
    assert re.findall(r'<a href="#(\w+)">', r.text.split('class="error-summary"')[1])[:2] == [
        "name",
        "email",
    ]
    assert r.text.count('aria-invalid="true"') == 2
    assert "Kontrollera det här fältet" not in r.text
    assert await Registration.select() == []


async def test_in_english_with_lang_en(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    url = f"/events/{event['slug']}/register?lang=en"
    r = await post_form(client, url, url, {"name": " ", "email": "anna@example..se"})
    assert r.status_code == 422
    assert summary(r.text) == [
        "Name: Write your name",
        "Email: The address has two dots in a row",
    ]


async def test_every_other_wrong_field_too(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    url = f"/events/{event['slug']}/register"
    r = await post_form(
        client, url, url, {"name": "", "email": "", "organisation": "x" * 201, "language": "fi"}
    )
    assert r.status_code == 422
    assert summary(r.text) == [
        "Namn: Skriv ditt namn",
        "E-post: Skriv din e-postadress",
        "Företag eller organisation: Högst 200 tecken",
        "Språk i dina mejl: Inte ett av de tillåtna värdena",
    ]


async def test_the_profile_form_says_what_is_wrong(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    token = token_of(await sign_up(client, event["id"], "saga@example.se"))
    r = await post_form(
        client, f"/r/{token}", f"/r/{token}/profile", {"organisation": "x" * 201, "language": "sv"}
    )
    assert r.status_code == 422
    assert summary(r.text) == ["Företag eller organisation: Högst 200 tecken"]
    assert 'aria-invalid="true"' in r.text and 'value="' + "x" * 201 + '"' in r.text
    (reg,) = await Registration.select()
    assert reg["organisation"] == ""
