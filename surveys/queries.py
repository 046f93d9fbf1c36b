"""All database queries of the survey domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.query.functions.aggregate import Count

from surveys.rows import AnswerRow, InviteRow, NeedRow, RoundPlace, RoundRow
from surveys.tables import (
    SurveyAnswer,
    SurveyInvite,
    SurveyNeed,
    SurveyRound,
    SurveyRoundMunicipality,
)
from traffpunkt.db import returned_uuid, row_of, rows_of
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource

A = SurveyAnswer
I = SurveyInvite  # noqa: E741
P = SurveyRoundMunicipality


# --- rounds --------------------------------------------------------------------------------


async def insert_round(values: dict[str, Any]) -> None:
    await SurveyRound.insert(SurveyRound(**values))


async def update_round(round_id: UUID, values: dict[str, Any]) -> None:
    if values:
        await SurveyRound.update({getattr(SurveyRound, k): v for k, v in values.items()}).where(
            SurveyRound.id == round_id
        )


async def set_places(round_id: UUID, municipalities: Sequence[UUID]) -> None:
    await P.delete().where(P.round == round_id)
    if municipalities:
        await P.insert(*(P(round=round_id, municipality=m) for m in municipalities))


async def round_by_id(round_id: UUID) -> RoundRow | None:
    row = await SurveyRound.select().where(SurveyRound.id == round_id).first()
    return row_of(row, RoundRow)


async def round_by_slug(slug: str) -> RoundRow | None:
    row = await SurveyRound.select().where(SurveyRound.slug == slug).first()
    return row_of(row, RoundRow)


async def slug_taken(slug: str) -> bool:
    return bool(await SurveyRound.exists().where(SurveyRound.slug == slug))


async def rounds(municipalities: Sequence[UUID] | None, limit: int) -> list[RoundRow]:
    """Rounds (newest first) in any of the municipalities named (every round when None)."""
    query = SurveyRound.select().order_by(SurveyRound.opens_at, ascending=False).limit(limit)
    if municipalities is not None:
        if not municipalities:
            return []
        ids = P.select(P.round).where(P.municipality.is_in(list(municipalities)))
        query = query.where(SurveyRound.id.is_in(ids))
    return rows_of(await query, RoundRow)


async def places(round_ids: Sequence[UUID]) -> list[RoundPlace]:
    if not round_ids:
        return []
    rows = (
        await P.select(
            P.round,
            P.municipality,
            P.municipality.slug.as_alias("slug"),
            P.municipality.name.as_alias("name"),
        )
        .where(P.round.is_in(list(round_ids)))
        .order_by(P.municipality.name)
    )
    return rows_of(rows, RoundPlace)


# --- invites -------------------------------------------------------------------------------

_INVITE = (I.id, I.round, I.email, I.name, I.language, I.answer_id, I.created_at, I.reminded_at)


async def invited_emails(round_id: UUID, emails: Sequence[str]) -> set[str]:
    if not emails:
        return set()
    keys = [f"{round_id}:{e}" for e in emails]
    rows = await I.select(I.email).where(I.round_email.is_in(keys))
    return {r["email"] for r in rows}


async def insert_invites(rows: list[dict[str, Any]]) -> None:
    if rows:
        await I.insert(*(I(**r) for r in rows))


async def invite_by_hash(token_hash: str) -> InviteRow | None:
    row = (
        await I.select(*_INVITE)
        .where((I.token_hash == token_hash) | (I.reminder_token_hash == token_hash))
        .first()
    )
    return row_of(row, InviteRow)


async def link_invite(invite_id: UUID, answer_id: UUID | None) -> None:
    await I.update({I.answer_id: answer_id}).where(I.id == invite_id)


async def relink_invites(old: UUID, new: UUID) -> None:
    await I.update({I.answer_id: new}).where(I.answer_id == old)


async def unlink_invites(answer_id: UUID) -> None:
    await I.update({I.answer_id: None}).where(I.answer_id == answer_id)


async def invites_to_remind(round_id: UUID) -> list[InviteRow]:
    rows = await I.select(*_INVITE).where(
        (I.round == round_id) & I.answer_id.is_null() & I.reminded_at.is_null()
    )
    return rows_of(rows, InviteRow)


async def mark_reminded(invite_id: UUID, now: datetime, token_hash: str) -> bool:
    """The decision that a reminder goes: only an invite still unanswered and never reminded
    (a second organiser's click, or a second process, finds nothing to update)."""
    rows = await I.raw(
        "UPDATE survey_invite SET reminded_at = {}, reminder_token_hash = {} "
        "WHERE id = {} AND answer_id IS NULL AND reminded_at IS NULL RETURNING id",
        now,
        token_hash,
        invite_id,
    )
    return bool(rows)


# --- answers -------------------------------------------------------------------------------

_COLUMNS = (
    "id", "round", "round_company", "org_number", "company_name", "municipality", "sector",
    "size_band", "contact_name", "email", "language", "free_text", "contact_consent",
    "networking_consent", "token_hash", "answered_at", "updated_at",
)  # fmt: skip
# What an answer for a company already in the round replaces (the latest kept); its id and
# first `round_company` stay, so links to it keep working.
_UPDATED = [c for c in _COLUMNS if c not in ("id", "round", "round_company", "token_hash")]


def _upsert_sql(new_token: bool) -> str:
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    values = ", ".join("{}" for _ in _COLUMNS)
    updated = [*_UPDATED, "token_hash"] if new_token else _UPDATED
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in updated)
    return (
        f"INSERT INTO survey_answer ({columns}) VALUES ({values}) "
        f'ON CONFLICT ("round_company") DO UPDATE SET {sets} RETURNING id'
    )


