"""Fuzz test with the shapes hostile and careless clients send (Hypothesis, a real server).

`test_openapi_schemathesis.py` checks that the API does what its document says for requests
generated from the document. Its generator rarely makes what broke the service in issue 10, so
this test draws those shapes on purpose, for every operation of `/api/docs/openapi.json` and the
public pages, against a real `traffpunkt serve` on each engine:

- dates at and beyond the calendar's edges (years 1 and 9999, with offsets up to ±14 h, the
  edges of the accepted range, impossible days) in every date-like parameter and field;
- invalid UTF-8 inside a JSON string, nesting far deeper than the parser's limit (100,000 `[`,
  thousands of objects inside a field), bytes that are not JSON at all;
- bodies labelled as something other than JSON, or not labelled at all;
- odd text (NUL, surrogates escaped in JSON, long strings) in parameters and fields.

Everything else is drawn valid from the document (enums, known ids, slugs, topics), so the odd
part reaches the code behind validation. No answer may be a 5xx; every API error is a problem
document; a body that is not readable JSON is never accepted. Generation is derandomized and
bounded (about 15 s per engine), and shrinking is off: each example is a real request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

EXAMPLES_PER_OPERATION = 10
# Where dates go in, more: the edge-dates shape needs the right combination of its values
# (e.g. the needs map's `to` in year 1 with no `from`) to reach the overflow.
EXAMPLES_PER_DATED_OPERATION = 30

# --- the shapes ------------------------------------------------------------------------------

# Python's datetime ends at 0001-01-01 00:00 and 9999-12-31 23:59:59.999999. A wall time near
# either end overflows when it is moved between zones: early on the first day without an offset
# or with a positive one, late on the last day with a negative one (or when shown in local
# time). Those moments, the accepted range's own edges, impossible days, and anything between.
FIRST_TIMES = [time(0, 0), time(0, 30), time(0, 59, 59)]
LAST_TIMES = [time(23, 0), time(23, 30), time(23, 59, 59, 999999)]
EDGE_DAYS = [date(1899, 12, 31), date(1900, 1, 1), date(2999, 12, 31), date(3000, 1, 1)]
OFFSETS = ["", "", "Z", "+00:00", "+01:00", "-05:00", "+14:00", "-12:00", "+0530"]
IMPOSSIBLE_DAYS = ["2027-02-30", "2027-13-01", "0000-01-01", "2027-00-10", "99999-01-01"]


def _moment(day: date, at: time, offset: str, sep: str, spec: str) -> str:
    return f"{day.isoformat()}{sep}{at.isoformat(spec)}{offset}"


_seps, _specs = st.sampled_from(["T", " "]), st.sampled_from(["minutes", "seconds", "auto"])
first_moments = st.builds(
    _moment,
    st.just(date(1, 1, 1)),
    st.sampled_from(FIRST_TIMES),
    st.sampled_from(["", "", "+01:00", "+14:00", "Z"]),
    _seps,
    _specs,
)
last_moments = st.builds(
    _moment,
    st.just(date(9999, 12, 31)),
    st.sampled_from(LAST_TIMES),
    st.sampled_from(["-05:00", "-12:00", "Z", ""]),
    _seps,
    _specs,
)
any_moments = st.builds(
    _moment,
    st.one_of(st.sampled_from(EDGE_DAYS), st.dates()),
    st.times(),
    st.sampled_from(OFFSETS),
    _seps,
    _specs,
)
# Mostly the extremes, where the bugs are.
date_times = st.one_of(first_moments, last_moments, any_moments)
day_texts = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31"]),
    st.sampled_from([d.isoformat() for d in EDGE_DAYS]),
    st.dates().map(date.isoformat),
    st.sampled_from(IMPOSSIBLE_DAYS),
)
date_like = st.one_of(date_times, day_texts)
odd_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "null", "%FF", "../../etc/passwd", "Å" * 300, "😀"]),
    date_like,
)
INVALID_UTF8 = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xc0"]
ODD_CONTENT_TYPES = [
    None,  # no Content-Type header at all
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/jsonx",
    "json",
    "",
]
SHAPES = [
    *["edge-dates"] * 3,  # the class with the most places to hide
    "valid",
    "invalid-utf8",
    "deep",
    "content-type",
    "garbage",
    "odd-text",
]
UNREADABLE = {"invalid-utf8", "deep", "garbage", "content-type"}


def deep(draw: st.DrawFn) -> bytes:
    """Nesting beyond any parser's patience: a bare run of `[`, or objects inside a field."""
    depth = draw(st.sampled_from([1_100, 5_000, 100_000]))
    if draw(st.booleans()):
        return b"[" * depth
    return b'{"name":' + b'{"a":' * depth + b"1" + b"}" * depth + b',"email":"x@example.se"}'


