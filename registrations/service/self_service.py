"""The attendee's own registration, reached by the manage link: see, change, correct the
address, cancel, erase, "this wasn't me", the ticket.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from events import service as events_service
from events import topics
from notifications import service as mail
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.schemas import RegistrationOut, RegistrationPatch, TicketOut
from registrations.service._common import _check_profile
from registrations.service.address_correction import _change_address
from registrations.service.keys import ticket_code
from registrations.service.links import manage_url
from registrations.service.sign_up import address_hash
from registrations.service.waiting_list import _promote
from registrations.statuses import RegistrationStatus
from traffpunkt import db, hooks, i18n, limits
from traffpunkt.auth import hash_secret
from traffpunkt.clock import utc_now
from traffpunkt.companies import SIZE_BY_CODE, SNI_BY_CODE
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings


def gender_label(lang: str, code: str) -> str:
    """An answer to the voluntary gender question (statuses.Gender) in words, as the person
    and the funder's report read it."""
    words = {
        "woman": i18n.gettext(lang, "Woman"),
        "man": i18n.gettext(lang, "Man"),
        "other": i18n.gettext(lang, "Other"),
        "prefer_not_to_say": i18n.gettext(lang, "Prefer not to say"),
    }
    return words.get(code, code)


def own_report_answers(reg: RegistrationRow, lang: str) -> list[tuple[str, str]]:
    """The answers to the funder's report questions as stored, for the person's own eyes only
    (what is kept about them; organisers and the report see counts, never these)."""
    answers = []
    if reg.org_number:
        answers.append((i18n.gettext(lang, "Organisation number"), reg.org_number))
    if reg.sni_section:
        section = SNI_BY_CODE.get(reg.sni_section)
        text = f"{reg.sni_section} – {section.label(lang)}" if section else reg.sni_section
        answers.append((i18n.gettext(lang, "Sector (SNI section)"), text))
    if reg.size_band:
        band = SIZE_BY_CODE.get(reg.size_band)
        text = band.label(lang) if band else reg.size_band
        answers.append((i18n.gettext(lang, "Size of the company"), text))
    if reg.gender:
        answers.append((i18n.gettext(lang, "Gender"), gender_label(lang, reg.gender)))
    return answers


async def by_token(token: str) -> RegistrationRow:
    reg = await queries.registration_by_token_hash(hash_secret(token)) if len(token) < 200 else None
    if reg is None:
        await limits.token_miss()
        raise NotFound("This link is not valid (any more). Ask for a new one by signing up again")
    return reg


async def registration_out(reg: RegistrationRow, token: str) -> RegistrationOut:
    row = await events_service.event_for_mail(reg.event)
    assert row is not None  # a registration's event is never deleted while it exists (cascade)
    event = events_service.event_out(row)
    base = current_settings().base_url
    ticket = None
    if reg.status == RegistrationStatus.CONFIRMED:
        ticket = TicketOut(
            code=await ticket_code(reg.event, reg.ticket_no),
            svg_url=f"{base}/api/v1/registrations/{token}/ticket.svg",
            png_url=f"{base}/api/v1/registrations/{token}/ticket.png",
        )
    position = None
    if reg.status == RegistrationStatus.WAITLISTED:
        position = await queries.waiting_position(reg.event, reg.queue_seq, reg.id)
    return RegistrationOut(
        id=str(reg.id),
        status=reg.status,
        name=reg.name,
        email=reg.email,
        organisation=reg.organisation,
        municipality=reg.municipality,
        language=reg.language,
        needs=topics.decode(reg.needs),
        offers=topics.decode(reg.offers),
        networking_consent=reg.networking_consent,
        role=reg.role,
        sector=reg.sector,
        about=reg.about,
        waitlist_position=position,
        checked_in_at=to_local(reg.checked_in_at, event.timezone) if reg.checked_in_at else None,
        event=event,
        ticket=ticket,
        ics_url=event.ics_url,
        manage_url=manage_url(token),
    )


async def get_own(token: str) -> RegistrationOut:
    return await registration_out(await by_token(token), token)


