"""Rules of the events domain: places, events, their life cycle, seats, feeds, the audit log.

Every function is a plain async function; the HTTP layer and the tests call them directly.
Writing functions own their transaction (`traffpunkt.db.transaction()`). Other modules use
`from events import service` and the names below; the rules live in one module per concern:

- `places`: municipalities and venues.
- `lifecycle`: events created, changed (SEQUENCE grows when they move), published, cancelled;
  `EventChange`, announced through traffpunkt.hooks.
- `seats`: seats and the waiting list counted on the event row, whether an event takes
  registrations now (for registrations).
- `listing`: one event by id or slug, the public list and its cursors, rows for pages and
  feeds, an organiser's events.
- `sessions`: a course series' sessions (set, cancel, list); the event's span follows them.
- `actions`: what organisers do, in the audit log (who may organise where: `events/organisers.py`).
- `coverage`: which topics events hold where, last and next, and which venues are taken
  which days (for planning).
- `views`: rows shaped for the API and pages (`event_out`, `municipality_out`, …).
- `_common`: small checks several concerns share (ids, one-line names, topics).

Inside the package modules import each other directly (`_common` ← `views` ← `places` ←
`lifecycle`; `seats` and `listing` on `_common` and `views`), never through this
file.
"""

from events.service._common import check_topics, one_line
from events.service.actions import record_action
from events.service.coverage import Booking, TopicCoverage, bookings, topic_coverage
from events.service.lifecycle import (
    EventChange,
    cancel_event,
    check_event_patch,
    create_event,
    event_for_organiser,
    publish_event,
    slugify,
    update_event,
)
from events.service.listing import (
    FEED_HISTORY,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    EventQuery,
    encode_cursor,
    event_for_mail,
    event_row,
    events_ended_within,
    events_held,
    events_starting_within,
    feed_fingerprint,
    feed_rows,
    get_event,
    is_public,
    list_events,
    organiser_events,
    parse_local_bound,
    upcoming_rows,
    with_sessions,
    with_sessions_all,
)
from events.service.places import (
    create_municipality,
    create_venue,
    get_municipality,
    list_municipalities,
    list_venues,
    municipality_rows,
    organiser_municipalities,
    update_municipality,
)
from events.service.seats import (
    Joined,
    event_for_registration,
    give_back_seat,
    join,
    join_sql,
    left_waitlist,
    promote_seat,
    release_seat,
)
from events.service.sessions import (
    active_sessions,
    cancel_session,
    is_series,
    list_sessions,
    session_out,
    sessions_out,
    set_sessions,
)
from events.service.views import (
    attendance_mode,
    event_out,
    is_registration_open,
    municipality_out,
    registration_window,
    report_fields_asked,
    venue_out,
)

__all__ = [
    "FEED_HISTORY",
    "PAGE_SIZE_DEFAULT",
    "PAGE_SIZE_MAX",
    "Booking",
    "EventChange",
    "EventQuery",
    "Joined",
    "TopicCoverage",
    "active_sessions",
    "attendance_mode",
    "bookings",
    "cancel_event",
    "cancel_session",
    "check_event_patch",
    "check_topics",
    "create_event",
    "create_municipality",
    "create_venue",
    "encode_cursor",
    "event_for_mail",
    "event_for_organiser",
    "event_for_registration",
    "event_out",
    "event_row",
    "events_ended_within",
    "events_held",
    "events_starting_within",
    "feed_fingerprint",
    "feed_rows",
    "get_event",
    "get_municipality",
    "give_back_seat",
    "is_public",
    "is_registration_open",
    "is_series",
    "join",
    "join_sql",
    "left_waitlist",
    "list_events",
    "list_municipalities",
    "list_sessions",
    "list_venues",
    "municipality_out",
    "municipality_rows",
    "one_line",
    "organiser_events",
    "organiser_municipalities",
    "parse_local_bound",
    "promote_seat",
    "publish_event",
    "record_action",
    "registration_window",
    "release_seat",
    "report_fields_asked",
    "session_out",
    "sessions_out",
    "set_sessions",
    "slugify",
    "topic_coverage",
    "upcoming_rows",
    "update_event",
    "update_municipality",
    "venue_out",
    "with_sessions",
    "with_sessions_all",
]
