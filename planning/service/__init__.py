"""The planning rules (one module per concern, re-exported here).

- `demand`: unmet demand for the organiser's municipalities (needs from the survey and
  registrations, minus the events that cover them), through the pure `planning.demand`.

Inside the package modules import each other directly, never through this file.
"""

from planning.service.demand import DemandReport, demand_items, demand_report, scope

__all__ = ["DemandReport", "demand_items", "demand_report", "scope"]
