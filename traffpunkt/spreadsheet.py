"""Tables people open in a spreadsheet: XLSX, and a CSV that Excel in Swedish reads right.

Municipal offices open exports in Excel with Swedish settings, where the list separator is `;`
and a CSV without a byte-order mark is read as Windows-1252: a comma-separated UTF-8 file opens
as one column of mojibake. So:

- `xlsx` writes a real workbook with XlsxWriter (write-only, constant memory, so a long list
  streams row by row): text cells as text, dates as dates, a bold frozen header row and a filter.
- `csv_excel` writes UTF-8 with a BOM, `;` between fields and CRLF line ends.

Both neutralise formula injection: a cell of text that starts with `=`, `+`, `-`, `@`, a tab or a
CR is never read as a formula (XLSX: written as a string cell; CSV: prefixed with `'`).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter

Cell = str | int | float | bool | date | datetime | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Cell) -> str:
    """A cell as CSV text, never a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_excel(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


def xlsx(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.BytesIO()
    # constant_memory: each row goes to a temporary file as written, so memory stays flat.
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    _sheet(book, sheet, headers, rows)
    book.close()
    return out.getvalue()


Sheet = tuple[str, Sequence[str], Iterable[Sequence[Cell]]]
CHUNK = 64 * 1024


def xlsx_stream(sheets: Iterable[Sheet]) -> Iterator[bytes]:
    """A workbook of several sheets, streamed: rows go to XlsxWriter's temporary files as they
    come (constant_memory), the finished file to a temporary file on disk, and it is handed out
    in 64 KiB chunks, so memory stays bounded however long the sheets are. Synchronous (CPU
    work): an ASGI response iterates it in a worker thread."""
    with tempfile.TemporaryFile() as out:
        book = xlsxwriter.Workbook(out, {"constant_memory": True})
        for name, headers, rows in sheets:
            _sheet(book, name, headers, rows)
        book.close()
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


def _sheet(book: Any, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    ws = book.add_worksheet(sheet[:31])  # Excel's limit for a sheet name
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    widths = [len(h) for h in headers]
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write(ws, count, col, value, when, day)
            widths[col] = max(widths[col], min(len(csv_safe(value)), 60))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width + 2)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(count, 1), max(len(headers) - 1, 0))


def _write(ws: Any, row: int, col: int, value: Cell, when: Any, day: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    elif isinstance(value, datetime):
        # Excel has no time zones: the local wall-clock time the organiser expects.
        ws.write_datetime(row, col, value.replace(tzinfo=None), when)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), day)
    else:
        ws.write_string(row, col, value)  # a string cell: never evaluated as a formula
