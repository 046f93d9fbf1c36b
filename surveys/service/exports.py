"""A round's answers as a spreadsheet (organisers only): one row per answer, in the
organiser's language, only answers from municipalities the organiser manages."""

from __future__ import annotations

from collections import defaultdict

from events import topics
from surveys import queries
from surveys.rows import NeedRow
from surveys.service._common import round_for_organiser, zone
from traffpunkt import i18n
from traffpunkt.auth import Principal
from traffpunkt.companies import SIZE_BY_CODE, SNI_BY_CODE
from traffpunkt.localtime import to_local
from traffpunkt.needs import NeedKind
from traffpunkt.spreadsheet import Cell


def _topic(slug: str, lang: str) -> str:
    return topics.BY_SLUG[slug].label(lang) if slug in topics.BY_SLUG else slug


async def round_table(
    actor: Principal, round_id: str, lang: str
) -> tuple[str, list[str], list[list[Cell]]]:
    """(file name without extension, headers, rows)."""
    row, places = await round_for_organiser(actor, round_id)
    _ = i18n.translator(lang)
    names = {p.municipality: p.name for p in places}
    managed = (
        None
        if actor.is_admin
        else [p.municipality for p in places if actor.can_manage(p.municipality)]
    )
    answers = await queries.answers_of_round(row.id, managed)
    tz = zone()
    needs: dict[object, list[NeedRow]] = defaultdict(list)
    for n in await queries.needs_of([a.id for a in answers]):
        needs[n.answer].append(n)
    headers = [
        _("Company"),
        _("Organisation number"),
        _("Municipality"),
        _("Sector"),
        _("Size"),
        _("Contact person"),
        _("Email"),
        _("May be contacted about the topics"),
        _("May be suggested to other companies"),
        _("Needs (urgency 1–3)"),
        _("Offers"),
        _("Other needs or comments"),
        _("Answered"),
    ]
    rows: list[list[Cell]] = []
    for a in answers:
        own = sorted(needs[a.id], key=lambda n: (-n.urgency, n.topic))
        rows.append(
            [
                a.company_name,
                a.org_number,
                names.get(a.municipality, ""),
                f"{a.sector} {SNI_BY_CODE[a.sector].label(lang)}"
                if a.sector in SNI_BY_CODE
                else a.sector,
                SIZE_BY_CODE[a.size_band].label(lang)
                if a.size_band in SIZE_BY_CODE
                else a.size_band,
                a.contact_name,
                a.email,
                _("Yes") if a.contact_consent else _("No"),
                _("Yes") if a.networking_consent else _("No"),
                ", ".join(
                    f"{_topic(n.topic, lang)} ({n.urgency})" for n in own if n.kind == NeedKind.NEED
                ),
                ", ".join(_topic(n.topic, lang) for n in own if n.kind == NeedKind.OFFER),
                a.free_text,
                to_local(a.updated_at, tz),
            ]
        )
    return f"{row.slug}-{_('answers')}", headers, rows
