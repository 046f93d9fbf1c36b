"""Suggestions with reasons, for an attendee who agreed to networking.

Consent is absolute: only attendees who agreed to networking are ever scored or listed. The
profiles and decisions are read on the event loop; the scoring runs in a worker process
(traffpunkt.cpu): ~0.5 s of CPU for 5,000 attendees would otherwise stall every request of
this web process. The result is cached until a profile or a decision changes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from events import topics
from networking import matching, queries
from networking.schemas import MatchList, MatchOut
from networking.statuses import Answer
from registrations import service as registrations
from registrations.service import RegistrationRow
from registrations.statuses import RegistrationStatus
from traffpunkt import cpu, i18n

SUGGESTIONS_SHOWN = 10
SUGGESTIONS_FOR_PLANS = 15
_cache: OrderedDict[tuple[str, Any], tuple[list[RegistrationRow], matching.Suggested]] = (
    OrderedDict()
)


def _person(row: RegistrationRow) -> matching.Person:
    return matching.Person(
        id=str(row.id),
        name=row.name,
        organisation=row.organisation,
        role=row.role,
        needs=topics.decode(row.needs),
        offers=topics.decode(row.offers),
        about=row.about,
    )


async def _suggestions(event_id: UUID, k: int) -> tuple[list[RegistrationRow], matching.Suggested]:
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
            max((str(p.updated_at) for p in profiles), default=""),
            tuple(
                sorted(
                    (str(d.from_registration), str(d.to_registration), d.decision)
                    for d in decisions
                )
            ),
        ),
    )
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    index = {str(p.id): i for i, p in enumerate(profiles)}
    declined = {
        (index[str(d.from_registration)], index[str(d.to_registration)])
        for d in decisions
        if d.decision == Answer.NO
        and str(d.from_registration) in index
        and str(d.to_registration) in index
    }
    # Plain tuples of plain values: the worker process makes the Person objects (5,000 of
    # them take the loop 50-500 ms, depending on the machine's load).
    rows = [
        (str(p.id), p.name, p.organisation, p.role.value, p.needs, p.offers, p.about)
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
    if not me.networking_consent or me.status == RegistrationStatus.CANCELLED:
        return MatchList(items=[], consent=False)
    event_id = me.event
    profiles, suggested = await _suggestions(event_id, SUGGESTIONS_SHOWN)
    by_id = {str(p.id): p for p in profiles}
    mine = {
        (str(d.to_registration)): d.decision
        for d in await queries.decisions_of_event(event_id)
        if str(d.from_registration) == str(me.id)
    }
    introduced = set(await queries.introductions_of_event(event_id))
    items = []
    for s in suggested.of(str(me.id)):
        other = by_id[s.other]
        mutual = _pair_key(me.id, other.id) in introduced
        items.append(
            MatchOut(
                id=s.other,
                name=other.name,
                organisation=other.organisation,
                score=s.score,
                reasons=reasons(s, other.name, me.language),
                role=other.role,
                decision=mine.get(s.other),
                mutual=mutual,
                email=other.email if mutual else None,
            )
        )
    return MatchList(items=items)


def _pair_key(a: UUID, b: UUID) -> str:
    return ":".join(sorted((str(a), str(b))))
