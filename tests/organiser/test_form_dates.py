"""The organiser's event form refuses days outside 1900-01-01..2999-12-31 like the API does
(one check in traffpunkt.localtime), re-showing the form instead of a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.organiser.test_organiser_web import EVENT_FORM, post


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        ("0001-01-01T00:30", "2027-04-20T12:00", "starts_at"),
        ("2027-04-20T09:00", "9999-12-31T23:59", "ends_at"),
    ],
)
async def test_the_event_form_names_the_range(
    anna: httpx.AsyncClient, starts_at: str, ends_at: str, field: str
) -> None:
    form = {**EVENT_FORM, "starts_at": starts_at, "ends_at": ends_at}
    r = await post(anna, "/organiser/events/new", "/organiser/events/new", form)
    assert r.status_code == 422 and "text/html" in r.headers["content-type"], r.text[:300]
    assert "Ange ett datum från 1900-01-01 till 2999-12-31" in r.text
    assert f'name="{field}"' in r.text  # the form is shown again, filled in
