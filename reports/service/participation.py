"""The funder's participant report: the period and municipalities checked, the activities,
check-ins and survey answers read through their domains' services (one query each), the
counting done by `reports.counting`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from events import service as events_service
from events.rows import MunicipalityRow
from registrations import service as registrations_service
from reports import counting
from reports.schemas import ParticipationOut
from surveys import service as surveys_service
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Forbidden, Invalid
from traffpunkt.localtime import parse_date, to_local, to_utc
from traffpunkt.settings import current_settings

MAX_DAYS = 3 * 366  # a report covers at most three years (the project's length)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # included


def period_of(start: str | None, end: str | None) -> Period:
    """Local dates; by default from 1 January of this year to today."""
    today = to_local(utc_now(), current_settings().default_timezone).date()
    first = parse_date(start, "from") if start else date(today.year, 1, 1)
    last = parse_date(end, "to") if end else today
    if last < first:
        raise Invalid.field("to", "The end comes before the start")
    if (last - first).days > MAX_DAYS:
        raise Invalid.field("to", "A report covers at most three years")
    return Period(first, last)


async def participation(
    actor: Principal, start: str | None, end: str | None, municipalities: list[str]
) -> ParticipationOut:
    """The report for the period and the municipalities named (slugs; none = every one the
    organiser manages, all for an admin)."""
    period = period_of(start, end)
    chosen = await _municipalities(actor, municipalities)
    ids = [m.id for m in chosen]
    tz = current_settings().default_timezone
    start_utc = to_utc(datetime.combine(period.start, time()), tz, "from")
    end_utc = to_utc(datetime.combine(period.end + timedelta(days=1), time()), tz, "to")
    events = await events_service.with_sessions_all(
        await events_service.events_held(ids, start_utc, end_utc)
    )
    # A course series is one activity whose length is that of its sessions (not the weeks from
    # the first to the last), and whose participants are those who attended a session (scanned
    # at the door, or ticked for an online one), each for the sessions they attended.
    sessions = {
        s.id: s.ends_at - s.starts_at
        for e in events
        if events_service.is_series(e)
        for s in events_service.active_sessions(e)
    }
    series = {e.id for e in events if events_service.is_series(e)}
    checkins = await registrations_service.checked_in_for_report(
        [e.id for e in events if e.id not in series]
    )
    attended = await registrations_service.sessions_attended_for_report(list(series))
    answers = await surveys_service.companies_answered(ids, start_utc, end_utc)
    slug_of = {m.id: m.slug for m in chosen}

    activities = [
        counting.Activity(
            id=e.id,
            day=to_local(e.starts_at, e.timezone).date(),
            starts_at=to_local(e.starts_at, e.timezone),
            title=e.title,
            kind=e.kind,
            mode=events_service.attendance_mode(e),
            place=e.venue_name or "",
            municipality=e.municipality_slug,
            municipality_name=e.municipality_name,
            hours=(
                sum((sessions[s.id] for s in events_service.active_sessions(e)), timedelta())
                if e.id in series
                else e.ends_at - e.starts_at
            ).total_seconds()
            / 3600,
        )
        for e in events
    ]
    length = {e.id.int: e.ends_at - e.starts_at for e in events}
    attendances = [
        counting.Attendance(
            activity=c.event,
            person=c.email.lower(),
            at=c.checked_in_at,
            org_number=c.org_number,
            sni_section=c.sni_section,
            size_band=c.size_band,
            gender=c.gender,
        )
        for c in checkins
    ]
    first_session: dict[tuple[int, str], counting.Attendance] = {}
    for s in sorted(attended, key=lambda s: s.at):
        first_session.setdefault(
            (s.event.int, s.email.lower()),
            counting.Attendance(
                activity=s.event,
                person=s.email.lower(),
                at=s.at,
                org_number=s.org_number,
                sni_section=s.sni_section,
                size_band=s.size_band,
                gender=s.gender,
            ),
        )
    # A check-in counts its event's length; a session of a series its own (cancelled ones none).
    hours = counting.participation_hours(
        [(a.activity.int, a.person, length[a.activity.int]) for a in attendances]
        + [
            (s.event.int, s.email.lower(), sessions[s.session_id])
            for s in attended
            if s.session_id in sessions
        ]
    )
    attendances += list(first_session.values())
    companies = [
        counting.SurveyCompany(
            org_number=a.org_number,
            municipality=slug_of[a.municipality],
            sni_section=a.sector,
            size_band=a.size_band,
        )
        for a in answers
        if a.municipality in slug_of
    ]
    report = counting.build(
        activities, attendances, companies, [(m.slug, m.name) for m in chosen], hours
    )
    return ParticipationOut(
        start=period.start,
        to=period.end,
        municipalities=[m.slug for m in chosen],
        activities=report.activities,
        participants=report.participants,
        persons=report.persons,
        companies=report.companies,
        hours=report.hours,
        by_municipality=report.by_municipality,
        by_sector=report.by_sector,
        by_size_band=report.by_size_band,
        by_gender=report.by_gender,
        activity_list=report.activity_list,
    )


async def _municipalities(actor: Principal, slugs: list[str]) -> list[MunicipalityRow]:
    every = await events_service.municipality_rows()
    if not slugs:
        return [m for m in every if actor.can_manage(m.id)]
    by_slug = {m.slug: m for m in every}
    unknown = [s for s in slugs if s not in by_slug]
    if unknown:
        raise Invalid.field("municipality", "No municipality called {key}", key=", ".join(unknown))
    chosen = [by_slug[s] for s in dict.fromkeys(slugs)]
    for m in chosen:
        if not actor.can_manage(m.id):
            raise Forbidden("You are not an organiser for this municipality")
    return sorted(chosen, key=lambda m: m.name)
