"""The report's arithmetic, pure: the same activities and check-ins give the same numbers.

Anonymity (the needs map's rule): in every breakdown a count of people or companies below 3
is shown as "<3", never as 1 or 2. Gender is told only as counts per answer, every one of them
"<3" when below 3 (0 included, so that a lone "<3" among zeros cannot be read as exactly one
person), and the number who answered is never shown, so no count can be had by subtraction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import date, datetime, timedelta
from typing import Final
from uuid import UUID

import msgspec

from traffpunkt.companies import SIZE_BANDS, SNI_SECTIONS

SMALL: Final = 3
SUPPRESSED: Final = "<3"
GENDERS: Final = ("woman", "man", "other", "prefer_not_to_say")
UNKNOWN: Final = ""  # sector or size band nobody told
SECTOR_ORDER: Final = tuple(s.code for s in SNI_SECTIONS)
SIZE_ORDER: Final = tuple(s.code for s in SIZE_BANDS)

Count = int | str  # a number, or "<3"


class Activity(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    day: date  # local date
    starts_at: datetime  # local
    title: str
    kind: str
    mode: str  # "offline" (on site), "online", "mixed" (schema.org attendance modes)
    place: str  # the venue, or "" when online only
    municipality: str  # slug
    municipality_name: str
    hours: float  # its length


class Attendance(msgspec.Struct, frozen=True, kw_only=True):
    """One person checked in at one activity (a person: a lower-cased address)."""

    activity: UUID
    person: str
    at: datetime  # the check-in (which answer is the newest)
    org_number: str = ""
    sni_section: str = ""
    size_band: str = ""
    gender: str = ""


class SurveyCompany(msgspec.Struct, frozen=True, kw_only=True):
    """A company that answered a needs survey in the period."""

    org_number: str
    municipality: str  # slug
    sni_section: str = ""
    size_band: str = ""


class ActivityLine(msgspec.Struct, frozen=True, kw_only=True):
    date: date
    title: str
    kind: str
    mode: str
    place: str
    municipality: str
    municipality_name: str
    hours: float
    participants: int  # checked in: head counts of an activity, as on its signed list
    participant_hours: float


class MunicipalityLine(msgspec.Struct, frozen=True, kw_only=True):
    municipality: str
    name: str
    activities: int
    participants: Count
    persons: Count
    companies: Count
    hours: float


class Share(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # SNI section, size band or gender code; "" = not told
    count: Count


class Report(msgspec.Struct, frozen=True, kw_only=True):
    activities: int
    participants: int  # check-ins: one per person and activity
    persons: int  # distinct people
    companies: int  # distinct organisation numbers (check-ins and survey answers)
    hours: float  # hours of participation, all persons and activities
    activity_list: list[ActivityLine]
    by_municipality: list[MunicipalityLine]
    by_sector: list[Share]  # companies
    by_size_band: list[Share]  # companies
    by_gender: list[Share]  # persons who answered, per answer


def suppress(n: int) -> Count:
    """A breakdown's count of people or companies: "<3" for 1 and 2."""
    return SUPPRESSED if 0 < n < SMALL else n


def suppress_gender(n: int) -> Count:
    """A gender count: "<3" for 0, 1 and 2 (see the module's note)."""
    return SUPPRESSED if n < SMALL else n


def participation_hours(
    attended: Iterable[tuple[Hashable, str, timedelta]],
) -> dict[tuple[Hashable, str], float]:
    """Hours of participation per (activity, person) from the durations each person attended:
    today one per check-in (the event's length); a course series can feed one per session
    attended, and they add up. Rounded to the hundredth of an hour. The activity is named by
    any key; `build` takes them keyed by `UUID.int` (hashing a UUID object costs a Python call
    each, and 30,000 check-ins are hashed several times)."""
    total: dict[tuple[Hashable, str], timedelta] = defaultdict(timedelta)
    for activity, person, duration in attended:
        total[(activity, person)] += duration
    return {k: round(v.total_seconds() / 3600, 2) for k, v in total.items()}


