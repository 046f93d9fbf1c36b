"""Experts: researchers and other speakers who can hold seminars. An organiser enters an
address; the outbox mails a personal link (the secret stored hashed, as registrations' manage
links); the expert fills in their offer at /expert/{token}, changes it later through the same
link, or erases it. Organisers see who can take a topic."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import msgspec

from events import service as events_service
from events import topics as taxonomy
from notifications import service as mail
from planning import queries
from planning.queries import ExpertRow
from planning.travel import Place
from traffpunkt import addresses, db, limits
from traffpunkt.auth import Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.localtime import parse_date
from traffpunkt.settings import current_settings

LANGUAGES = ("sv", "en", "fi", "se", "de")  # Swedish, English, Finnish, Northern Sami, German
MAX_DATES = 366


class ExpertIn(msgspec.Struct, kw_only=True):
    """What the expert's form sends (as typed)."""

    name: str = ""
    organisation: str = ""
    languages: list[str] = msgspec.field(default_factory=list)
    topics: list[str] = msgspec.field(default_factory=list)
    home_municipality: str = ""  # slug, or empty with coordinates
    home_latitude: str = ""
    home_longitude: str = ""
    travel_dates: str = ""  # ISO dates and ranges, "2027-03-01..2027-03-12, 2027-04-06"


class ExpertView(msgspec.Struct, kw_only=True):
    id: str
    email: str
    name: str
    organisation: str
    languages: list[str]
    topics: list[str]
    home_municipality: str | None  # slug
    home_latitude: float | None
    home_longitude: float | None
    travel_dates: list[date]
    answered: bool


def expert_home(row: ExpertRow) -> Place | UUID | None:
    if row.home_municipality is not None:
        return row.home_municipality
    if row.home_latitude is not None and row.home_longitude is not None:
        return Place(row.home_latitude, row.home_longitude)
    return None


def expert_travel_dates(row: ExpertRow) -> set[date]:
    return {date.fromisoformat(d) for d in row.travel_dates.split()}


async def _view(row: ExpertRow) -> ExpertView:
    slug = None
    if row.home_municipality is not None:
        places = {m.id: m.slug for m in await events_service.list_municipalities()}
        slug = places.get(str(row.home_municipality))
    return ExpertView(
        id=str(row.id),
        email=row.email,
        name=row.name,
        organisation=row.organisation,
        languages=row.languages.split(),
        topics=taxonomy.decode(row.topics),
        home_municipality=slug,
        home_latitude=row.home_latitude,
        home_longitude=row.home_longitude,
        travel_dates=sorted(expert_travel_dates(row)),
        answered=row.answered_at is not None,
    )


async def invite_expert(actor: Principal, email: str, language: str = "sv") -> None:
    """Mail a personal link to fill in (or change) an expert's offer. A known address gets a
    fresh link (the old one stops working)."""
    address = addresses.checked(email, "email")
    token = new_secret()
    url = f"{current_settings().base_url}/expert/{token}"
    async with db.transaction():
        await limits.enforce([("invite_per_organiser", str(actor.organiser_id), 1)])
        existing = await queries.expert_by_email(address)
        if existing is None:
            await queries.insert_expert(
                {
                    "id": uuid4(),
                    "email": address,
                    "token_hash": hash_secret(token),
                    "invited_by": actor.organiser_id,
                    "created_at": utc_now(),
                }
            )
        else:
            await queries.update_expert(existing.id, {"token_hash": hash_secret(token)})
        await mail.enqueue(
            "expert_invitation",
            to=address,
            language=language if language in ("sv", "en") else "sv",
            event_id=None,
            secrets={"expert_url": url},
        )


async def expert_by_token(token: str) -> ExpertView:
    row = await _row(token)
    return await _view(row)


async def _row(token: str) -> ExpertRow:
    row = await queries.expert_by_hash(hash_secret(token)) if 0 < len(token) <= 100 else None
    if row is None:
        await limits.token_miss()
        raise NotFound("This link does not work (any more)")
    return row


def _dates(text: str) -> list[str]:
    """ "2027-03-01..2027-03-12, 2027-04-06" → every date (ranges included), sorted."""
    out: set[date] = set()
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("..")
        start = parse_date(first.strip(), "travel_dates")
        end = parse_date(last.strip(), "travel_dates") if last else start
        if end < start or (end - start).days > MAX_DATES:
            raise Invalid.field(
                "travel_dates", "Give dates as 2027-03-04 or 2027-03-04..2027-03-15"
            )
        day = start
        while day <= end:
            out.add(day)
            day = date.fromordinal(day.toordinal() + 1)
        if len(out) > MAX_DATES:
            raise Invalid.field("travel_dates", "At most a year of dates")
    return [d.isoformat() for d in sorted(out)]


def _number(text: str, field: str, low: float, high: float) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Invalid.field(field, "Give a number in decimal degrees, e.g. 64.16") from None
    if not low <= value <= high:
        raise Invalid.field(field, "Give a number in decimal degrees, e.g. 64.16")
    return value


async def save_expert(token: str, data: ExpertIn) -> ExpertView:
    row = await _row(token)
    name = " ".join(data.name.split())[:200]
    if not name:
        raise Invalid.field("name", "Give your name")
    events_service.check_topics(data.topics)
    if not data.topics:
        raise Invalid.field("topics", "Choose at least one topic")
    languages = [x for x in dict.fromkeys(data.languages) if x in LANGUAGES]
    if not languages:
        raise Invalid.field("languages", "Choose at least one language")
    home: UUID | None = None
    lat = _number(data.home_latitude, "home_latitude", -90, 90)
    lon = _number(data.home_longitude, "home_longitude", -180, 180)
    if data.home_municipality:
        home = (await events_service.get_municipality(data.home_municipality)).id
        lat = lon = None
    elif lat is None or lon is None:
        raise Invalid.field(
            "home_municipality", "Choose where you travel from, or give its coordinates"
        )
    values = {
        "name": name,
        "organisation": " ".join(data.organisation.split())[:200],
        "languages": " ".join(languages),
        "topics": taxonomy.encode(data.topics),
        "home_municipality": home,
        "home_latitude": lat,
        "home_longitude": lon,
        "travel_dates": " ".join(_dates(data.travel_dates)),
        "answered_at": utc_now(),
    }
    async with db.transaction():
        await queries.update_expert(row.id, values)
    return await _view(msgspec.structs.replace(row, **values))


async def erase_expert(token: str) -> None:
    row = await _row(token)
    async with db.transaction():
        await queries.delete_expert(row.id)


async def experts_for_topic(actor: Principal, topic: str | None = None) -> list[ExpertView]:
    """Who can take a topic (every expert who answered, when no topic is named)."""
    del actor  # any organiser may see the experts: they offered to travel anywhere
    if topic:
        events_service.check_topics([topic], "topic")
    return [await _view(r) for r in await queries.experts(topic)]
