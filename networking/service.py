"""Rules of networking: suggestions with reasons, decisions, introductions, meeting plans and
the skills-needs map.

Consent is absolute: only attendees who agreed to networking are ever scored, listed, planned
or introduced; everyone else counts only anonymously in the needs map (counts below 3 shown
as "<3"). Contact details are revealed only when both said yes.
"""

from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from events import service as events_service
from events import topics
from networking import matching, planning, queries
from networking.schemas import (
    DecisionOut,
    MatchList,
    MatchOut,
    MeetingOut,
    NeedsMap,
    NeedsRow,
    PlanIn,
    PlanOut,
)
from notifications import service as mail
from registrations import service as registrations
from traffpunkt import cpu, db, i18n
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid, NotFound
from traffpunkt.localtime import EARLIEST, parse_date, to_local, to_utc

SUGGESTIONS_SHOWN = 10
SUGGESTIONS_FOR_PLANS = 15
SMALL_COUNT = 3  # below this a count is shown as "<3"
_cache: OrderedDict[tuple[str, Any], tuple[list[dict[str, Any]], matching.Suggested]] = (
    OrderedDict()
)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _person(row: dict[str, Any]) -> matching.Person:
    return matching.Person(
        id=str(row["id"]),
        name=row["name"],
        organisation=row["organisation"],
        role=row["role"],
        needs=topics.decode(row["needs"]),
        offers=topics.decode(row["offers"]),
        about=row["about"],
    )


async def _suggestions(event_id: UUID, k: int) -> tuple[list[dict[str, Any]], matching.Suggested]:
    """Consenting profiles and all suggestions; cached until a profile or a decision changes.
    The rows are read here, on the loop; the scoring runs in a worker process (~0.5 s of CPU
    for 5,000 attendees, which would otherwise stall every request of this process)."""
    profiles = await registrations.networking_profiles(event_id)
    decisions = await queries.decisions_of_event(event_id)
    key = (
        str(event_id),
        (
            k,
            len(profiles),
            max((str(p["updated_at"]) for p in profiles), default=""),
            tuple(
                sorted(
                    (str(d["from_registration"]), str(d["to_registration"]), d["decision"])
                    for d in decisions
                )
            ),
        ),
    )
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    index = {str(p["id"]): i for i, p in enumerate(profiles)}
    declined = {
        (index[str(d["from_registration"])], index[str(d["to_registration"])])
        for d in decisions
        if d["decision"] == "no"
        and str(d["from_registration"]) in index
        and str(d["to_registration"]) in index
    }
    # Plain tuples: the worker process makes the Person objects (5,000 of them take the loop
    # 50-500 ms, depending on the machine's load).
    rows = [
        (str(p["id"]), p["name"], p["organisation"], p["role"], p["needs"], p["offers"], p["about"])
        for p in profiles
    ]
    result = await cpu.run(matching.suggest_rows, rows, declined, k)
    _cache[key] = (profiles, result)
    if len(_cache) > 64:
        _cache.popitem(last=False)
    return profiles, result


def _label(slug: str, lang: str) -> str:
    text = topics.BY_SLUG[slug].label(lang)
    # Mid-sentence: "e-handel", but acronyms stay ("AI-verktyg", "IT-säkerhet").
    return text if text[:2].isalpha() and text[:2].isupper() else text[0].lower() + text[1:]


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {i18n.gettext(lang, 'and')} {items[-1]}"


def reasons(s: matching.Suggestion, other_name: str, lang: str) -> list[str]:
    """Plain-language reasons, in the reader's language."""
    first = other_name.split()[0] if other_name.strip() else other_name
    out = []
    if s.they_offer_you_need:
        out.append(
            i18n.gettext(lang, "{name} offers {topics}, which you need").format(
                name=first, topics=_join([_label(t, lang) for t in s.they_offer_you_need], lang)
            )
        )
    if s.you_offer_they_need:
        out.append(
            i18n.gettext(lang, "You offer {topics}, which {name} needs").format(
                name=first, topics=_join([_label(t, lang) for t in s.you_offer_they_need], lang)
            )
        )
    if s.shared_needs:
        out.append(
            i18n.gettext(lang, "You both want to learn more about {topics}").format(
                topics=_join([_label(t, lang) for t in s.shared_needs], lang)
            )
        )
    return out


async def matches(token: str) -> MatchList:
    me = await registrations.by_token(token)
    if not me["networking_consent"] or me["status"] == "cancelled":
        return MatchList(items=[], consent=False)
    event_id = _uuid(me["event"])
    profiles, suggested = await _suggestions(event_id, SUGGESTIONS_SHOWN)
    by_id = {str(p["id"]): p for p in profiles}
    mine = {
        (str(d["to_registration"])): d["decision"]
        for d in await queries.decisions_of_event(event_id)
        if str(d["from_registration"]) == str(me["id"])
    }
    introduced = set(await queries.introductions_of_event(event_id))
    items = []
    for s in suggested.of(str(me["id"])):
        other = by_id[s.other]
        mutual = _pair_key(me["id"], other["id"]) in introduced
        items.append(
            MatchOut(
                id=s.other,
                name=other["name"],
                organisation=other["organisation"],
                score=s.score,
                reasons=reasons(s, other["name"], me["language"]),
                role=other["role"],
                decision=mine.get(s.other),
                mutual=mutual,
                email=other["email"] if mutual else None,
            )
        )
    return MatchList(items=items)


