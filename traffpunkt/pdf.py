"""PDF documents (course certificates, and whatever else needs paper): fpdf2 with its core
fonts, one A4 page layout, QR codes from traffpunkt.qr.

The core fonts (Helvetica) are Latin-1: å, ä, ö, é, ü print; anything else a person typed is
replaced (`printable`) instead of failing the whole document. No font files to ship.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime

from fpdf import FPDF

from traffpunkt import qr

# Typography that people type and Latin-1 lacks, with its closest Latin-1 form.
_REPLACEMENTS = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "…": "...",
        "\u00a0": " ",
        "€": "EUR",
    }
)


def printable(text: str) -> str:
    """The text in Latin-1: typographic marks simplified, accents kept where Latin-1 has the
    letter, dropped where it has not (ł -> l), anything else "?"."""
    out = []
    for ch in str(text).translate(_REPLACEMENTS):
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


class Document(FPDF):
    """An A4 page in millimetres with Helvetica; `compress=False` keeps the text streams plain
    (tests read them)."""

    def __init__(self, title: str, *, author: str = "Träffpunkt", compress: bool = True) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_compression(compress)
        self.set_title(printable(title))
        self.set_author(printable(author))
        self.set_creator("Träffpunkt")
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(20, 20, 20)
        self.add_page()
        self.set_font("Helvetica", size=11)

    def heading(self, text: str, size: int = 22) -> None:
        self.set_font("Helvetica", style="B", size=size)
        self.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_font("Helvetica", size=11)

    def paragraph(self, text: str, size: int = 11, bold: bool = False) -> None:
        self.set_font("Helvetica", style="B" if bold else "", size=size)
        self.multi_cell(0, size * 0.5, printable(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font("Helvetica", size=11)

    def rows_table(self, rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        """Plain rows, the first one bold (a header)."""
        for i, row in enumerate(rows):
            self.set_font("Helvetica", style="B" if i == 0 else "", size=10)
            for width, cell in zip(widths, row, strict=True):
                self.cell(width, 7, printable(cell), border="B")
            self.ln(7)
        self.set_font("Helvetica", size=11)
        self.ln(2)

    def qr_code(self, text: str, size_mm: float = 35) -> None:
        """A QR code of `text` at the left margin, with room below it."""
        self.image(io.BytesIO(qr.png(text, box_size=6)), x=self.l_margin, w=size_mm, h=size_mm)
        self.ln(2)

    def finish(self, created: datetime | None = None) -> bytes:
        if created is not None:
            self.set_creation_date(created)
        return bytes(self.output())
