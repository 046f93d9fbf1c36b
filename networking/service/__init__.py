"""Rules of networking: suggestions with reasons, decisions, introductions, meeting plans and
the skills-needs map.

Consent is absolute: only attendees who agreed to networking are ever scored, listed, planned
or introduced; everyone else counts only anonymously in the needs map (counts below 3 shown
as "<3"). Contact details are revealed only when both said yes.

One module per concern (`suggestions`, `decisions`, `plans`, `needs_map`); this package is their
public interface (`from networking import service`).
"""

from networking.service.decisions import decide
from networking.service.needs_map import SMALL_COUNT, needs_csv, needs_map, tally
from networking.service.plans import (
    create_plan,
    get_plan,
    my_meetings,
    plan_csv,
    publish_plan,
)
from networking.service.suggestions import (
    SUGGESTIONS_FOR_PLANS,
    SUGGESTIONS_SHOWN,
    _cache,
    _suggestions,
    matches,
    reasons,
)

__all__ = [
    "SMALL_COUNT",
    "SUGGESTIONS_FOR_PLANS",
    "SUGGESTIONS_SHOWN",
    "_cache",
    "_suggestions",
    "create_plan",
    "decide",
    "get_plan",
    "matches",
    "my_meetings",
    "needs_csv",
    "needs_map",
    "plan_csv",
    "publish_plan",
    "reasons",
    "tally",
]
