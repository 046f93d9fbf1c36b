"""No 500 on any input: each case of issue 10, as a client sent it, on both engines.

Dates outside 1900-01-01..2999-12-31 (where moving a time between zones left Python's calendar),
JSON bodies that cannot be read (invalid UTF-8, nesting deeper than the parser's limit), bodies
that are not JSON on the API, OPTIONS answers, and the OpenAPI document's promises about batch
scans and invitation addresses. `test_fuzz_hostile_input.py` generates such shapes for every
operation; these are the cases it has to keep finding fixed.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import World

EVENT = {
    "title": "Frukostmöte",
    "kind": "network",
    "municipality": "asele",
    "starts_at": "2027-03-04T08:00",
    "ends_at": "2027-03-04T10:00",
}


@pytest.fixture
async def event_id(client: httpx.AsyncClient, world: World) -> str:
    h = World.auth(world.asele)
    r = await client.post("/api/v1/events", json=EVENT, headers=h)
    assert r.status_code == 201, r.text
    event_id: str = r.json()["id"]
    assert (await client.post(f"/api/v1/events/{event_id}/publish", headers=h)).status_code == 200
    return event_id


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def fields(r: httpx.Response) -> list[str]:
    return [e["field"] for e in problem(r, 422).get("errors", [])]


# --- dates at the calendar's edges -----------------------------------------------------------

EDGE_QUERIES = [
    ("/api/v1/events", "from", "0001-01-01"),
    ("/api/v1/events", "to", "0001-01-01"),
    ("/api/v1/events", "from", "9999-12-31T23:59-05:00"),
    ("/api/v1/needs-map", "to", "0001-01-01"),
    ("/api/v1/needs-map.csv", "to", "0001-01-01"),
    ("/api/v1/needs-map", "from", "9999-12-31"),
    ("/api/v1/needs-map", "to", "1899-12-31"),
]


@pytest.mark.parametrize(("path", "name", "value"), EDGE_QUERIES)
async def test_query_dates_outside_the_range_are_422_naming_the_parameter(
    client: httpx.AsyncClient, world: World, path: str, name: str, value: str
) -> None:
    r = await client.get(path, params={name: value}, headers={"Accept-Language": "en"})
    assert fields(r) == [name]
    assert r.json()["errors"][0]["message"] == "Give a date from 1900-01-01 to 2999-12-31"


async def test_the_needs_map_page_refuses_them_too(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get("/needs-map/asele?to=0001-01-01", headers={"Accept": "text/html"})
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]
    assert "1900-01-01" in r.text


async def test_the_range_itself_is_accepted(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get("/api/v1/events", params={"from": "1900-01-01", "to": "2999-12-31"})
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/needs-map", params={"to": "1900-01-02"})
    assert r.status_code == 200, r.text  # the default start (two years earlier) is clamped
    r = await client.get("/api/v1/needs-map", params={"from": "2999-12-30", "to": "2999-12-31"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "wrong"),
    [
        ("0001-01-01T00:30", "2027-03-04T10:00", ["starts_at"]),
        ("9999-12-31T23:30Z", "9999-12-31T23:45Z", ["starts_at", "ends_at"]),
        ("2027-03-04T08:00", "3000-01-01T00:00", ["ends_at"]),
    ],
)
async def test_event_times_outside_the_range_are_422(
    client: httpx.AsyncClient, world: World, starts_at: str, ends_at: str, wrong: list[str]
) -> None:
    body = {**EVENT, "starts_at": starts_at, "ends_at": ends_at}
    r = await client.post("/api/v1/events", json=body, headers=World.auth(world.asele))
    assert fields(r) == wrong
    if len(wrong) == 1:  # one wrong field keeps its message translatable: Swedish by default
        message = r.json()["errors"][0]["message"]
        assert message == "Ange ett datum från 1900-01-01 till 2999-12-31"


async def test_patching_an_event_to_the_edge_is_422(
    client: httpx.AsyncClient, world: World, event_id: str
) -> None:
    r = await client.patch(
        f"/api/v1/events/{event_id}",
        json={"starts_at": "0001-01-01T00:00"},
        headers=World.auth(world.asele),
    )
    assert fields(r) == ["starts_at"]


@pytest.mark.parametrize("scanned_at", ["0001-01-01T00:00", "9999-12-31T23:59-05:00"])
async def test_scan_times_outside_the_range_are_422(
    client: httpx.AsyncClient, world: World, event_id: str, scanned_at: str
) -> None:
    h = World.auth(world.asele)
    scan = {"secret": "TP1NOTATICKET", "scan_id": "s1", "scanned_at": scanned_at}
    r = await client.post(f"/api/v1/events/{event_id}/checkins", json=scan, headers=h)
    assert fields(r) == ["scanned_at"]
    r = await client.post(
        f"/api/v1/events/{event_id}/checkins/batch", json={"scans": [scan]}, headers=h
    )
    assert r.status_code == 422 and "scanned_at" in fields(r)[0]


async def test_a_hand_made_cursor_at_the_edge_is_422(
    client: httpx.AsyncClient, world: World
) -> None:
    import base64

    raw = b'["0001-01-01T00:00:00Z","00000000-0000-0000-0000-000000000000"]'
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert fields(await client.get("/api/v1/events", params={"cursor": cursor})) == ["cursor"]


@pytest.mark.parametrize("name", ["from", "to"])
async def test_the_needs_map_names_the_bound_that_is_wrong(
    client: httpx.AsyncClient, world: World, name: str
) -> None:
    assert fields(await client.get("/api/v1/needs-map", params={name: "2027-02-30"})) == [name]


# --- bodies that cannot be read --------------------------------------------------------------

UNREADABLE = {
    "invalid UTF-8": b'{"name":"\xff","email":"x@example.se"}',
    "100,000 [": b"[" * 100_000,
    "5,000 objects in name": b'{"name":'
    + b'{"a":' * 5_000
    + b"1"
    + b"}" * 5_000
    + b',"email":"x@example.se"}',
    "not JSON": b'{"name": "Anna",',
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
async def test_unreadable_json_bodies_are_400(
    client: httpx.AsyncClient, world: World, event_id: str, body: bytes
) -> None:
    r = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        content=body,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert re.match(r"The body", problem(r, 400)["detail"])
    r = await client.get(
        f"/api/v1/events/{event_id}/registrations", headers=World.auth(world.asele)
    )
    assert r.json()["items"] == []  # nothing half-stored


async def test_deep_but_readable_nesting_is_a_422_naming_the_field(
    client: httpx.AsyncClient, world: World, event_id: str
) -> None:
    body = b'{"name":' + b"[" * 200 + b"]" * 200 + b',"email":"x@example.se"}'
    r = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert fields(r) == ["name"]


# --- the API takes JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {},  # no content type at all
    ],
    ids=["text", "form", "multipart", "none"],
)
async def test_api_bodies_that_are_not_json_are_415(
    client: httpx.AsyncClient, world: World, event_id: str, headers: dict[str, str]
) -> None:
    body = b'{"name":"Anna","email":"anna@example.se"}'
    url = f"/api/v1/events/{event_id}/registrations"
    # httpx adds no Content-Type for raw content, so {} sends none.
    r = await client.post(url, content=body, headers=headers)
    problem(r, 415)
    r = await client.get(url, headers=World.auth(world.asele))
    assert r.json()["items"] == []


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
async def test_json_in_its_spellings_is_taken(
    client: httpx.AsyncClient, world: World, event_id: str, content_type: str
) -> None:
    r = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        content=b'{"name":"Anna","email":"anna@example.se"}',
        headers={"Content-Type": content_type},
    )
    assert r.status_code in (200, 201), r.text


async def test_body_less_api_posts_and_page_forms_are_unaffected(
    client: httpx.AsyncClient, world: World
) -> None:
    h = World.auth(world.asele)
    r = await client.post("/api/v1/events", json=EVENT, headers=h)
    # A POST without a body (publish) needs no content type.
    assert (await client.post(f"/api/v1/events/{r.json()['id']}/publish", headers=h)).is_success
    # A page's form still posts form-encoded data (it is refused for its CSRF token, not 415).
    r = await client.post("/organiser/sign-in", data={"email": "anna@asele.se"})
    assert r.status_code == 403


# --- OPTIONS ----------------------------------------------------------------------------------


async def test_options_lists_every_method_of_every_path(
    client: httpx.AsyncClient, world: World
) -> None:
    spec = (await client.get("/api/docs/openapi.json")).json()
    checked = 0
    for path, item in spec["paths"].items():
        methods = {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
        url = re.sub(r"\{[^}]+\}", "x", path)
        r = await client.options(url)
        assert r.status_code == 204, (path, r.status_code)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert allowed == methods | {"OPTIONS"}, path
        checked += len(methods) > 1
    assert checked >= 5  # paths with more than one method, where OPTIONS used to be wrong


async def test_options_on_an_event_and_a_registration(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.options("/api/v1/events/some-id")
    assert r.headers["allow"] == "GET, OPTIONS, PATCH"
    r = await client.options("/api/v1/registrations/some-token")
    assert r.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"


# --- the document's promises -------------------------------------------------------------------


async def document(client: httpx.AsyncClient, app: Any) -> dict[str, Any]:
    """The OpenAPI document as served after start-up (ASGITransport sends no lifespan events)."""
    from traffpunkt.app import amend_openapi

    amend_openapi(app)
    document: dict[str, Any] = (await client.get("/api/docs/openapi.json")).json()
    return document


async def test_batch_scans_require_a_string_scan_id(
    client: httpx.AsyncClient, app: Any, world: World, event_id: str
) -> None:
    schemas = (await document(client, app))["components"]["schemas"]
    item = schemas["BatchIn"]["properties"]["scans"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert "scan_id" in schemas[item]["required"]
    assert schemas[item]["properties"]["scan_id"]["type"] == "string"  # not nullable
    r = await client.post(
        f"/api/v1/events/{event_id}/checkins/batch",
        json={"scans": [{"secret": "x", "scan_id": None}]},
        headers=World.auth(world.asele),
    )
    assert fields(r) == ["scans[0].scan_id"]
    # A single scan may still leave it out (the server makes one up).
    r = await client.post(
        f"/api/v1/events/{event_id}/checkins", json={"secret": "x"}, headers=World.auth(world.asele)
    )
    assert r.status_code == 200 and r.json()["result"] == "not_found"


async def test_invitation_addresses_are_format_email(client: httpx.AsyncClient, app: Any) -> None:
    schemas = (await document(client, app))["components"]["schemas"]
    assert schemas["InvitationsIn"]["properties"]["emails"]["items"]["format"] == "email"


async def test_body_operations_document_the_415(client: httpx.AsyncClient, app: Any) -> None:
    with_body = [
        operation
        for item in (await document(client, app))["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert len(with_body) > 5
    assert all("415" in operation["responses"] for operation in with_body)
