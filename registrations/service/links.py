"""Manage links (the attendee's secret link), and the mail to a registration that carries a
fresh one (and the ticket, when it has a seat). Every mail goes through the outbox in the
caller's transaction (notifications.service.enqueue).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from notifications import service as mail
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.service.keys import ticket_code
from traffpunkt.auth import hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.settings import current_settings


def manage_url(token: str) -> str:
    return f"{current_settings().base_url}/r/{token}"


async def _new_manage_token(registration_id: UUID) -> str:
    token = new_secret()
    await queries.insert_manage_token(
        {
            "id": uuid4(),
            "registration": registration_id,
            "token_hash": hash_secret(token),
            "created_at": utc_now(),
        }
    )
    return token


async def _mail(
    kind: str,
    reg: RegistrationRow,
    *,
    ticket: bool = False,
    dedupe_key: str | None = None,
    **data: Any,
) -> None:
    secrets: dict[str, Any] = {"manage_url": manage_url(await _new_manage_token(reg.id))}
    if ticket:
        secrets["ticket_code"] = await ticket_code(reg.event, reg.ticket_no)
    await mail.enqueue(
        kind,
        to=reg.email,
        name=reg.name,
        language=reg.language,
        event_id=reg.event,
        registration_id=reg.id,
        data={"sequence_offset": reg.itip_offset, **data},
        secrets=secrets,
        dedupe_key=dedupe_key,
    )
