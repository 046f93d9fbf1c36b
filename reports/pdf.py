"""The report and the signed attendance list as PDF (fpdf2, pure Python).

DejaVu Sans (Debian's fonts-dejavu-core) is used when installed, so every name prints (Sámi
ŋ and đ, Finnish, Polish); without it the PDF core font Helvetica is used and characters
outside Latin-1 are replaced, never lost silently as an error."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from events.rows import EventRow
from registrations.service import SignatureLine
from reports import labels
from reports.schemas import ParticipationOut
from traffpunkt import i18n
from traffpunkt.localtime import to_local

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
BLANK_LINES = 8  # for people who come without signing up


class _Pdf(FPDF):
    def __init__(self, lang: str, footer_text: str) -> None:
        super().__init__(format="A4")
        self.lang = lang
        self.footer_text = footer_text
        regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold))
            self.body_font = "body"
            self.has_unicode = True
        else:  # pragma: no cover - Debian images have the font
            self.body_font = "helvetica"
            self.has_unicode = False
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        self.add_page()
        self.set_font(self.body_font, size=10)

    def text_of(self, value: object) -> str:
        text = str(value)
        return text if self.has_unicode else text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body_font, size=8)
        self.cell(0, 6, self.text_of(f"{self.footer_text} – {self.page_no()}"), align="C")

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font(self.body_font, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.body_font, size=10)
        self.ln(2)

    def table_of(
        self, headers: list[str], rows: list[list[object]], widths: tuple[int, ...], height: float
    ) -> None:
        bold = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
        with self.table(
            col_widths=widths,
            headings_style=bold,
            line_height=height,
            text_align="LEFT",
            repeat_headings=1,
        ) as table:
            head = table.row()
            for h in headers:
                head.cell(self.text_of(h))
            for values in rows:
                row = table.row()
                for v in values:
                    row.cell(self.text_of(v))
        self.ln(4)


def participation_pdf(report: ParticipationOut, lang: str) -> bytes:
    def _(message: str) -> str:
        return i18n.gettext(lang, message)

    pdf = _Pdf(lang, _("Participant report"))
    pdf.heading(_("Participant report"))
    pdf.multi_cell(
        0,
        5,
        pdf.text_of(
            f"{report.start.isoformat()} – {report.to.isoformat()}. "
            f"{_('Municipalities')}: {', '.join(m.name for m in report.by_municipality)}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.table_of(
        [_("What"), _("Figure")],
        [
            [_("Activities held"), report.activities],
            [_("Participants (checked in)"), report.participants],
            [_("Distinct persons"), report.persons],
            [_("Distinct companies"), report.companies],
            [_("Hours of participation"), report.hours],
        ],
        (3, 1),
        6,
    )
    pdf.heading(_("By municipality"), 12)
    pdf.table_of(
        [
            _("Municipality"),
            _("Activities"),
            _("Participants"),
            _("Persons"),
            _("Companies"),
            _("Hours"),
        ],
        [
            [m.name, m.activities, m.participants, m.persons, m.companies, m.hours]
            for m in report.by_municipality
        ],
        (3, 2, 2, 2, 2, 2),
        6,
    )
    for title, head, shares, label in (
        (_("By sector"), _("Sector (SNI section)"), report.by_sector, labels.sector),
        (_("By size"), _("Size of the company"), report.by_size_band, labels.size_band),
        (_("Gender"), _("Gender"), report.by_gender, labels.gender),
    ):
        pdf.heading(title, 12)
        count_head = _("Persons") if shares is report.by_gender else _("Companies")
        pdf.table_of([head, count_head], [[label(lang, s.key), s.count] for s in shares], (4, 1), 6)
    pdf.heading(_("Activities"), 12)
    pdf.set_font(pdf.body_font, size=8)
    pdf.table_of(
        [
            _("Date"),
            _("Title"),
            _("Kind"),
            _("On site or online"),
            _("Venue"),
            _("Hours"),
            _("Participants"),
        ],
        [
            [
                a.date.isoformat(),
                a.title,
                labels.kind(lang, a.kind),
                labels.mode(lang, a.mode),
                a.place or a.municipality_name,
                a.hours,
                a.participants,
            ]
            for a in report.activity_list
        ],
        (5, 10, 5, 5, 7, 3, 4),
        5,
    )
    return bytes(pdf.output())


def attendance_pdf(event: EventRow, lines: list[SignatureLine], lang: str) -> bytes:
    def _(message: str) -> str:
        return i18n.gettext(lang, message)

    starts: datetime = to_local(event.starts_at, event.timezone)
    ends: datetime = to_local(event.ends_at, event.timezone)
    pdf = _Pdf(lang, f"{_('Attendance list')}: {event.title}")
    pdf.heading(f"{_('Attendance list')}: {event.title}")
    place = ", ".join(p for p in (event.venue_name, event.municipality_name) if p)
    pdf.multi_cell(
        0,
        5,
        pdf.text_of(
            f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}. {place}.\n"
            + _("By signing you confirm that you took part in the activity.")
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    rows: list[list[object]] = [[ln.name, ln.organisation, ln.municipality, ""] for ln in lines]
    rows += [["", "", "", ""] for _ in range(BLANK_LINES)]
    pdf.table_of(
        [_("Name"), _("Company or organisation"), _("Municipality"), _("Signature")],
        rows,
        (5, 5, 3, 5),
        9,
    )
    return bytes(pdf.output())
