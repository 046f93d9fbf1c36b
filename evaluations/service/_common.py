"""Rules several concerns share: the windows of time, the personal link."""

from __future__ import annotations

from datetime import timedelta

from evaluations import queries
from evaluations.rows import RequestRow
from traffpunkt.auth import hash_secret
from traffpunkt.errors import NotFound
from traffpunkt.settings import current_settings

# An answer can be changed this long after it was first given.
EDIT_WINDOW = timedelta(days=14)
# The follow-up goes this long after the event ended ("three months").
FOLLOW_UP_AFTER = timedelta(days=91)
# A first answer is taken until then too (after that the link only takes the follow-up).
ANSWER_WINDOW = FOLLOW_UP_AFTER
# Events that ended longer ago than this get no evaluation mail (turning the feature on does
# not mail everyone who ever came).
SEND_WITHIN = timedelta(days=30)


def evaluation_url(token: str) -> str:
    return f"{current_settings().base_url}/evaluation/{token}"


async def request_by_token(token: str) -> RequestRow:
    row = await queries.request_by_token_hash(hash_secret(token)) if token else None
    if row is None:
        raise NotFound("This evaluation link is not valid")
    return row
