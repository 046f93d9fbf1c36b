"""Decisions about suggested people, and the introduction when both said yes.

Contact details are revealed (and the introduction mailed) only when both said yes.
"""

from __future__ import annotations

from uuid import uuid4

from networking import matching, queries
from networking.schemas import DecisionOut
from networking.service.suggestions import _pair_key, _person, reasons
from networking.statuses import Answer
from notifications import service as mail
from registrations import service as registrations
from registrations.service import RegistrationRow
from registrations.statuses import RegistrationStatus
from traffpunkt import db
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, NotFound
from traffpunkt.ids import parse_id


async def decide(token: str, other_id: str, decision: Answer) -> DecisionOut:
    async with db.transaction():
        me = await registrations.by_token(token)
        if not me.networking_consent:
            raise Conflict("Agree to networking on your registration first")
        other = await registrations.registration(parse_id(other_id))
        if (
            other is None
            or other.event != me.event
            or not other.networking_consent
            or other.status == RegistrationStatus.CANCELLED
            or other.id == me.id
        ):
            raise NotFound("No such participant to meet")
        now = utc_now()
        await queries.upsert_decision(
            {
                "id": uuid4(),
                "event": me.event,
                "pair": f"{me.id}:{other.id}",
                "from_registration": me.id,
                "to_registration": other.id,
                "decision": decision,
                "decided_at": now,
            }
        )
        theirs = await queries.decision(f"{other.id}:{me.id}")
        mutual = decision == Answer.YES and theirs == Answer.YES
        introduced = False
        if mutual and await queries.insert_introduction(
            {
                "id": uuid4(),
                "event": me.event,
                "pair": _pair_key(me.id, other.id),
                "created_at": now,
            }
        ):
            introduced = True
            await _introduce(me, other)
    return DecisionOut(decision=decision, mutual=mutual, introduced=introduced)


async def _introduce(a: RegistrationRow, b: RegistrationRow) -> None:
    people = [_person(a), _person(b)]
    suggestion = matching.suggest(people, k=1)
    for me, other in ((a, b), (b, a)):
        found = suggestion.get(str(me.id)) or []
        why = reasons(found[0], other.name, me.language) if found else []
        token = await registrations.new_manage_link(me)
        await mail.enqueue(
            "introduction",
            to=me.email,
            name=me.name,
            language=me.language,
            event_id=me.event,
            registration_id=me.id,
            data={
                "peer_name": other.name,
                "peer_organisation": other.organisation or "–",
                "peer_email": other.email,
                "items": why,
            },
            secrets={"manage_url": token},
        )