# --- values from the document -----------------------------------------------------------------


@dataclass
class Target:
    url: str
    token: str
    document: dict[str, Any]
    known: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        return schema


def is_date_like(name: str, schema: dict[str, Any]) -> bool:
    pattern = schema.get("pattern", "")
    return name in ("from", "to") or name.endswith("_at") or r"\d{4}-\d{2}-\d{2}" in pattern


def dates_for(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Edge values in the form the parameter or field takes, so that they pass its pattern."""
    if "[T ]" in schema.get("pattern", ""):
        return date_times
    if "pattern" in schema or schema.get("maxLength", 40) <= 10:
        return day_texts
    return date_like  # a day or a date-time (the event list's from/to)


def values(target: Target, schema: dict[str, Any], name: str, shape: str) -> st.SearchStrategy[Any]:
    """Valid values of `schema`, except that date-like ones are at the edges in the
    `edge-dates` shape and any text may be odd in the `odd-text` shape."""
    schema = target.resolve(schema)
    if name in target.known and shape != "odd-text":
        return st.sampled_from(target.known[name])
    if shape == "edge-dates" and is_date_like(name, schema):
        return dates_for(schema)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
        return st.one_of(
            [values(target, {**rest, **target.resolve(a)}, name, shape) for a in alternatives]
        )
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        return st.one_of([values(target, {**schema, "type": k}, name, shape) for k in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", -(2**40)), schema.get("maximum", 2**40)
        return st.integers(int(low), int(high)) if kind == "integer" else st.floats(low, high)
    if kind == "array":
        if "prefixItems" in schema:
            return st.tuples(*(values(target, s, name, shape) for s in schema["prefixItems"]))
        low = schema.get("minItems", 0)
        items = values(target, schema.get("items", {}), f"{name}[]", shape)
        return st.lists(items, min_size=low, max_size=max(low, min(schema.get("maxItems", 3), 3)))
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        optional = {k: v for k, v in props.items() if k not in required}
        if shape == "edge-dates":  # every date, and nothing else that could fail first
            required |= {k for k, v in optional.items() if is_date_like(k, target.resolve(v))}
            optional = {}
        return st.fixed_dictionaries(
            {k: values(target, v, k, shape) for k, v in props.items() if k in required},
            optional={k: values(target, v, k, shape) for k, v in optional.items()},
        )
    if shape == "odd-text":
        return odd_text
    return valid_text(schema, name)


def valid_text(schema: dict[str, Any], name: str) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
    if schema.get("format") == "email" or name in ("email", "emails[]"):
        return st.emails().filter(lambda e: len(e) <= schema.get("maxLength", 320))
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(
            lambda s: low <= len(s) <= schema.get("maxLength", 10_000)
        )
    text = st.characters(codec="utf-8", exclude_characters="\x00")  # NUL is odd-text's
    return st.text(text, min_size=low, max_size=max(low, high))


# --- one request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    body: dict[str, Any] | None  # the JSON body's schema

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _query(*names: str) -> tuple[dict[str, Any], ...]:
    return tuple({"in": "query", "name": n, "schema": {"type": "string"}} for n in names)


# The public pages (not in the document), with the query parameters they read.
PAGES = [
    Operation("GET", "/", _query("topic", "lang"), None),
    Operation("GET", "/calendar/{municipality}", _query("topic"), None),
    Operation("GET", "/calendar/{municipality}/embed", _query("topic"), None),
    Operation("GET", "/needs-map/{municipality}", _query("from", "to", "lang"), None),
    Operation("GET", "/events/{slug}", _query("lang"), None),
    Operation("GET", "/checkin/{event_id}", (), None),
]


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            content = op.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            found.append(Operation(method.upper(), path, tuple(op.get("parameters", [])), body))
    return [*found, *PAGES]


@st.composite
def requests(draw: st.DrawFn, target: Target, op: Operation) -> dict[str, Any]:
    shape = draw(st.sampled_from(SHAPES))
    url = op.path
    for name in re.findall(r"\{(\w+)\}", op.path):
        known = target.known.get(name, [])
        value = draw(st.sampled_from(known) if known and draw(st.integers(0, 4)) else odd_text)
        url = url.replace(f"{{{name}}}", quote(value, safe="") or "x")
    query: dict[str, Any] = {}
    query_schemas = {p["name"]: p.get("schema", {}) for p in op.parameters if p["in"] == "query"}
    for name, schema in query_schemas.items():
        # Dates go in more often in their shape; leaving one out exercises its default.
        edge = shape == "edge-dates" and is_date_like(name, schema)
        if draw(st.integers(0, 3)) if edge else draw(st.booleans()):
            query[name] = draw(values(target, schema, name, shape))
    headers = {"Accept-Language": draw(st.sampled_from(["sv", "en"]))}
    if shape != "valid" or draw(st.booleans()):  # anonymous calls stop at the 401
        headers["Authorization"] = f"Bearer {target.token}"
    if draw(st.booleans()) and not op.path.startswith("/api/"):
        headers["Accept"] = "text/html"
    content: bytes | None = None
    if op.body is not None or shape in UNREADABLE - {"content-type"}:
        body = draw(values(target, op.body or {"type": "object"}, "body", shape))
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
        if shape == "invalid-utf8":
            bad = draw(st.sampled_from(INVALID_UTF8))
            text_start = content.find(b'":"')  # inside the first text value, if there is one
            cut = text_start + 3 if text_start >= 0 else len(content) // 2
            content = content[:cut] + bad + content[cut:]
        elif shape == "deep":
            content = deep(draw)
        elif shape == "garbage":
            content = draw(st.binary(min_size=1, max_size=64))
        elif shape == "content-type":
            odd = draw(st.sampled_from(ODD_CONTENT_TYPES))
            if odd is None:
                del headers["Content-Type"]
            else:
                headers["Content-Type"] = odd
    return {
        "method": op.method,
        "url": url,
        "params": query,
        "headers": headers,
        "content": content,
        "shape": shape,
    }


def check(op: Operation, sent: dict[str, Any], r: httpx.Response) -> None:
    about = (
        f"{sent['method']} {r.request.url} ({sent['shape']}), headers {sent['headers']}, "
        f"body {(sent['content'] or b'')[:200]!r} -> {r.status_code} {r.text[:300]}"
    )
    assert r.status_code < 500, about
    if sent["url"].startswith("/api/") and r.status_code >= 400:
        assert r.headers.get("content-type", "").startswith("application/problem+json"), about
    if sent["content"] is not None and sent["shape"] in UNREADABLE and op.body is not None:
        assert not r.is_success, "accepted a body that is not readable JSON: " + about


def takes_dates(target: Target, op: Operation) -> bool:
    def walk(schema: dict[str, Any], name: str, depth: int = 0) -> bool:
        schema = target.resolve(schema)
        if depth > 5:
            return False
        if is_date_like(name, schema):
            return True
        subs = [*schema.get("oneOf", []), *schema.get("anyOf", [])]
        subs += [schema.get("items", {}), *schema.get("properties", {}).values()]
        names = [name] * (len(subs) - len(schema.get("properties", {})))
        names += list(schema.get("properties", {}))
        return any(walk(s, n, depth + 1) for s, n in zip(subs, names, strict=True) if s)

    params = any(is_date_like(p["name"], p.get("schema", {})) for p in op.parameters)
    return params or (op.body is not None and walk(op.body, "body"))


def run_operation(client: httpx.Client, target: Target, op: Operation) -> list[str]:
    """What went wrong in this operation's examples. Failures are collected, not raised: the
    server keeps state, so Hypothesis' replay of a failing example would not fail alike."""
    failures: list[str] = []

    @settings(
        max_examples=(
            EXAMPLES_PER_DATED_OPERATION if takes_dates(target, op) else EXAMPLES_PER_OPERATION
        ),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(sent=requests(target, op))
    def one(sent: dict[str, Any]) -> None:
        r = client.request(
            sent["method"],
            sent["url"],
            params=sent["params"],
            headers=sent["headers"],
            content=sent["content"],
        )
        try:
            check(op, sent, r)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])

    one()
    return failures


