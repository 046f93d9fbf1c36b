"""The participant report as spreadsheet sheets (`traffpunkt.spreadsheet.xlsx_stream`): a
summary, the activities, and the breakdowns, with the same "<3" as the page. No sheet has a
row per person."""

from __future__ import annotations

from collections.abc import Iterator

from reports import labels
from reports.schemas import ParticipationOut
from traffpunkt import i18n
from traffpunkt.spreadsheet import Cell, Sheet


def participation_sheets(report: ParticipationOut, lang: str) -> list[Sheet]:
    def _(message: str) -> str:
        return i18n.gettext(lang, message)

    summary: list[list[Cell]] = [
        [_("From"), report.start],
        [_("To"), report.to],
        [_("Municipalities"), ", ".join(report.municipalities)],
        [_("Activities held"), report.activities],
        [_("Participants (checked in)"), report.participants],
        [_("Distinct persons"), report.persons],
        [_("Distinct companies"), report.companies],
        [_("Hours of participation"), report.hours],
    ]

    def activities() -> Iterator[list[Cell]]:
        for a in report.activity_list:
            yield [
                a.date,
                a.title,
                labels.kind(lang, a.kind),
                labels.mode(lang, a.mode),
                a.place,
                a.municipality_name,
                a.hours,
                a.participants,
                a.participant_hours,
            ]

    return [
        (_("Summary"), [_("What"), _("Figure")], summary),
        (
            _("Activities"),
            [
                _("Date"),
                _("Title"),
                _("Kind"),
                _("On site or online"),
                _("Venue"),
                _("Municipality"),
                _("Hours"),
                _("Participants"),
                _("Hours of participation"),
            ],
            activities(),
        ),
        (
            _("By municipality"),
            [
                _("Municipality"),
                _("Activities"),
                _("Participants"),
                _("Persons"),
                _("Companies"),
                _("Hours of participation"),
            ],
            [
                [m.name, m.activities, m.participants, m.persons, m.companies, m.hours]
                for m in report.by_municipality
            ],
        ),
        (
            _("By sector"),
            [_("Sector (SNI section)"), _("Companies")],
            [[labels.sector(lang, s.key), s.count] for s in report.by_sector],
        ),
        (
            _("By size"),
            [_("Size of the company"), _("Companies")],
            [[labels.size_band(lang, s.key), s.count] for s in report.by_size_band],
        ),
        (
            _("Gender"),
            [_("Gender"), _("Persons")],
            [[labels.gender(lang, s.key), s.count] for s in report.by_gender],
        ),
    ]
