"""Travel times between municipalities: their coordinates, and the organisers' overrides per
pair where the road says otherwise (the pure rule is `planning.travel`)."""

from __future__ import annotations

from uuid import UUID, uuid4

import msgspec

from events import service as events_service
from events.schemas import MunicipalityOut
from planning import queries
from planning.travel import Place, TravelTimes, estimated_minutes, pair_key
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.ids import parse_id


def place_of(m: MunicipalityOut) -> Place | None:
    if m.latitude is None or m.longitude is None:
        return None
    return Place(m.latitude, m.longitude)


async def travel_times(places: list[MunicipalityOut]) -> TravelTimes:
    coordinates = {UUID(m.id): p for m in places if (p := place_of(m)) is not None}
    overrides = {(o.municipality_a, o.municipality_b): o.minutes for o in await queries.overrides()}
    return TravelTimes(coordinates, overrides)


class TravelPair(msgspec.Struct, kw_only=True):
    """Two of the organiser's municipalities: the estimate and the override, if any."""

    a: MunicipalityOut
    b: MunicipalityOut
    estimate: int | None  # from the coordinates; None when one has none
    override: int | None
    override_id: str | None


async def travel_pairs(actor: Principal) -> list[TravelPair]:
    places = await events_service.organiser_municipalities(actor)
    by_pair = {pair_key(o.municipality_a, o.municipality_b): o for o in await queries.overrides()}
    out: list[TravelPair] = []
    for i, a in enumerate(places):
        for b in places[i + 1 :]:
            pa, pb = place_of(a), place_of(b)
            o = by_pair.get(pair_key(UUID(a.id), UUID(b.id)))
            out.append(
                TravelPair(
                    a=a,
                    b=b,
                    estimate=estimated_minutes(pa, pb) if pa and pb else None,
                    override=o.minutes if o else None,
                    override_id=str(o.id) if o else None,
                )
            )
    return out


async def set_override(actor: Principal, a: str, b: str, minutes: int) -> None:
    """Minutes by road between two municipalities the organiser manages (both directions)."""
    if not 1 <= minutes <= 24 * 60:
        raise Invalid.field("minutes", "Give the minutes by road, from 1 to 1440")
    first = await events_service.get_municipality(a)
    second = await events_service.get_municipality(b)
    if first.id == second.id:
        raise Invalid.field("b", "Choose two different municipalities")
    actor.require_municipality(first.id)
    actor.require_municipality(second.id)
    x, y = pair_key(first.id, second.id)
    async with db.transaction():
        await queries.upsert_override(
            {
                "id": uuid4(),
                "pair": f"{x}:{y}",
                "municipality_a": x,
                "municipality_b": y,
                "minutes": minutes,
                "updated_by": actor.organiser_id,
                "updated_at": utc_now(),
            }
        )


async def remove_override(actor: Principal, override_id: str) -> None:
    async with db.transaction():
        row = await queries.delete_override(parse_id(override_id))
        if row is None:
            raise NotFound("No such travel time")
        actor.require_municipality(row.municipality_a)
        actor.require_municipality(row.municipality_b)
