"""Public calendar feeds and the validators (ETag, Last-Modified) that let clients poll cheaply.

A conditional request costs one aggregate query (count and newest change of the feed's events);
only a changed feed is built, from cached VEVENT fragments, and the whole body is cached by ETag.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from events import ics, service, topics
from events.rows import MunicipalityRow
from traffpunkt import i18n
from traffpunkt.settings import current_settings

_BODY_CACHE_SIZE = 128
_bodies: OrderedDict[str, bytes] = OrderedDict()


@dataclass(frozen=True, slots=True)
class Feed:
    etag: str
    last_modified: datetime | None
    municipality: MunicipalityRow | None
    topic: str | None


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite aggregates come back as text


def validators(parts: tuple[Any, ...], newest: Any) -> tuple[str, datetime | None]:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    last = _as_datetime(newest)
    return f'"{digest}"', (last.astimezone(UTC).replace(microsecond=0) if last else None)


async def feed_info(municipality_key: str, topic: str | None) -> Feed:
    """Validators of a feed; `municipality_key` is a slug or "all"."""
    municipality = None
    if municipality_key != "all":
        municipality = await service.get_municipality(municipality_key)
    if topic:
        service.check_topics([topic], field="topic")
    mid = municipality.id if municipality else None
    fp = await service.feed_fingerprint(mid, topic or None)
    etag, last = validators(
        ("ics", municipality_key, topic, fp.n, str(fp.newest), current_settings().base_url),
        fp.newest,
    )
    return Feed(etag, last, municipality, topic or None)


async def feed_body(info: Feed) -> bytes:
    cached = _bodies.get(info.etag)
    if cached is not None:
        _bodies.move_to_end(info.etag)
        return cached
    mid = info.municipality.id if info.municipality else None
    rows = await service.feed_rows(mid, info.topic)
    settings = current_settings()
    place = info.municipality.name if info.municipality else "Norrbotten & Västerbotten"
    name = f"Träffpunkt – {place}"
    if info.topic:
        name += f" – {topics.BY_SLUG[info.topic].sv}"
    description = i18n.gettext("sv", "Seminars and network meetings for companies in {place}")
    body = ics.feed(
        rows,
        name=name,
        description=description.format(place=place),
        tz_name=info.municipality.timezone if info.municipality else settings.default_timezone,
        url_for=lambda r: f"{settings.base_url}/events/{r.slug}",
    )
    _bodies[info.etag] = body
    if len(_bodies) > _BODY_CACHE_SIZE:
        _bodies.popitem(last=False)
    return body


async def event_ics(key: str) -> tuple[bytes, str, datetime]:
    row = await service.event_row(key)
    etag, last = validators(("event", str(row.id), str(row.updated_at)), row.updated_at)
    body = ics.single(
        row,
        event_url=f"{current_settings().base_url}/events/{row.slug}",
        name=row.title,
    )
    assert last is not None
    return body, etag, last
