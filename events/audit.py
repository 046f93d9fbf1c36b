"""The audit log: who changed what, when. Written inside the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from events.tables import AuditEntry
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now


async def record(actor: Principal, action: str, event_id: Any = None, detail: str = "") -> None:
    await AuditEntry.insert(
        AuditEntry(
            id=uuid4(),
            organiser=actor.organiser_id if actor.organiser_id.int else None,
            organiser_email=actor.email,
            event=UUID(str(event_id)) if event_id else None,
            action=action,
            detail=detail[:2000],
            at=utc_now(),
        )
    )


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    who: str
    action: str
    detail: str


async def of_event(event_id: UUID) -> list[AuditLine]:
    rows = (
        await AuditEntry.select()
        .where(AuditEntry.event == event_id)
        .order_by(AuditEntry.at, ascending=False)
        .limit(200)
    )
    return [AuditLine(r["at"], r["organiser_email"], r["action"], r["detail"]) for r in rows]
