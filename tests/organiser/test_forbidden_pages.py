"""An HTML 403 says why, in the reader's language: not an organiser for this municipality,
needs an administrator, or the form had expired (the CSRF check)."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.organiser.conftest import csrf
from tests.organiser.test_organiser_web import create_event

HTML = {"accept": "text/html"}
REASONS = {
    "municipality": {
        "en": "You are not an organiser for this municipality",
        "sv": "Du är inte arrangör för den här kommunen",
    },
    "admin": {"en": "This needs an administrator", "sv": "Det här kräver en administratör"},
    "csrf": {
        "en": "The form had expired. Go back, reload the page and try again.",
        "sv": "Sidan hade varit öppen för länge. Gå tillbaka, ladda om sidan och försök igen.",
    },
}


def _says(r: httpx.Response, reason: str, lang: str) -> None:
    assert r.status_code == 403, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    text = html.unescape(r.text)
    assert REASONS[reason][lang] in text, text
    others = [words[lang] for key, words in REASONS.items() if key != reason]
    assert not any(other in text for other in others), "one reason, the right one"


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_a_403_page_says_why(
    anna: httpx.AsyncClient, olle: httpx.AsyncClient, lang: str
) -> None:
    event_id = await create_event(anna)
    q = {"lang": lang}
    # Olle organises Arvidsjaur, not Åsele.
    _says(
        await olle.get(f"/organiser/events/{event_id}", params=q, headers=HTML),
        "municipality",
        lang,
    )
    # Anna is no administrator (a guard refuses, with its reason).
    _says(await anna.get("/organiser/back-office", params=q, headers=HTML), "admin", lang)
    # A form posted without its CSRF token.
    page = await anna.get("/organiser/admin", params=q)
    assert csrf(page.text)
    r = await anna.post(
        "/organiser/tokens", params=q, data={"label": "x", "_csrf_token": "stale"}, headers=HTML
    )
    _says(r, "csrf", lang)
