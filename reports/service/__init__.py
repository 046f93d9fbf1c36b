"""Rules of reports (one module per concern, re-exported here).

- `participation`: the funder's participant report for a period and municipalities.
- `attendance_list`: the list of an activity's attendees signed on paper.
"""

from reports.service.attendance_list import attendance_list
from reports.service.participation import Period, participation, period_of

__all__ = ["Period", "attendance_list", "participation", "period_of"]