async def upsert_answer(values: dict[str, Any], new_token: bool) -> UUID:
    """Insert the answer, or replace the round's answer of the same company (one statement: two
    answers for one organisation number at the same time keep one row, on both engines). With
    `new_token` the answer's link becomes the one just made (an answer through the open link)."""
    rows = await A.raw(_upsert_sql(new_token), *(values[c] for c in _COLUMNS))
    return returned_uuid(rows[0]["id"])


async def replace_needs(answer_id: UUID, rows: list[dict[str, Any]]) -> None:
    await SurveyNeed.delete().where(SurveyNeed.answer == answer_id)
    if rows:
        await SurveyNeed.insert(*(SurveyNeed(answer=answer_id, **r) for r in rows))


_ANSWER = tuple(getattr(A, c) for c in _COLUMNS if c not in ("round_company", "token_hash"))


async def answer_by_id(answer_id: UUID) -> AnswerRow | None:
    return row_of(await A.select(*_ANSWER).where(A.id == answer_id).first(), AnswerRow)


async def answer_by_hash(token_hash: str) -> AnswerRow | None:
    return row_of(await A.select(*_ANSWER).where(A.token_hash == token_hash).first(), AnswerRow)


async def delete_answer(answer_id: UUID) -> None:
    await SurveyNeed.delete().where(SurveyNeed.answer == answer_id)
    await A.delete().where(A.id == answer_id)


async def answers_of_round(
    round_id: UUID, municipalities: Sequence[UUID] | None
) -> list[AnswerRow]:
    query = A.select(*_ANSWER).where(A.round == round_id).order_by(A.company_name)
    if municipalities is not None:
        if not municipalities:
            return []
        query = query.where(A.municipality.is_in(list(municipalities)))
    return rows_of(await query, AnswerRow)


async def needs_of(answer_ids: Sequence[UUID]) -> list[NeedRow]:
    if not answer_ids:
        return []
    rows = await SurveyNeed.select(
        SurveyNeed.answer, SurveyNeed.topic, SurveyNeed.kind, SurveyNeed.urgency
    ).where(SurveyNeed.answer.is_in(list(answer_ids)))
    return rows_of(rows, NeedRow)


# --- figures -------------------------------------------------------------------------------


async def invite_counts(round_id: UUID) -> tuple[int, int, int]:
    """(invites, answered invites, reminded invites) of a round."""
    invites = await I.count().where(I.round == round_id)
    answered = await I.count().where((I.round == round_id) & I.answer_id.is_not_null())
    reminded = await I.count().where((I.round == round_id) & I.reminded_at.is_not_null())
    return invites, answered, reminded


async def answers_per_municipality(round_id: UUID) -> dict[UUID, int]:
    rows = (
        await A.select(A.municipality, Count(A.id, alias="n"))
        .where(A.round == round_id)
        .group_by(A.municipality)
    )
    return {r["municipality"]: int(r["n"]) for r in rows}


# --- signals -------------------------------------------------------------------------------


