"""1:1 meeting plans: made (in a worker process), stored as a draft, published by mail.

Only attendees who agreed to networking are planned.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from events import service as events_service
from networking import matching, planning, queries
from networking.queries import PlanRow
from networking.schemas import MeetingOut, PlanIn, PlanOut
from networking.service.suggestions import SUGGESTIONS_FOR_PLANS, _suggestions
from networking.statuses import Answer, PlanStatus
from notifications import service as mail
from registrations import service as registrations
from registrations.service import RegistrationRow
from traffpunkt import cpu, db, i18n
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, NotFound
from traffpunkt.localtime import to_local, to_utc


async def _plan_inputs(
    event_id: UUID,
) -> tuple[list[RegistrationRow], matching.Suggested, set[frozenset[str]]]:
    profiles, suggested = await _suggestions(event_id, SUGGESTIONS_FOR_PLANS)
    decisions = await queries.decisions_of_event(event_id)
    yes = {
        (str(d.from_registration), str(d.to_registration))
        for d in decisions
        if d.decision == Answer.YES
    }
    consenting = {str(p.id) for p in profiles}
    mutual = {
        frozenset(pair) for pair in yes if (pair[1], pair[0]) in yes and set(pair) <= consenting
    }
    return profiles, suggested, mutual


def _plan_out(row: PlanRow, names: dict[str, str], tz: str, greedy_total: float) -> PlanOut:
    meetings = json.loads(row.meetings)
    start = row.starts_at
    return PlanOut(
        id=str(row.id),
        status=row.status,
        slots=row.slots,
        minutes=row.minutes,
        tables=row.tables,
        starts_at=to_local(start, tz),
        total_score=round(float(row.total_score), 3),
        greedy_total_score=round(greedy_total, 3),
        participants=len({m[k] for m in meetings for k in ("a", "b")}),
        meetings=[
            MeetingOut(
                slot=m["slot"],
                table=m["table"],
                starts_at=to_local(start + timedelta(minutes=row.minutes * (m["slot"] - 1)), tz),
                a=m["a"],
                a_name=names.get(m["a"], ""),
                b=m["b"],
                b_name=names.get(m["b"], ""),
                score=round(m["weight"], 3),
                mutual=m["mutual"],
            )
            for m in meetings
        ],
    )


async def create_plan(actor: Principal, event_id: str, body: PlanIn) -> PlanOut:
    event = await events_service.event_for_organiser(actor, event_id)
    ev_id = event.id
    tz = event.timezone
    starts = to_utc(body.starts_at, tz, "starts_at") if body.starts_at else event.starts_at
    profiles, suggested, mutual = await _plan_inputs(ev_id)
    # HiGHS per slot (~0.6 s for 500 attendees) and the greedy baseline: in a worker process.
    meetings, greedy_total = await cpu.run(
        planning.plan_and_baseline, suggested, mutual, body.slots, body.tables
    )
    row = PlanRow(
        id=uuid4(),
        event=ev_id,
        slots=body.slots,
        minutes=body.minutes,
        tables=body.tables,
        starts_at=starts,
        status=PlanStatus.DRAFT,
        meetings=json.dumps(
            [
                {
                    "slot": m.slot,
                    "table": m.table,
                    "a": m.a,
                    "b": m.b,
                    "weight": m.weight,
                    "mutual": m.mutual,
                }
                for m in meetings
            ]
        ),
        total_score=str(planning.total(meetings)),
        created_at=utc_now(),
        published_at=None,
    )
    async with db.transaction():
        await queries.replace_draft_plan(ev_id, msgspec.structs.asdict(row))
        await events_service.record_action(actor, "meeting_plan.created", ev_id, str(len(meetings)))
    names = {str(p.id): p.name for p in profiles}
    return _plan_out(row, names, tz, greedy_total)


async def get_plan(actor: Principal, event_id: str) -> PlanOut:
    event = await events_service.event_for_organiser(actor, event_id)
    row = await queries.latest_plan(event.id)
    if row is None:
        raise NotFound("No meeting plan yet")
    profiles = await registrations.networking_profiles(event.id)
    return _plan_out(row, {str(p.id): p.name for p in profiles}, event.timezone, 0.0)


async def publish_plan(actor: Principal, event_id: str) -> PlanOut:
    event = await events_service.event_for_organiser(actor, event_id)
    ev_id = event.id
    async with db.transaction():
        row = await queries.latest_plan(ev_id)
        if row is None:
            raise NotFound("No meeting plan yet")
        if row.status == PlanStatus.PUBLISHED:
            raise Conflict("This plan is already published")
        profiles = {str(p.id): p for p in await registrations.networking_profiles(ev_id)}
        await queries.publish_plan(row.id, ev_id, utc_now())
        await events_service.record_action(actor, "meeting_plan.published", ev_id)
        schedule = _schedules(row, profiles, event.timezone)
        for person_id, lines in schedule.items():
            person = profiles.get(person_id)
            if person is None:  # withdrew consent or cancelled since the plan was made
                continue
            await mail.enqueue(
                "meeting_plan",
                to=person.email,
                name=person.name,
                language=person.language,
                event_id=ev_id,
                registration_id=person.id,
                data={"items": [line(person.language) for line in lines]},
                secrets={"manage_url": await registrations.new_manage_link(person)},
            )
        row = await queries.latest_plan(ev_id)
    assert row is not None
    return _plan_out(row, {k: p.name for k, p in profiles.items()}, event.timezone, 0.0)


def _schedules(row: PlanRow, profiles: dict[str, RegistrationRow], tz: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for m in sorted(json.loads(row.meetings), key=lambda m: m["slot"]):
        at = to_local(row.starts_at + timedelta(minutes=row.minutes * (m["slot"] - 1)), tz)
        for me, other in ((m["a"], m["b"]), (m["b"], m["a"])):
            peer = profiles.get(other)
            if peer is None:
                continue
            label = f"{peer.name}" + (f" ({peer.organisation})" if peer.organisation else "")

            def line(
                lang: str, at: datetime = at, table: int = m["table"], label: str = label
            ) -> str:
                return i18n.gettext(lang, "{time}, table {table}: {person}").format(
                    time=at.strftime("%H:%M"), table=table, person=label
                )

            out.setdefault(me, []).append(line)
    return out


async def my_meetings(token: str) -> list[MeetingOut]:
    me = await registrations.by_token(token)
    row = await queries.latest_plan(me.event, published_only=True)
    if row is None:
        return []
    event = await events_service.event_for_mail(me.event)
    assert event is not None
    profiles = await registrations.networking_profiles(me.event)
    plan = _plan_out(row, {str(p.id): p.name for p in profiles}, event.timezone, 0.0)
    return [m for m in plan.meetings if str(me.id) in (m.a, m.b)]


async def plan_csv(actor: Principal, event_id: str) -> tuple[str, bytes]:
    plan = await get_plan(actor, event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["slot", "time", "table", "person_a", "person_b", "mutual", "score"])
    for m in sorted(plan.meetings, key=lambda m: (m.slot, m.table)):
        writer.writerow(
            [
                m.slot,
                m.starts_at.strftime("%H:%M"),
                m.table,
                m.a_name,
                m.b_name,
                "yes" if m.mutual else "no",
                m.score,
            ]
        )
    return "meeting-plan.csv", ("\ufeff" + out.getvalue()).encode()
