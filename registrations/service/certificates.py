"""Course completion and certificates: who completed (registrations.completion's rule over
what the door and the organiser recorded), "send certificates", the public check of one, and
its PDF.

A certificate is issued once per registration: the table's unique key decides, inside the
transaction that also puts its mail in the outbox, so pressing the button twice (or on two
screens at once) issues and mails each certificate once.

The link to a certificate (`/certificates/{token}`) is a secret: the token is derived from the
certificate's id with the server's secret key (HMAC-SHA-256), unguessable like a random one, and
only its SHA-256 is stored. Deriving it (instead of drawing it at random) lets the attendee's
own page print the PDF again with the same verification link, which a stored hash alone
could not give back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from events import service as events_service
from events.rows import EventRow, SessionRow
from notifications import service as mail
from registrations import completion, queries
from registrations.queries import CertificateRow, RegistrationRow
from registrations.schemas import CertificateCheck, CertificateRun
from registrations.statuses import RegistrationStatus
from traffpunkt import db, i18n
from traffpunkt.auth import Principal, hash_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_local
from traffpunkt.pdf import Document
from traffpunkt.settings import current_settings
from traffpunkt.templating import local_date, local_time


def _token(certificate_id: UUID) -> str:
    key = current_settings().secret_key.encode()
    digest = hmac.new(key, b"certificate:" + certificate_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def verify_url(token: str) -> str:
    return f"{current_settings().base_url}/certificates/{token}"


def pdf_url(token: str) -> str:
    return f"{verify_url(token)}/certificate.pdf"


@dataclass(frozen=True, slots=True)
class Progress:
    """One confirmed person's way through a course."""

    registration: RegistrationRow
    attended: list[SessionRow]  # of a series: sessions attended that took place
    minutes: int
    completed: bool


def _rule(event: EventRow) -> completion.Rule:
    held = [s for s in event.sessions if s.cancelled_at is None]
    return completion.Rule(
        sessions=len(held) or 1,
        min_sessions=event.completion_min_sessions,
        requires_exam=event.completion_requires_exam,
    )


async def progress_of(event: EventRow) -> list[Progress]:
    """Every confirmed person of the event (with its sessions), with what they attended."""
    regs = await queries.of_event(event.id, [RegistrationStatus.CONFIRMED])
    held = [s for s in event.sessions if s.cancelled_at is None]
    seen: dict[UUID, set[UUID]] = {}
    if held:
        for a in await queries.attendance_of_event(event.id):
            seen.setdefault(a.registration, set()).add(a.session_id)
    rule = _rule(event)
    out = []
    for reg in regs:
        if held:
            attended = [s for s in held if s.id in seen.get(reg.id, set())]
            spans = [(s.starts_at, s.ends_at) for s in attended]
        else:
            attended = []
            spans = [(event.starts_at, event.ends_at)] if reg.checked_in_at else []
        done = completion.completed(rule, len(spans), reg.exam_passed_at is not None)
        out.append(Progress(reg, attended, completion.minutes(spans), done))
    return out


@dataclass(frozen=True, slots=True)
class CourseOverview:
    """The organiser's view of a course: its rule, everyone's progress, who has a certificate."""

    event: EventRow
    rule: completion.Rule
    progress: list[Progress]
    holders: set[UUID]


async def course_overview(actor: Principal, event_id: str) -> CourseOverview:
    event = await events_service.with_sessions(
        await events_service.event_for_organiser(actor, event_id)
    )
    return CourseOverview(
        event, _rule(event), await progress_of(event), await queries.certificate_holders(event.id)
    )


async def send_certificates(actor: Principal, event_id: str) -> CertificateRun:
    """A certificate, and one mail with its link, for everyone who completed the course and
    has none yet."""
    issued = already = not_completed = 0
    async with db.transaction():
        event = await events_service.with_sessions(
            await events_service.event_for_organiser(actor, event_id)
        )
        holders = await queries.certificate_holders(event.id)
        now = utc_now()
        for p in await progress_of(event):
            reg = p.registration
            if not p.completed:
                not_completed += 1
                continue
            if reg.id in holders:
                already += 1
                continue
            cert_id = uuid4()
            token = _token(cert_id)
            inserted = await queries.insert_certificate(
                {
                    "id": cert_id,
                    "registration": reg.id,
                    "token_hash": hash_secret(token),
                    "issued_at": now,
                    "minutes": p.minutes,
                }
            )
            if not inserted:  # issued meanwhile by another press of the button
                already += 1
                continue
            issued += 1
            await mail.enqueue(
                "certificate",
                to=reg.email,
                name=reg.name,
                language=reg.language,
                event_id=event.id,
                registration_id=reg.id,
                data={"hours": completion.hours_text(p.minutes, reg.language)},
                secrets={"certificate_url": pdf_url(token), "verify_url": verify_url(token)},
                dedupe_key=f"certificate:{reg.id}",
            )
        await events_service.record_action(actor, "certificates.sent", event.id, str(issued))
    return CertificateRun(issued=issued, already=already, not_completed=not_completed)


