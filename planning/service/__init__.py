"""The planning rules (one module per concern, re-exported here).

- `demand`: unmet demand for the organiser's municipalities (needs from the survey and
  registrations, minus the events that cover them), through the pure `planning.demand`.
- `travel`: travel times from the municipalities' coordinates and the overrides per pair.
- `experts`: experts invited by mail, their offer through their link, who can take a topic.
- `tours`: a seminar tour proposed by the pure planner (`planning.tours`), adjusted, and its
  draft events created in one step.
- `invitations`: a published event invites the companies whose survey answer asked for it.

Inside the package modules import each other directly (`travel`, `experts`, `demand` ←
`tours`; `demand` ← `invitations`), never through this file.
"""

from planning.service.demand import (
    NEEDS_PERIOD,
    DemandReport,
    demand_items,
    demand_report,
    home_region,
    scope,
)
from planning.service.experts import (
    ExpertIn,
    ExpertView,
    erase_expert,
    expert_by_token,
    experts_for_topic,
    invite_expert,
    save_expert,
)
from planning.service.invitations import on_event_changed
from planning.service.tours import (
    HARD_RULES,
    StopChange,
    TourPage,
    adjust_tour,
    create_tour_events,
    event_times,
    get_tour,
    propose_tour,
)
from planning.service.travel import (
    TravelPair,
    remove_override,
    set_override,
    travel_pairs,
    travel_times,
)

__all__ = [
    "HARD_RULES",
    "NEEDS_PERIOD",
    "DemandReport",
    "ExpertIn",
    "ExpertView",
    "StopChange",
    "TourPage",
    "TravelPair",
    "adjust_tour",
    "create_tour_events",
    "demand_items",
    "demand_report",
    "erase_expert",
    "event_times",
    "expert_by_token",
    "experts_for_topic",
    "get_tour",
    "home_region",
    "invite_expert",
    "on_event_changed",
    "propose_tour",
    "remove_override",
    "save_expert",
    "scope",
    "set_override",
    "travel_pairs",
    "travel_times",
]
