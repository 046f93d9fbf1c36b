"""What organisers do, in the audit log (other domains record their actions here)."""

from __future__ import annotations

from typing import Any

from events import audit
from traffpunkt.auth import Principal


async def record_action(
    actor: Principal, action: str, event_id: Any = None, detail: str = ""
) -> None:
    """Other domains log organiser actions here (inside their transaction)."""
    await audit.record(actor, action, event_id, detail)
