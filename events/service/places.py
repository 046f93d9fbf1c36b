"""Municipalities and venues: listed by anyone, created and changed by who may manage them."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import msgspec
from msgspec import UNSET

from events import audit, queries
from events.rows import MunicipalityRow, VenueRow
from events.schemas import MunicipalityIn, MunicipalityOut, MunicipalityPatch, VenueIn, VenueOut
from events.service._common import one_line
from events.service.views import encode_report_fields, municipality_out, venue_out
from traffpunkt import addresses, db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid, NotFound
from traffpunkt.localtime import zone
from traffpunkt.settings import current_settings


def _check_timezone(name: str) -> None:
    try:
        zone(name)
    except Exception:
        raise Invalid.field("timezone", "Unknown time zone {name}", name=name) from None


async def list_municipalities() -> list[MunicipalityOut]:
    return [municipality_out(r) for r in await queries.municipalities()]


async def municipality_rows() -> list[MunicipalityRow]:
    """Every municipality, by name (the caller decides who may see what of them)."""
    return await queries.municipalities()


async def get_municipality(key: str) -> MunicipalityRow:
    row = await queries.municipality_by_slug_or_id(key)
    if row is None:
        raise NotFound("No municipality called {key}", params={"key": key})
    return row


async def create_municipality(actor: Principal, data: MunicipalityIn) -> MunicipalityOut:
    actor.require_admin()
    tz = data.timezone or current_settings().default_timezone
    _check_timezone(tz)
    row = MunicipalityRow(
        id=uuid4(),
        slug=data.slug,
        name=one_line(data.name, "name"),
        code=data.code,
        region=data.region,
        timezone=tz,
        created_at=utc_now(),
        contact_email=addresses.checked(data.contact_email, "contact_email")
        if data.contact_email is not None
        else None,
        contact_phone=data.contact_phone,
        latitude=data.latitude,
        longitude=data.longitude,
        coordinates_source=data.coordinates_source,
    )
    async with db.transaction():
        if data.slug == "all" or await queries.municipality_slug_taken(data.slug):
            raise Conflict("The short name {slug} is already taken", params={"slug": data.slug})
        await queries.insert_municipality(msgspec.structs.asdict(row))
        await audit.record(actor, "municipality.created", detail=data.slug)
    return municipality_out(row)


async def update_municipality(
    actor: Principal, key: str, patch: MunicipalityPatch
) -> MunicipalityOut:
    """Change a municipality's contact details (its organisers or an admin)."""
    given = {
        f: getattr(patch, f) for f in patch.__struct_fields__ if getattr(patch, f) is not UNSET
    }
    async with db.transaction():
        row = await queries.municipality_by_slug_or_id(key)
        if row is None:
            raise NotFound("No such municipality")
        actor.require_municipality(row.id)
        values: dict[str, Any] = {
            k: (v.strip() or None) if isinstance(v, str) else v for k, v in given.items()
        }
        if "report_fields" in given:
            values["report_fields"] = encode_report_fields(given["report_fields"])
        if isinstance(email := values.get("contact_email"), str):
            values["contact_email"] = addresses.checked(email, "contact_email")
        if values:
            await queries.update_municipality(row.id, values)
            await audit.record(
                actor, "municipality.updated", detail=f"{row.slug}: {', '.join(values)}"
            )
    return municipality_out(msgspec.structs.replace(row, **values))


async def _municipality_for_write(actor: Principal, key: str, field: str) -> MunicipalityRow:
    row = await queries.municipality_by_slug_or_id(key)
    if row is None:
        raise Invalid.field(field, "No municipality called {key}", key=key)
    actor.require_municipality(row.id)
    return row


async def create_venue(actor: Principal, data: VenueIn) -> VenueOut:
    municipality = await _municipality_for_write(actor, data.municipality, "municipality")
    now = utc_now()
    row = VenueRow(
        id=uuid4(),
        municipality=municipality.id,
        name=one_line(data.name, "name"),
        address=data.address,
        capacity=data.capacity,
        latitude=data.latitude,
        longitude=data.longitude,
        accessibility=data.accessibility,
        created_at=now,
        updated_at=now,
    )
    async with db.transaction():
        await queries.insert_venue(msgspec.structs.asdict(row))
        await audit.record(actor, "venue.created", detail=row.name)
    return venue_out(row, municipality.slug)


async def list_venues(municipality_key: str) -> list[VenueOut]:
    municipality = await get_municipality(municipality_key)
    rows = await queries.venues_of(municipality.id)
    return [venue_out(r, municipality.slug) for r in rows]


async def organiser_municipalities(actor: Principal) -> list[MunicipalityOut]:
    rows = await queries.municipalities()
    return [municipality_out(r) for r in rows if actor.can_manage(r.id)]