async def update_own(token: str, patch: RegistrationPatch) -> RegistrationOut:
    values: dict[str, Any] = {}
    for name in ("organisation", "municipality"):
        if (value := getattr(patch, name)) is not UNSET:
            values[name] = " ".join(value.split())
    if patch.language is not UNSET:
        values["language"] = patch.language
    if patch.networking_consent is not UNSET:
        values["networking_consent"] = patch.networking_consent
    if patch.role is not UNSET:
        values["role"] = patch.role
    if patch.sector is not UNSET:
        values["sector"] = " ".join(patch.sector.split())
    if patch.about is not UNSET:
        values["about"] = patch.about.strip()
    if patch.name is not UNSET:
        name = " ".join(patch.name.split())
        if not name:
            raise Invalid.field("name", "This cannot be empty")
        values["name"] = name
    needs = patch.needs if patch.needs is not UNSET else None
    offers = patch.offers if patch.offers is not UNSET else None
    _check_profile(needs or [], offers or [])
    if needs is not None:
        values["needs"] = topics.encode(needs)
    if offers is not None:
        values["offers"] = topics.encode(offers)
    async with db.transaction():
        reg = await by_token(token)
        if patch.email is not UNSET:
            await _change_address(reg, patch.email)
        if values:
            values["updated_at"] = utc_now()
            await queries.update(reg.id, values)
        reg = await by_token(token)
    return await registration_out(reg, token)


async def _cancel(reg: RegistrationRow, *, notify: bool) -> None:
    """Cancel inside the caller's transaction: free the seat, promote, stop reminders."""
    now = utc_now()
    was = reg.status
    if was == RegistrationStatus.CANCELLED:
        return
    offset = reg.itip_offset + 1
    if not await queries.set_status_if(
        reg.id,
        was,
        {
            "status": RegistrationStatus.CANCELLED,
            "cancelled_at": now,
            "updated_at": now,
            "itip_offset": offset,
        },
    ):
        return  # someone else changed it in between; their change stands
    await mail.cancel_pending(reg.id, ["reminder", "confirmed", "promoted", "waitlisted"])
    if notify:
        await mail.enqueue(
            # A waiting place never had a calendar entry: say so without a CANCEL for it.
            "registration_cancelled" if was == RegistrationStatus.CONFIRMED else "waitlist_left",
            to=reg.email,
            name=reg.name,
            language=reg.language,
            event_id=reg.event,
            registration_id=reg.id,
            data={"sequence_offset": offset},
        )
    if was == RegistrationStatus.CONFIRMED:
        await events_service.release_seat(reg.event)
        await _promote(reg.event)
    elif was == RegistrationStatus.WAITLISTED:
        await events_service.left_waitlist(reg.event)


async def cancel_own(token: str) -> RegistrationOut:
    async with db.transaction():
        reg = await by_token(token)
        await _cancel(reg, notify=True)
        reg = await by_token(token)
    return await registration_out(reg, token)


async def erase_own(token: str) -> None:
    """GDPR: cancel, free the seat, and anonymise; the link stops working."""
    async with db.transaction():
        await _erase(await by_token(token))


async def not_me(token: str) -> None:
    """ "This wasn't me" from a sign-up mail: erase the registration and block the address, so
    that nobody else's sign-up mails it again (an invitation from an organiser still can)."""
    async with db.transaction():
        reg = await by_token(token)
        await queries.block_address(address_hash(reg.email), utc_now())
        await _erase(reg)


async def _erase(reg: RegistrationRow) -> None:
    """Cancel, free the seat, anonymise, kill the links (inside the caller's transaction)."""
    reg_id = reg.id
    await _cancel(reg, notify=False)
    now = utc_now()
    await queries.update(
        reg_id,
        {
            "name": "",
            "email": f"erased-{reg_id}@invalid",
            "event_email": f"{reg.event}:erased:{reg_id}",
            "organisation": "",
            "municipality": "",
            "needs": "",
            "offers": "",
            "networking_consent": False,
            "sector": "",
            "about": "",
            # The report's answers go too: an erased person is counted nowhere.
            "org_number": "",
            "sni_section": "",
            "size_band": "",
            "gender": "",
            "erased_at": now,
            "updated_at": now,
        },
    )
    await queries.delete_manage_tokens(reg_id)
    await mail.forget(reg_id)
    await hooks.registration_erased(reg_id)  # the evaluation's link and answers go too


async def correct_own_address(token: str, email: str) -> RegistrationOut:
    """The attendee corrects their address from the manage page; the link keeps working."""
    async with db.transaction():
        await _change_address(await by_token(token), email)
        reg = await by_token(token)
    return await registration_out(reg, token)


async def own_ticket_code(token: str) -> str:
    reg = await by_token(token)
    if reg.status != RegistrationStatus.CONFIRMED:
        raise NotFound("There is no ticket while the registration is not confirmed")
    return await ticket_code(reg.event, reg.ticket_no)