async def need_signals(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    """Every need and offer of the answers given in [start, end), in the municipalities named
    (all when None)."""
    query = SurveyNeed.select(
        SurveyNeed.answer.municipality.as_alias("municipality"),
        SurveyNeed.topic,
        SurveyNeed.kind,
        SurveyNeed.urgency,
        SurveyNeed.answer.org_number.as_alias("company"),
        SurveyNeed.answer.answered_at.as_alias("at"),
        SurveyNeed.answer.sector.as_alias("sector"),
        SurveyNeed.answer.size_band.as_alias("size_band"),
    ).where((SurveyNeed.answer.answered_at >= start) & (SurveyNeed.answer.answered_at < end))
    if municipalities is not None:
        query = query.where(SurveyNeed.answer.municipality.is_in(list(municipalities)))
    rows = await query
    return rows_of([{**r, "source": NeedSource.SURVEY} for r in rows], NeedSignal)


class SurveyCompany(msgspec.Struct, frozen=True):
    """A company as an answer describes it (no contact details)."""

    org_number: str
    municipality: UUID
    sector: str  # SNI 2007 section letter or ""
    size_band: str  # traffpunkt.companies.SIZE_BANDS code or ""


async def companies_answered(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[SurveyCompany]:
    query = SurveyAnswer.select(
        SurveyAnswer.org_number,
        SurveyAnswer.municipality,
        SurveyAnswer.sector,
        SurveyAnswer.size_band,
    ).where((SurveyAnswer.answered_at >= start) & (SurveyAnswer.answered_at < end))
    if municipalities is not None:
        query = query.where(SurveyAnswer.municipality.is_in(list(municipalities)))
    return rows_of(await query, SurveyCompany)


# --- contacts for planning (who asked for a topic and may be contacted) -------------------------


class ContactRow(msgspec.Struct, frozen=True):
    org_number: str
    email: str
    name: str
    language: str
    answered_at: datetime


async def contacts_for_topic(
    municipality: UUID, topics: Sequence[str], since: datetime | None = None
) -> list[ContactRow]:
    """Answers in the municipality that named one of the topics as a need and agreed to be
    contacted, with an address; the newest answer per company first. Erased answers are gone
    from the table, so they never show."""
    query = SurveyNeed.select(
        SurveyNeed.answer.org_number.as_alias("org_number"),
        SurveyNeed.answer.email.as_alias("email"),
        SurveyNeed.answer.contact_name.as_alias("name"),
        SurveyNeed.answer.language.as_alias("language"),
        SurveyNeed.answer.answered_at.as_alias("answered_at"),
    ).where(
        (SurveyNeed.answer.municipality == municipality)
        & SurveyNeed.topic.is_in(list(topics))
        & (SurveyNeed.kind == NeedKind.NEED)
        & (SurveyNeed.answer.contact_consent == True)  # noqa: E712 (a column, not a bool)
        & (SurveyNeed.answer.email != "")
    )
    if since is not None:
        query = query.where(SurveyNeed.answer.answered_at >= since)
    rows = await query.order_by(SurveyNeed.answer.answered_at, ascending=False)
    return rows_of(rows, ContactRow)


# --- need counts for planning (the planning page at Sweden's scale) -----------------------------


class NeedCountRow(msgspec.Struct, frozen=True):
    municipality: str
    topic: str
    urgency: int
    companies: int


async def need_counts(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedCountRow]:
    """Distinct companies per (municipality, topic) at their highest urgency, for the needs
    of answers given in [start, end): counted in the database, so tens of thousands of
    answers never travel to Python."""
    where = "n.kind = {} AND a.answered_at >= {} AND a.answered_at < {}"
    args: list[object] = [NeedKind.NEED.value, start, end]
    if municipalities is not None:
        if not municipalities:
            return []
        where += f" AND a.municipality IN ({', '.join('{}' for _ in municipalities)})"
        args += list(municipalities)
    sql = (
        "SELECT CAST(municipality AS VARCHAR) AS municipality, topic, urgency, "
        "COUNT(*) AS companies FROM ("
        " SELECT a.municipality AS municipality, n.topic AS topic, MAX(n.urgency) AS urgency"
        " FROM survey_need n JOIN survey_answer a ON a.id = n.answer"
        f" WHERE {where}"
        " GROUP BY a.municipality, n.topic, a.org_number"
        ") per_company GROUP BY municipality, topic, urgency"
    )
    return rows_of(await SurveyNeed.raw(sql, *args), NeedCountRow)


# --- retention (service/retention.py) ----------------------------------------------------------


async def rounds_closed_before(before: datetime) -> list[UUID]:
    rows = await SurveyRound.select(SurveyRound.id).where(SurveyRound.closes_at < before)
    return [r["id"] for r in rows]


async def answers_to_retain(round_id: UUID) -> list[tuple[UUID, str]]:
    """(id, organisation number) of the round's answers that still say who answered."""
    rows = await A.select(A.id, A.org_number).where(
        (A.round == round_id)
        & ((A.email != "") | (A.contact_name != "") | (A.company_name != "") | (A.free_text != ""))
    )
    return [(r["id"], r["org_number"]) for r in rows]


async def retain_answer(answer_id: UUID, values: dict[Column | str, Any]) -> None:
    await A.update(values).where(A.id == answer_id)


async def retain_invites(round_id: UUID, token_hash_of: Any) -> int:
    """The round's invitations lose address and name (and their links die)."""
    rows = await I.select(I.id).where((I.round == round_id) & (I.email != ""))
    for r in rows:
        await I.update(
            {
                I.email: "",
                I.name: "",
                I.round_email: f"{round_id}:retained:{r['id']}",
                I.token_hash: token_hash_of(),
                I.reminder_token_hash: None,
            }
        ).where(I.id == r["id"])
    return len(rows)