# --- the test ---------------------------------------------------------------------------------


def _known(client: httpx.Client, token: str) -> dict[str, list[str]]:
    """Real ids, slugs and tokens, so that requests get past the lookups."""
    auth = {"Authorization": f"Bearer {token}"}
    events = client.get("/api/v1/events", params={"limit": 200}).json()["items"]
    assert events
    event_id = events[0]["id"]
    signed_up = client.post(
        f"/api/v1/events/{event_id}/registrations",
        json={"name": "Fuzz Testsson", "email": "fuzz@example.se", "networking_consent": True},
    ).json()
    door = client.post(f"/api/v1/events/{event_id}/door-tokens", json={}, headers=auth).json()
    municipalities = [m["slug"] for m in client.get("/api/v1/municipalities").json()["items"]]
    topics = [t["slug"] for t in client.get("/api/v1/topics").json()["items"]]
    return {
        "event_id": [e["id"] for e in events],
        "slug": [e["slug"] for e in events],
        "venue_id": sorted({e["venue"]["id"] for e in events if e["venue"]}),
        "municipality": [*municipalities, "all"],
        "municipalities[]": municipalities,
        "topic": topics,
        "topics[]": topics,
        "needs[]": topics,
        "offers[]": topics,
        "token": [signed_up["manage_url"].rsplit("/", 1)[-1]],
        "registration_id": [signed_up["id"]],
        "other_id": [signed_up["id"]],
        "token_id": [door["id"]],
        "feed_name": ["all.ics", *(f"{m}.ics" for m in municipalities)],
    }