def _pair_key(a: Any, b: Any) -> str:
    return ":".join(sorted((str(a), str(b))))


async def decide(token: str, other_id: str, decision: str) -> DecisionOut:
    async with db.transaction():
        me = await registrations.by_token(token)
        if not me["networking_consent"]:
            raise Conflict("Agree to networking on your registration first")
        try:
            other = await registrations.registration(UUID(other_id))
        except ValueError:
            other = None
        if (
            other is None
            or str(other["event"]) != str(me["event"])
            or not other["networking_consent"]
            or other["status"] == "cancelled"
            or str(other["id"]) == str(me["id"])
        ):
            raise NotFound("No such participant to meet")
        now = utc_now()
        await queries.upsert_decision(
            {
                "id": uuid4(),
                "event": me["event"],
                "pair": f"{me['id']}:{other['id']}",
                "from_registration": me["id"],
                "to_registration": other["id"],
                "decision": decision,
                "decided_at": now,
            }
        )
        theirs = await queries.decision(f"{other['id']}:{me['id']}")
        mutual = decision == "yes" and theirs is not None and theirs["decision"] == "yes"
        introduced = False
        if mutual and await queries.insert_introduction(
            {
                "id": uuid4(),
                "event": me["event"],
                "pair": _pair_key(me["id"], other["id"]),
                "created_at": now,
            }
        ):
            introduced = True
            await _introduce(me, other)
    return DecisionOut(decision=decision, mutual=mutual, introduced=introduced)  # type: ignore[arg-type]


async def _introduce(a: dict[str, Any], b: dict[str, Any]) -> None:
    people = [_person(a), _person(b)]
    suggestion = matching.suggest(people, k=1)
    for me, other in ((a, b), (b, a)):
        found = suggestion.get(str(me["id"])) or []
        why = reasons(found[0], other["name"], me["language"]) if found else []
        token = await registrations.new_manage_link(me)
        await mail.enqueue(
            "introduction",
            to=me["email"],
            name=me["name"],
            language=me["language"],
            event_id=me["event"],
            registration_id=me["id"],
            data={
                "peer_name": other["name"],
                "peer_organisation": other["organisation"] or "–",
                "peer_email": other["email"],
                "items": why,
            },
            secrets={"manage_url": token},
        )


# --- meeting plans ----------------------------------------------------------------------------


async def _plan_inputs(
    event_id: UUID,
) -> tuple[list[dict[str, Any]], matching.Suggested, set[frozenset[str]]]:
    profiles, suggested = await _suggestions(event_id, SUGGESTIONS_FOR_PLANS)
    decisions = await queries.decisions_of_event(event_id)
    yes = {
        (str(d["from_registration"]), str(d["to_registration"]))
        for d in decisions
        if d["decision"] == "yes"
    }
    consenting = {str(p["id"]) for p in profiles}
    mutual = {
        frozenset(pair) for pair in yes if (pair[1], pair[0]) in yes and set(pair) <= consenting
    }
    return profiles, suggested, mutual