def build(
    activities: list[Activity],
    attendances: list[Attendance],
    survey_companies: list[SurveyCompany],
    municipalities: list[tuple[str, str]],
    hours: dict[tuple[Hashable, str], float] | None = None,
) -> Report:
    """The report. `municipalities`: (slug, name) of those asked for, in the order shown;
    `hours`: from `participation_hours`, keyed by (activity id's `.int`, person); each
    check-in counts its activity's length when None."""
    by_id = {a.id.int: a for a in activities}
    # One check-in per person and activity (a person twice on one list is one participant),
    # oldest first; the newest answer of a person or company is the one that counts.
    seen = sorted(
        (a for a in attendances if a.activity.int in by_id), key=lambda a: (a.at, a.person)
    )
    pairs: dict[tuple[int, str], Attendance] = {}
    for a in seen:
        pairs.setdefault((a.activity.int, a.person), a)
    hours_of = {
        k: (hours.get(k, 0.0) if hours is not None else round(by_id[k[0]].hours, 2)) for k in pairs
    }

    per_activity: dict[int, list[str]] = defaultdict(list)
    per_municipality: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for key in pairs:
        per_activity[key[0]].append(key[1])
        per_municipality[by_id[key[0]].municipality].append(key)
    lines = [
        ActivityLine(
            date=a.day,
            title=a.title,
            kind=a.kind,
            mode=a.mode,
            place=a.place,
            municipality=a.municipality,
            municipality_name=a.municipality_name,
            hours=round(a.hours, 2),
            participants=len(per_activity[a.id.int]),
            participant_hours=round(
                sum(hours_of[(a.id.int, p)] for p in per_activity[a.id.int]), 2
            ),
        )
        for a in sorted(activities, key=lambda a: (a.starts_at, a.title, a.id))
    ]

    # Companies: what each organisation number told, the survey's word first, then the newest
    # check-in's; and where each was seen.
    company_sector: dict[str, str] = {}
    company_size: dict[str, str] = {}
    company_places: dict[str, set[str]] = defaultdict(set)
    for s in sorted(survey_companies, key=lambda s: (s.org_number, s.municipality)):
        company_places[s.org_number].add(s.municipality)
        if s.sni_section and s.org_number not in company_sector:
            company_sector[s.org_number] = s.sni_section
        if s.size_band and s.org_number not in company_size:
            company_size[s.org_number] = s.size_band
    newest_first = list(pairs.values())[::-1]
    gender: dict[str, str] = {}  # each person's newest answer (an empty one is no answer)
    for a in newest_first:
        if a.gender and a.person not in gender:
            gender[a.person] = a.gender
        if not a.org_number:
            continue
        company_places[a.org_number].add(by_id[a.activity.int].municipality)
        if a.sni_section and a.org_number not in company_sector:
            company_sector[a.org_number] = a.sni_section
        if a.size_band and a.org_number not in company_size:
            company_size[a.org_number] = a.size_band

    companies_in: dict[str, int] = defaultdict(int)
    for places in company_places.values():
        for place in places:
            companies_in[place] += 1
    activities_in: dict[str, int] = defaultdict(int)
    for held in activities:
        activities_in[held.municipality] += 1
    by_municipality = []
    for slug, name in municipalities:
        keys = per_municipality[slug]
        by_municipality.append(
            MunicipalityLine(
                municipality=slug,
                name=name,
                activities=activities_in[slug],
                participants=suppress(len(keys)),
                persons=suppress(len({p for _, p in keys})),
                companies=suppress(companies_in[slug]),
                hours=round(sum(hours_of[k] for k in keys), 2),
            )
        )

    genders: dict[str, int] = defaultdict(int)
    for g in gender.values():
        genders[g] += 1
    return Report(
        activities=len(activities),
        participants=len(pairs),
        persons=len({p for _, p in pairs}),
        companies=len(company_places),
        hours=round(sum(hours_of.values()), 2),
        activity_list=lines,
        by_municipality=by_municipality,
        by_sector=_shares(company_places, company_sector, SECTOR_ORDER),
        by_size_band=_shares(company_places, company_size, SIZE_ORDER),
        by_gender=[Share(key=g, count=suppress_gender(genders[g])) for g in GENDERS],
    )


def _shares(
    companies: dict[str, set[str]], told: dict[str, str], order: tuple[str, ...]
) -> list[Share]:
    counts: dict[str, int] = defaultdict(int)
    for org in companies:
        counts[told.get(org, UNKNOWN)] += 1
    # Known values in their code order, "not told" last.
    rank = {k: i for i, k in enumerate(order)}
    return [
        Share(key=k, count=suppress(counts[k]))
        for k in sorted(counts, key=lambda k: (rank.get(k, len(order)), k))
    ]
