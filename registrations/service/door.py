"""Door tokens: an organiser hands a phone at the door a token for one event; who may check
people in (`CheckinActor`) and the event they may check in to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from events import service as events_service
from events.rows import EventRow
from registrations import queries
from registrations.queries import DoorTokenRow
from registrations.schemas import DoorTokenOut
from traffpunkt import db
from traffpunkt.auth import DoorPrincipal, Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Forbidden, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings
from traffpunkt.ttl import TTLCache

CheckinActor = Principal | DoorPrincipal
DOOR_TOKEN_GRACE = timedelta(hours=12)  # door tokens work until 12 h after the event ends


async def create_door_token(actor: Principal, event_id: str, label: str) -> DoorTokenOut:
    async with db.transaction():
        event = await events_service.event_for_organiser(actor, event_id)
        token = new_secret()
        token_id = uuid4()
        expires = event.ends_at + DOOR_TOKEN_GRACE
        await queries.insert_door_token(
            {
                "id": token_id,
                "event": event.id,
                "token_hash": hash_secret(token),
                "label": label[:100],
                "created_by": actor.organiser_id,
                "created_at": utc_now(),
                "expires_at": expires,
            }
        )
    # The token travels in the fragment: browsers never send it to servers or write it in logs.
    url = f"{current_settings().base_url}/checkin/{event.id}#door={token}"
    return DoorTokenOut(
        id=str(token_id), token=token, url=url, expires_at=to_local(expires, event.timezone)
    )


async def revoke_door_token(actor: Principal, event_id: str, token_id: str) -> None:
    async with db.transaction():
        event = await events_service.event_for_organiser(actor, event_id)
        if not await queries.revoke_door_token(event.id, parse_id(token_id), utc_now()):
            raise NotFound("No such door token")
        await events_service.record_action(actor, "door_token.revoked", event.id, token_id)
    _DOOR_TOKENS.clear()


@dataclass(frozen=True, slots=True)
class DoorTokenLine:
    id: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked: bool


async def door_tokens(actor: Principal, event_id: str) -> list[DoorTokenLine]:
    event = await events_service.event_for_organiser(actor, event_id)
    tz = event.timezone
    return [
        DoorTokenLine(
            str(t.id),
            t.label,
            to_local(t.created_at, tz),
            to_local(t.expires_at, tz),
            t.revoked_at is not None,
        )
        for t in await queries.door_tokens_of(event.id)
    ]


# Door tokens and their events, remembered for two seconds from the read (traffpunkt.ttl): a
# door sends scan after scan with the same ones. A revocation or a change of the event clears
# this process's memory at once; other web processes see it within the two seconds. Expiry is
# checked on every use.
_DOOR_TOKENS: TTLCache[str, DoorTokenRow] = TTLCache(2.0)
_DOOR_EVENTS: TTLCache[UUID, EventRow] = TTLCache(2.0)


async def door_principal(token: str) -> DoorPrincipal | None:
    token_hash = hash_secret(token)
    row = await _DOOR_TOKENS.get_or_load(token_hash, queries.door_token)
    if row is None or row.revoked_at is not None or row.expires_at <= utc_now():
        return None
    return DoorPrincipal(event_id=row.event, token_id=row.id)


async def _event_for_checkin(actor: CheckinActor, event_id: str) -> EventRow:
    if isinstance(actor, DoorPrincipal):
        try:
            wanted = UUID(event_id)
        except ValueError:
            raise Forbidden("This door token is for another event") from None
        if wanted != actor.event_id:
            raise Forbidden("This door token is for another event")
        row = await _DOOR_EVENTS.get_or_load(wanted, events_service.event_for_mail)
        if row is None:
            raise NotFound("No such event")
        return row
    # With a course series' sessions, as the door's (event_for_mail) has them.
    return await events_service.with_sessions(
        await events_service.event_for_organiser(actor, event_id)
    )
