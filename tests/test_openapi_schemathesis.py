"""Property-based API test against the app's own OpenAPI document (schemathesis).

A real `traffpunkt serve` (the `live` fixture: SQLite and PostgreSQL) with the demo data answers
generated requests for every operation in `/api/docs/openapi.json`, once with an admin's API
token (so authorised code paths run, not only 401s) and once without one. Any 5xx fails, and so
does any answer that does not conform to the document: an undocumented status code, another
content type, a body outside the documented schema, a missing documented header.

New endpoints are covered automatically: the test walks every operation the document lists.
Generated values are mixed with real ones from the demo data (event ids, municipality slugs,
topics, feed names), so requests also get past the lookups instead of ending in 404/422.
The run is bounded and derandomized (fixed seed, no example database) so CI sees the same cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import (  # built-in checks, resolved by name from the registry
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Per operation, for the fuzzing phase (the coverage phase adds its edge cases on top). Without a
# token the organiser operations stop at the 401, so fewer examples see everything there is.
MAX_EXAMPLES = {"admin": 30, "anonymous": 10}
SEED = 20270304

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


# Valid times: every start is before every end; the autumn overlap and an offset included.
STARTS = ["2030-03-04T08:00", "2030-10-27T02:30", "2030-06-01 10:00:00+02:00"]
ENDS = ["2030-11-01T09:30", "2031-01-01T00:00:00Z"]


def _known_values(base_url: str, token: str) -> dict[str, list[str]]:
    """Ids and names that exist: the demo data, and drafts (seen by organisers only)."""
    drafts = []
    for n in range(3):
        r = httpx.post(
            f"{base_url}/api/v1/events",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "title": f"Utkast {n}",
                "kind": "network",
                "municipality": "asele",
                "starts_at": STARTS[0],
                "ends_at": ENDS[0],
            },
        )
        assert r.status_code == 201, r.text
        drafts.append(r.json()["id"])
    events = httpx.get(f"{base_url}/api/v1/events", params={"limit": 200}).json()["items"]
    municipalities = [
        m["slug"] for m in httpx.get(f"{base_url}/api/v1/municipalities").json()["items"]
    ]
    topics = [t["slug"] for t in httpx.get(f"{base_url}/api/v1/topics").json()["items"]]
    assert events and municipalities and topics
    return {
        "drafts": drafts,
        "event-ids": [*drafts, *(e["id"] for e in events)],
        "venue-ids": sorted({e["venue"]["id"] for e in events if e["venue"]}),
        "municipalities": municipalities,
        "topics": topics,
        "feeds": ["all.ics", *(f"{m}.ics" for m in municipalities)],
        "starts": STARTS,
        "ends": ENDS,
    }


def _config(
    base_url: str, token: str | None, max_examples: int, known: dict[str, list[str]]
) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            # A server in another process is slower than Hypothesis expects of a pure function.
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "generation": {
                "mode": "all",  # valid and invalid input: bad input must be a 4xx, never a 5xx
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}},
            "dictionaries": {name: {"values": values} for name, values in known.items()},
            # Where a parameter of that name appears, often use a real value instead.
            "parameters": {
                "path.event_id": {"dictionary": "event-ids", "probability": 0.5},
                "path.feed_name": {"dictionary": "feeds", "probability": 0.5},
                "query.municipality": {"dictionary": "municipalities", "probability": 0.5},
                "query.topic": {"dictionary": "topics", "probability": 0.5},
                "body.municipality": {"dictionary": "municipalities", "probability": 0.7},
                "body.venue_id": {"dictionary": "venue-ids", "probability": 0.3},
                "body.topics[*]": {"dictionary": "topics", "probability": 0.8},
                "body.starts_at": {"dictionary": "starts", "probability": 0.7},
                "body.ends_at": {"dictionary": "ends", "probability": 0.7},
                "query.from": {"dictionary": "starts", "probability": 0.5},
                "query.to": {"dictionary": "ends", "probability": 0.5},
            },
            # Cancelling is for good: spend it on the drafts, keep the demo events for the rest.
            "operations": [
                {
                    "include-path-regex": "/cancel$",
                    "parameters": {"path.event_id": {"dictionary": "drafts", "probability": 0.5}},
                }
            ],
        }
    )


@pytest.fixture(params=["admin", "anonymous"])
def api_schema(request: pytest.FixtureRequest, live: Any) -> Any:
    # schemathesis 4.32's lazy loader renames the running node through `Node._nodeid`, which
    # pytest 9.2 replaced by `_id`; give it the attribute it reads (display only).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    live.cli("demo")
    token = live.cli(
        "token", "create", "--email", "schemathesis@example.se", "--role", "admin"
    ).split()[-1]
    known = _known_values(live.url, token)
    sent_token = token if request.param == "admin" else None
    config = _config(live.url, sent_token, MAX_EXAMPLES[request.param], known)
    return schemathesis.openapi.from_url(f"{live.url}/api/docs/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, timeout=30)


def test_the_document_says_what_msgspec_does(live: Any) -> None:
    """The document declares `additionalProperties: false` where the API answers 422 to an
    unknown field, and arrays where msgspec sends arrays, so generated clients and
    validators agree with the server."""
    document = httpx.get(f"{live.url}/api/docs/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("EventIn", "RegistrationIn", "ScanIn", "BatchIn", "DecisionIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["EventOut"]  # answers may grow
    # Check-in data's attendees are compact arrays, and the document says so.
    attendee = schemas["OfflineAttendee"]
    assert attendee["type"] == "array" and len(attendee["prefixItems"]) == 5
    assert attendee["prefixItems"][3] == {"type": "boolean"}
    r = httpx.post(
        f"{live.url}/api/v1/events/00000000-0000-0000-0000-000000000000/registrations",
        json={"name": "A", "email": "a@example.se", "surprise": 1},
    )
    assert r.status_code == 422 and "surprise" in r.text


def test_times_and_enums_are_what_is_sent(live: Any) -> None:
    """Times are declared as date-times (they are sent as ISO 8601 with the event's offset),
    and statuses and kinds list exactly the enums' values (events.statuses,
    notifications.statuses), whether inline or as a component."""
    document = httpx.get(f"{live.url}/api/docs/openapi.json").json()
    schemas = document["components"]["schemas"]

    def resolved(schema: dict[str, Any]) -> dict[str, Any]:
        options = schema.get("oneOf") or schema.get("anyOf") or [schema]
        for option in options:
            if "$ref" in option:
                return schemas[option["$ref"].rsplit("/", 1)[-1]]
            if option.get("type") != "null":
                return option
        return schema

    event_out = schemas["EventOut"]["properties"]
    for name in ("starts_at", "ends_at", "updated_at"):
        assert resolved(event_out[name]).get("format") == "date-time", name
    assert set(resolved(event_out["kind"])["enum"]) == {"seminar", "network", "course", "webinar"}
    assert set(resolved(event_out["status"])["enum"]) == {"draft", "published", "cancelled"}
    kind_in = resolved(schemas["EventIn"]["properties"]["kind"])
    assert set(kind_in["enum"]) == {"seminar", "network", "course", "webinar"}
    mail_status = resolved(schemas["MessageOut"]["properties"]["status"])
    assert set(mail_status["enum"]) == {"pending", "sending", "sent", "failed", "cancelled"}
    live.cli("demo")
    event = httpx.get(f"{live.url}/api/v1/events", params={"limit": 1}).json()["items"][0]
    assert datetime.fromisoformat(event["starts_at"]).utcoffset() is not None