async def set_exam_passed(
    actor: Principal, event_id: str, registration_id: str, passed: bool
) -> None:
    async with db.transaction():
        event = await events_service.event_for_organiser(actor, event_id)
        reg = await queries.by_id(parse_id(registration_id))
        if reg is None or reg.event != event.id:
            raise NotFound("No such registration for this event")
        now = utc_now()
        if (reg.exam_passed_at is not None) != passed:
            await queries.set_exam_passed(reg.id, now if passed else None, now)
            await events_service.record_action(
                actor, "exam.passed" if passed else "exam.unmarked", event.id, reg.name
            )


# --- a certificate: its check and its PDF -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Issued:
    certificate: CertificateRow
    registration: RegistrationRow
    event: EventRow
    token: str


async def _by_token(token: str) -> _Issued:
    cert = await queries.certificate_by_hash(hash_secret(token)) if len(token) < 100 else None
    if cert is None:
        raise NotFound("No such certificate")
    return await _issued(cert, token)


async def _issued(cert: CertificateRow, token: str) -> _Issued:
    reg = await queries.by_id(cert.registration)
    event = await events_service.event_for_mail(reg.event) if reg else None
    if reg is None or event is None or reg.erased_at is not None:
        raise NotFound("No such certificate")
    return _Issued(cert, reg, event, token)


async def check_certificate(token: str) -> CertificateCheck:
    """What the public check of a certificate says: valid, the course, the name, the date
    (nothing else about the person)."""
    issued = await _by_token(token)
    return CertificateCheck(
        valid=True,
        course=issued.event.title,
        name=issued.registration.name,
        organiser=issued.event.municipality_name,
        issued_on=to_local(issued.certificate.issued_at, issued.event.timezone).date(),
    )


async def certificate_pdf(token: str, *, compress: bool = True) -> bytes:
    return await _pdf(await _by_token(token), compress)


async def own_certificate(registration: RegistrationRow) -> CertificateRow | None:
    return await queries.certificate_of(registration.id)


async def own_certificate_pdf(registration: RegistrationRow, *, compress: bool = True) -> bytes:
    """The certificate from the attendee's own (manage) link."""
    cert = await queries.certificate_of(registration.id)
    if cert is None:
        raise NotFound("No certificate for this registration")
    return await _pdf(await _issued(cert, _token(cert.id)), compress)


async def _pdf(issued: _Issued, compress: bool) -> bytes:
    reg, event, cert = issued.registration, issued.event, issued.certificate
    lang = i18n.normalise(reg.language)

    def _(message: str) -> str:
        return i18n.gettext(lang, message)

    tz = event.timezone
    doc = Document(f"{_('Course certificate')}: {event.title}", compress=compress)
    doc.heading(_("Course certificate"), size=26)
    doc.paragraph(reg.name, size=18, bold=True)
    doc.paragraph(_("has taken part in the course"))
    doc.paragraph(event.title, size=16, bold=True)
    doc.paragraph(f"{_('Organiser')}: {event.municipality_name}")
    progress = (
        next(p for p in await progress_of(event) if p.registration.id == reg.id)
        if (reg.status == RegistrationStatus.CONFIRMED)
        else None
    )
    rows: list[tuple[str, ...]] = [(_("Session"), _("Date"), _("Time"), _("Hours"))]
    spans = (
        [(s.position, s.starts_at, s.ends_at) for s in progress.attended]
        if progress and event.sessions
        else [(1, event.starts_at, event.ends_at)]
    )
    for position, start, end in spans:
        rows.append(
            (
                str(position),
                local_date(start, tz, lang, "medium"),
                f"{local_time(start, tz, lang)}-{local_time(end, tz, lang)}",
                completion.hours_text(completion.minutes([(start, end)]), lang),
            )
        )
    doc.ln(2)
    doc.rows_table(rows, (25, 55, 45, 45))
    doc.paragraph(
        f"{_('Total hours')}: {completion.hours_text(cert.minutes, lang)}", size=13, bold=True
    )
    issued_on = local_date(cert.issued_at, tz, lang, "long")
    doc.paragraph(f"{_('Issued')}: {issued_on}")
    doc.ln(4)
    url = verify_url(issued.token)
    doc.paragraph(_("Check that this certificate is genuine:"), size=10)
    doc.paragraph(url, size=9)
    doc.qr_code(url)
    created: datetime = cert.issued_at
    return doc.finish(created)