def _plan_out(row: dict[str, Any], names: dict[str, str], tz: str, greedy_total: float) -> PlanOut:
    meetings = json.loads(row["meetings"])
    start = row["starts_at"]
    return PlanOut(
        id=str(row["id"]),
        status=row["status"],
        slots=row["slots"],
        minutes=row["minutes"],
        tables=row["tables"],
        starts_at=to_local(start, tz),
        total_score=round(float(row["total_score"]), 3),
        greedy_total_score=round(greedy_total, 3),
        participants=len({m[k] for m in meetings for k in ("a", "b")}),
        meetings=[
            MeetingOut(
                slot=m["slot"],
                table=m["table"],
                starts_at=to_local(start + timedelta(minutes=row["minutes"] * (m["slot"] - 1)), tz),
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
    ev_id = _uuid(event["id"])
    tz = event["timezone"]
    starts = to_utc(body.starts_at, tz, "starts_at") if body.starts_at else event["starts_at"]
    profiles, suggested, mutual = await _plan_inputs(ev_id)
    # HiGHS per slot (~0.6 s for 500 attendees) and the greedy baseline: in a worker process.
    meetings, greedy_total = await cpu.run(
        planning.plan_and_baseline, suggested, mutual, body.slots, body.tables
    )
    row = {
        "id": uuid4(),
        "event": ev_id,
        "slots": body.slots,
        "minutes": body.minutes,
        "tables": body.tables,
        "starts_at": starts,
        "status": "draft",
        "meetings": json.dumps(
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
        "total_score": str(planning.total(meetings)),
        "created_at": utc_now(),
    }
    async with db.transaction():
        await queries.replace_draft_plan(ev_id, row)
        await events_service.record_action(actor, "meeting_plan.created", ev_id, str(len(meetings)))
    names = {str(p["id"]): p["name"] for p in profiles}
    return _plan_out(row, names, tz, greedy_total)


async def get_plan(actor: Principal, event_id: str) -> PlanOut:
    event = await events_service.event_for_organiser(actor, event_id)
    row = await queries.latest_plan(_uuid(event["id"]))
    if row is None:
        raise NotFound("No meeting plan yet")
    profiles = await registrations.networking_profiles(event["id"])
    return _plan_out(row, {str(p["id"]): p["name"] for p in profiles}, event["timezone"], 0.0)


async def publish_plan(actor: Principal, event_id: str) -> PlanOut:
    event = await events_service.event_for_organiser(actor, event_id)
    ev_id = _uuid(event["id"])
    async with db.transaction():
        row = await queries.latest_plan(ev_id)
        if row is None:
            raise NotFound("No meeting plan yet")
        if row["status"] == "published":
            raise Conflict("This plan is already published")
        profiles = {str(p["id"]): p for p in await registrations.networking_profiles(ev_id)}
        await queries.publish_plan(_uuid(row["id"]), ev_id, utc_now())
        await events_service.record_action(actor, "meeting_plan.published", ev_id)
        schedule = _schedules(row, profiles, event["timezone"])
        for person_id, lines in schedule.items():
            person = profiles.get(person_id)
            if person is None:  # withdrew consent or cancelled since the plan was made
                continue
            await mail.enqueue(
                "meeting_plan",
                to=person["email"],
                name=person["name"],
                language=person["language"],
                event_id=ev_id,
                registration_id=person["id"],
                data={"items": [line(person["language"]) for line in lines]},
                secrets={"manage_url": await registrations.new_manage_link(person)},
            )
        row = await queries.latest_plan(ev_id)
    assert row is not None
    return _plan_out(row, {k: p["name"] for k, p in profiles.items()}, event["timezone"], 0.0)


def _schedules(
    row: dict[str, Any], profiles: dict[str, dict[str, Any]], tz: str
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for m in sorted(json.loads(row["meetings"]), key=lambda m: m["slot"]):
        at = to_local(row["starts_at"] + timedelta(minutes=row["minutes"] * (m["slot"] - 1)), tz)
        for me, other in ((m["a"], m["b"]), (m["b"], m["a"])):
            peer = profiles.get(other)
            if peer is None:
                continue
            label = f"{peer['name']}" + (
                f" ({peer['organisation']})" if peer["organisation"] else ""
            )

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
    row = await queries.latest_plan(_uuid(me["event"]), published_only=True)
    if row is None:
        return []
    event = await events_service.event_for_mail(me["event"])
    assert event is not None
    profiles = await registrations.networking_profiles(me["event"])
    plan = _plan_out(row, {str(p["id"]): p["name"] for p in profiles}, event["timezone"], 0.0)
    return [m for m in plan.meetings if str(me["id"]) in (m.a, m.b)]


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


# --- the skills-needs map ------------------------------------------------------------------


def _count(n: int) -> str:
    return str(n) if n >= SMALL_COUNT or n == 0 else f"<{SMALL_COUNT}"


def _period(start: str | None, end: str | None, tz: str) -> tuple[date, date]:
    # Each bound is read on its own, so an error names the parameter that is wrong.
    d_end = parse_date(end, "to") if end else to_local(utc_now(), tz).date() + timedelta(days=365)
    d_start = parse_date(start, "from") if start else max(d_end - timedelta(days=2 * 365), EARLIEST)
    if d_end <= d_start:
        raise Invalid.field("to", "The end must be after the start")
    return d_start, d_end


async def needs_map(
    municipality: str | None, start: str | None, end: str | None, lang: str = "sv"
) -> NeedsMap:
    tz = "Europe/Stockholm"
    m_id = None
    if municipality and municipality != "all":
        row = await events_service.get_municipality(municipality)
        m_id, tz = _uuid(row["id"]), row["timezone"]
    d_start, d_end = _period(start, end, tz)
    needs, offers, people = await registrations.topic_demand(
        m_id,
        to_utc(datetime.combine(d_start, time()), tz, "from"),
        to_utc(datetime.combine(d_end, time()), tz, "to"),
    )
    rows = [
        NeedsRow(
            topic=t.slug,
            label=t.label(lang),
            need=_count(len(needs.get(t.slug, ()))),
            offer=_count(len(offers.get(t.slug, ()))),
        )
        for t in topics.TOPICS
    ]
    rows.sort(key=lambda r: -len(needs.get(r.topic, ())))
    return NeedsMap(
        municipality=municipality if m_id else None,
        start=d_start.isoformat(),
        end=d_end.isoformat(),
        people=_count(people),
        items=rows,
    )


def needs_csv(data: NeedsMap) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["topic", "label", "need", "offer"])
    for r in data.items:
        writer.writerow([r.topic, r.label, r.need, r.offer])
    return ("\ufeff" + out.getvalue()).encode()