def test_no_5xx_for_hostile_input(live: Any) -> None:
    live.cli("demo")
    token = live.cli("token", "create", "--email", "fuzz@example.se", "--role", "admin")
    with httpx.Client(base_url=live.url, timeout=30) as client:
        document = client.get("/api/docs/openapi.json").json()
        target = Target(live.url, token.split()[-1], document)
        target.known = _known(client, target.token)
        failures: list[str] = []
        ops = operations(document)
        assert len(ops) > 30  # the document was read
        for op in ops:
            failures.extend(f"{op}: {f}" for f in run_operation(client, target, op)[:3])
    assert not failures, "\n".join(failures)


def test_the_shapes_reach_what_they_aim_at() -> None:
    """The generator makes what the fuzz test claims to send (a test of the test)."""
    seen: dict[str, Callable[[str], bool]] = {
        "year 1": lambda s: s.startswith("0001-01-01"),
        "year 9999 with a negative offset": lambda s: s.startswith("9999-12-31") and s[-6] == "-",
        "impossible day": lambda s: s in IMPOSSIBLE_DAYS,
    }
    found: set[str] = set()

    @settings(max_examples=300, derandomize=True, database=None)
    @given(date_like)
    def draw_one(s: str) -> None:
        found.update(name for name, test in seen.items() if test(s))

    draw_one()
    assert found == set(seen)
