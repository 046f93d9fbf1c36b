"""Who to invite: people read from a pasted address list and/or an uploaded CSV (event
invitations in registrations, survey invitations in surveys: shared by the shell, since
neither domain may import the other).

Pure functions (no database, no request), so the parsing is tested on its own.

- Pasted text is an RFC 5322 address list as mail programs copy one (`Anna Andersson
  <anna@example.se>, bo@example.se`), one per line, or separated by `;` as Outlook does. It is
  split on lines and `;` first (so that a report can name the line), then read by
  `email.utils.getaddresses`, which keeps a name with its address and knows quoted names with a
  comma in them.
- A CSV may be written by Excel in Swedish (`;` between columns) or elsewhere (`,`): the
  delimiter is sniffed. A header row naming `email`/`e-post` (and `name`/`namn`) picks the
  columns; without one, the first cell holding an @ is the address and a cell before it the name.
- Every entry goes through the one address rule (`traffpunkt.addresses.normalise`); what fails
  is returned as `Skipped` with its line number and the rule's reason (a message id), so the
  page can list "Rad 4: 'anna@' – …" instead of dropping it silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from email.utils import getaddresses

from traffpunkt.addresses import AddressError, normalise

MAX_NAME = 200  # what a registration's name takes (PersonName)
_EMAIL_HEADERS = {
    "email", "e-mail", "email address", "e-post", "epost", "e-postadress", "epostadress",
    "mail", "mejl", "mejladress", "address", "adress",
}  # fmt: skip
_NAME_HEADERS = {"name", "namn", "full name", "fullständigt namn"}


@dataclass(frozen=True)
class Invitee:
    email: str  # normalised
    name: str = ""


@dataclass(frozen=True)
class Skipped:
    source: str  # "text" (pasted) or "file" (the CSV)
    line: int  # 1-based, as an editor or spreadsheet numbers it
    text: str  # what stood there
    reason: str  # message id (English), translated where shown


def _clean_name(name: str) -> str:
    return " ".join(name.split())[:MAX_NAME]


def _one(
    source: str, line: int, raw: str, name: str, people: list[Invitee], skipped: list[Skipped]
) -> None:
    try:
        people.append(Invitee(normalise(raw), _clean_name(name)))
    except AddressError as exc:
        skipped.append(Skipped(source, line, raw.strip(), exc.message))


def pasted(text: str) -> tuple[list[Invitee], list[Skipped]]:
    """The people of a pasted address list, and what could not be read (by line)."""
    people: list[Invitee] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for piece in line.split(";"):
            if not piece.strip():
                continue
            pairs = getaddresses([piece])
            if any(not address for _, address in pairs):
                # getaddresses gives ('', '') for what it cannot parse (e.g. "anna@"): check
                # the comma-separated parts as they stand, so the reason names the real fault.
                for raw in piece.split(","):
                    if raw.strip():
                        _one("text", number, raw, "", people, skipped)
                continue
            for name, address in pairs:
                _one("text", number, address, name, people, skipped)
    return people, skipped


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:  # one column, or nothing to tell from: either way a comma will do
        return csv.excel


def from_csv(text: str) -> tuple[list[Invitee], list[Skipped]]:
    """The people of a CSV file, and every row that could not be read (by line number)."""
    people: list[Invitee] = []
    skipped: list[Skipped] = []
    dialect = _dialect(text[:4096])
    sep = dialect.delimiter  # a skipped row is shown as it was written
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        return people, skipped
    header = [cell.strip().lower() for cell in rows[0]]
    email_col = next((i for i, h in enumerate(header) if h in _EMAIL_HEADERS), None)
    name_col = next((i for i, h in enumerate(header) if h in _NAME_HEADERS), None)
    start = 1 if email_col is not None else 0
    for number, row in enumerate(rows[start:], start=start + 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue  # an empty row is no one, not an error
        if email_col is not None:
            raw = cells[email_col] if email_col < len(cells) else ""
            name = cells[name_col] if name_col is not None and name_col < len(cells) else ""
        else:
            at = next((i for i, c in enumerate(cells) if "@" in c), None)
            raw = cells[at] if at is not None else sep.join(cells)
            name = cells[at - 1] if at else ""
        if not raw:
            skipped.append(Skipped("file", number, sep.join(cells), "The row has no address"))
            continue
        _one("file", number, raw, name, people, skipped)
    return people, skipped


def read(text: str, upload: str) -> tuple[list[Invitee], list[Skipped]]:
    """Everyone from both, once per address (the first name given wins), and what was skipped."""
    people, skipped = pasted(text)
    if upload:
        more, more_skipped = from_csv(upload)
        people += more
        skipped += more_skipped
    unique: dict[str, Invitee] = {}
    for person in people:
        if person.email not in unique or (person.name and not unique[person.email].name):
            unique[person.email] = person
    return list(unique.values()), skipped
