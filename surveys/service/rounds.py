"""Survey rounds: created and changed by organisers for the municipalities they manage, listed,
and shown with their figures (invites, answers, answer rate, per municipality)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

import msgspec

from events import service as events_service
from surveys import queries
from surveys.rows import RoundPlace, RoundRow
from surveys.schemas import PlaceFigures, RoundFigures, RoundIn, RoundList, RoundOut, RoundPatch
from surveys.service._common import (
    closes_day,
    instant,
    open_url,
    opens_day,
    round_for_organiser,
    state,
)
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid

ROUNDS_MAX = 200  # a municipality has a round or two a year: one page holds them all


def round_out(
    row: RoundRow, places: Sequence[RoundPlace], figures: RoundFigures | None = None
) -> RoundOut:
    return RoundOut(
        id=str(row.id),
        slug=row.slug,
        title=row.title,
        intro=row.intro,
        municipalities=[p.slug for p in places],
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        opens=opens_day(row).isoformat(),
        closes=closes_day(row).isoformat(),
        language=row.language,
        state=state(row),
        url=open_url(row.slug),
        figures=figures,
    )


async def _places_for(actor: Principal, slugs: Sequence[str]) -> list[UUID]:
    known = {m.slug: UUID(m.id) for m in await events_service.list_municipalities()}
    ids = {s: known[s] for s in dict.fromkeys(slugs) if s in known}
    missing = [s for s in slugs if s not in ids]
    if missing:
        raise Invalid.field("municipalities", "Unknown municipality: {slug}", slug=missing[0])
    for m in ids.values():
        actor.require_municipality(m)
    return list(ids.values())


def _period(opens: datetime, closes: str) -> tuple[datetime, datetime]:
    end = instant(closes, "closes_at", end=True)
    if end <= opens:
        raise Invalid.field("closes_at", "The survey must close on or after the day it opens")
    return opens, end


async def _new_slug(title: str) -> str:
    base = events_service.slugify(title, 60)
    slug, n = base, 1
    while await queries.slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


async def create_round(actor: Principal, body: RoundIn) -> RoundOut:
    title = events_service.one_line(body.title, "title")
    opens = instant(body.opens_at, "opens_at", end=False) if body.opens_at else utc_now()
    opens_at, closes_at = _period(opens, body.closes_at)
    async with db.transaction():
        places = await _places_for(actor, body.municipalities)
        now = utc_now()
        round_id = uuid4()
        await queries.insert_round(
            {
                "id": round_id,
                "slug": await _new_slug(title),
                "title": title,
                "intro": body.intro.strip(),
                "language": body.language,
                "opens_at": opens_at,
                "closes_at": closes_at,
                "created_by": actor.organiser_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        await queries.set_places(round_id, places)
    return await get_round(actor, round_id)


async def update_round(actor: Principal, round_id: str, body: RoundPatch) -> RoundOut:
    async with db.transaction():
        row, _ = await round_for_organiser(actor, round_id, change=True)
        values: dict[str, object] = {}
        if body.title is not msgspec.UNSET:
            values["title"] = events_service.one_line(body.title, "title")
        if body.intro is not msgspec.UNSET:
            values["intro"] = body.intro.strip()
        if body.language is not msgspec.UNSET:
            values["language"] = body.language
        opens = row.opens_at
        if body.opens_at is not msgspec.UNSET:
            opens = instant(body.opens_at, "opens_at", end=False)
        if body.closes_at is not msgspec.UNSET:
            values["opens_at"], values["closes_at"] = _period(opens, body.closes_at)
        elif opens >= row.closes_at:
            raise Invalid.field("opens_at", "The survey must close on or after the day it opens")
        else:
            values["opens_at"] = opens
        if body.municipalities is not msgspec.UNSET:
            await queries.set_places(row.id, await _places_for(actor, body.municipalities))
        values["updated_at"] = utc_now()
        await queries.update_round(row.id, values)
    return await get_round(actor, row.id)


async def list_rounds(actor: Principal) -> RoundList:
    """The rounds in the organiser's municipalities (every round for an administrator)."""
    rows = await queries.rounds(
        None if actor.is_admin else list(actor.municipality_ids), ROUNDS_MAX
    )
    places = await queries.places([r.id for r in rows])
    by_round: dict[UUID, list[RoundPlace]] = {}
    for p in places:
        by_round.setdefault(p.round, []).append(p)
    return RoundList(items=[round_out(r, by_round.get(r.id, [])) for r in rows])


async def get_round(actor: Principal, round_id: str | UUID) -> RoundOut:
    """The round with its figures."""
    row, places = await round_for_organiser(actor, round_id)
    invites, answered, reminded = await queries.invite_counts(row.id)
    per_place = await queries.answers_per_municipality(row.id)
    figures = RoundFigures(
        invites=invites,
        answered_invites=answered,
        answers=sum(per_place.values()),
        answer_rate=round(answered / invites, 3) if invites else None,
        reminded=reminded,
        per_municipality=[
            PlaceFigures(municipality=p.slug, name=p.name, answers=per_place.get(p.municipality, 0))
            for p in places
        ],
    )
    return round_out(row, places, figures)
