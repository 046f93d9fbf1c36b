"""A company's answer: given through a personal link (an invitation's, or the answer's own
receipt link) or the round's open link, changed through the link until the round closes, and
erased from it (GDPR).

One answer per company and round: the answer is an upsert on `round_company` (one statement,
so two answers for the same organisation number at the same time keep one row on both
engines), and its needs are replaced in the same transaction; the latest answer is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from uuid import UUID, uuid4

from events import topics
from notifications import service as mail
from surveys import queries
from surveys.rows import AnswerRow, InviteRow, NeedRow, RoundPlace, RoundRow
from surveys.schemas import AnswerIn
from surveys.service._common import answer_url, closes_text, state
from traffpunkt import addresses, db, limits
from traffpunkt.auth import hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.companies import SIZE_BY_CODE, SNI_BY_CODE, parse_org_number
from traffpunkt.errors import Conflict, FieldError, Invalid, NotFound
from traffpunkt.needs import NeedKind


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What the answer page shows: the round, its municipalities, and the answer the link opens
    (None: not answered yet), with the invitation's address and name to start from."""

    round: RoundRow
    places: list[RoundPlace]
    answer: AnswerRow | None = None
    needs: tuple[NeedRow, ...] = ()
    invite: InviteRow | None = None

    @property
    def state(self) -> str:
        return state(self.round)


@dataclass(frozen=True, slots=True)
class Submitted:
    answer_id: UUID
    # The link that opens the answer from now on (the one used, or the receipt's new one).
    token: str
    receipt: bool  # a receipt with the link was written to the outbox
    # False: the company had answered this round, and this answer replaced it. Through the
    # open link the new link is then only mailed, never shown (whoever knows a company's
    # organisation number must not get its answer's link on the screen).
    created: bool = True


async def _round(round_id: UUID) -> tuple[RoundRow, list[RoundPlace]]:
    row = await queries.round_by_id(round_id)
    if row is None:
        raise NotFound("Survey not found")
    return row, await queries.places([row.id])


async def open_form(slug: str) -> AnswerContext:
    """The open link's page (`/survey/<slug>`, public); the round's id works too (the API)."""
    try:
        row = await queries.round_by_id(UUID(slug))
    except ValueError:  # not an id: the slug of the open link
        row = await queries.round_by_slug(slug[:120])
    if row is None:
        raise NotFound("Survey not found")
    return AnswerContext(row, await queries.places([row.id]))


async def _by_link(token: str) -> tuple[InviteRow | None, AnswerRow | None]:
    if not token or len(token) > 100:
        raise NotFound("This link is not valid (any more)")
    digest = hash_secret(token)
    invite = await queries.invite_by_hash(digest)
    if invite is not None:
        answer = await queries.answer_by_id(invite.answer_id) if invite.answer_id else None
        return invite, answer
    answer = await queries.answer_by_hash(digest)
    if answer is None:
        await limits.token_miss()
        raise NotFound("This link is not valid (any more)")
    return None, answer


async def link_form(token: str) -> AnswerContext:
    """The page a personal link opens: the answer given through it, or an empty form."""
    invite, answer = await _by_link(token)
    round_id = invite.round if invite is not None else answer.round  # type: ignore[union-attr]
    row, places = await _round(round_id)
    needs = tuple(await queries.needs_of([answer.id])) if answer is not None else ()
    return AnswerContext(row, places, answer, needs, invite)


class Checked(NamedTuple):
    org_number: str  # NNNNNN-NNNN
    municipality: UUID
    company_name: str
    contact_name: str
    email: str  # normalised


def _checked(body: AnswerIn, places: list[RoundPlace], complete: bool = True) -> Checked:
    """The answer's checked values, or one 422 naming every wrong field."""
    errors: list[FieldError] = []
    org = parse_org_number(body.org_number)
    if org is None:
        errors.append(
            FieldError(
                "org_number", "Not a valid organisation number (ten digits, as in 556036-0793)"
            )
        )
    place = next((p for p in places if p.slug == body.municipality), None)
    if place is None:
        errors.append(FieldError("municipality", "Choose one of the survey's municipalities"))
    if body.sector not in SNI_BY_CODE and (complete or body.sector):
        errors.append(FieldError("sector", "Choose a sector"))
    if body.size_band not in SIZE_BY_CODE and (complete or body.size_band):
        errors.append(FieldError("size_band", "Choose a size"))
    if bad := topics.unknown([*body.needs, *body.offers]):
        errors.append(FieldError("needs", "Unknown topic: {topic}"))
    name = " ".join(body.company_name.split())
    if not name:
        errors.append(FieldError("company_name", "This cannot be empty"))
    contact = " ".join(body.contact_name.split())
    if not contact and complete:
        errors.append(FieldError("contact_name", "This cannot be empty"))
    email = ""
    try:
        email = addresses.checked(body.email, "email")
    except Invalid as exc:
        errors += exc.errors or []
    if errors:
        raise Invalid(errors[0].message, errors=errors, params={"topic": bad[0] if bad else ""})
    assert org is not None and place is not None
    return Checked(org, place.municipality, name, contact, email)


def _open_for_answers(row: RoundRow) -> None:
    now_state = state(row)
    if now_state == "closed":
        raise Conflict("The survey is closed")
    if now_state == "upcoming":
        raise Conflict("The survey has not opened yet")


async def _save(
    row: RoundRow,
    places: list[RoundPlace],
    body: AnswerIn,
    *,
    token_hash: str,
    new_token: bool,
    replacing: AnswerRow | None,
    complete: bool = True,
) -> tuple[UUID, bool]:
    """The upsert and the needs, inside the caller's transaction. `replacing`: the answer the
    link opened; if the organisation number changed it is removed (the link's answer moves to
    the new company's row)."""
    org, municipality, company_name, contact_name, email = _checked(body, places, complete)
    now = utc_now()
    if replacing is not None and replacing.org_number != org:
        await queries.delete_answer(replacing.id)
    new_id = uuid4()
    answer_id = await queries.upsert_answer(
        {
            "id": new_id,
            "round": row.id,
            "round_company": f"{row.id}:{org}",
            "org_number": org,
            "company_name": company_name,
            "municipality": municipality,
            "sector": body.sector,
            "size_band": body.size_band,
            "contact_name": contact_name,
            "email": email,
            "language": body.language,
            "free_text": body.free_text.strip(),
            "contact_consent": body.contact_consent,
            "networking_consent": body.networking_consent,
            "token_hash": token_hash,
            "answered_at": now,
            "updated_at": now,
        },
        new_token,
    )
    if replacing is not None and replacing.id != answer_id:
        # Invites that led to the removed answer now lead to the company's answer.
        await queries.relink_invites(replacing.id, answer_id)
    needs = [
        {"topic": t, "kind": NeedKind.NEED.value, "urgency": u} for t, u in body.needs.items()
    ] + [
        {"topic": t, "kind": NeedKind.OFFER.value, "urgency": 2} for t in dict.fromkeys(body.offers)
    ]
    await queries.replace_needs(answer_id, needs)
    # The upsert kept the existing row's id if the company had answered (race-free: decided
    # by the one statement, on both engines).
    return answer_id, answer_id == new_id


async def _receipt(row: RoundRow, body: AnswerIn, email: str, token: str, answer_id: UUID) -> bool:
    """The receipt with the answer's link, unless this address got too many lately (a stranger
    typing someone's address into the open form must not flood them)."""
    over = await limits.enforce(
        [("survey_receipt_per_address", email)], quiet=("survey_receipt_per_address",)
    )
    if over:
        return False
    await mail.enqueue(
        "survey_receipt",
        to=email,
        name=" ".join(body.contact_name.split()),
        language=body.language,
        event_id=None,
        # The outbox's "registration" id names the row a mail is about: erasing the answer
        # cancels and scrubs its receipt as erasing a registration does its mail.
        registration_id=answer_id,
        data={
            "survey_title": row.title,
            "company": " ".join(body.company_name.split()),
            "closes": closes_text(row, body.language),
        },
        secrets={"answer_url": answer_url(token)},
    )
    return True


async def submit_open(slug: str, body: AnswerIn, *, complete: bool = True) -> Submitted:
    """An answer through the open link: counted per client (abuse limit), saved, and a receipt
    with the answer's own link mailed to the address given. `complete`: the page's questions
    are all required; the API's contract leaves sector, size and contact name optional."""
    ctx = await open_form(slug)
    _open_for_answers(ctx.round)
    _checked(
        body, ctx.places, complete
    )  # wrong input is refused before it counts against the limit
    await limits.enforce([("survey_answer_per_client", limits.client_address())])
    token = new_secret()
    async with db.transaction():
        answer_id, created = await _save(
            ctx.round,
            ctx.places,
            body,
            token_hash=hash_secret(token),
            new_token=True,
            replacing=None,
            complete=complete,
        )
        email = addresses.normalise(body.email)
        receipt = await _receipt(ctx.round, body, email, token, answer_id)
    return Submitted(answer_id, token, receipt, created)


async def submit_by_link(token: str, body: AnswerIn) -> Submitted:
    """An answer (new or changed) through a personal link."""
    async with db.transaction():
        ctx = await link_form(token)
        _open_for_answers(ctx.round)
        if ctx.invite is not None:
            answer_id, _ = await _save(
                ctx.round,
                ctx.places,
                body,
                token_hash=hash_secret(new_secret()),
                new_token=False,
                replacing=ctx.answer,
            )
            await queries.link_invite(ctx.invite.id, answer_id)
            receipt = False
            if ctx.answer is None:  # the first answer through the invitation: a receipt
                email = addresses.normalise(body.email)
                receipt = await _receipt(ctx.round, body, email, token, answer_id)
            return Submitted(answer_id, token, receipt)
        answer_id, _ = await _save(
            ctx.round,
            ctx.places,
            body,
            token_hash=hash_secret(token),
            new_token=True,
            replacing=ctx.answer,
        )
    return Submitted(answer_id, token, False)


async def erase_by_link(token: str) -> bool:
    """Erase the answer the link opens, with its needs; invites that led to it are unlinked
    (an invitation's link can answer again while the round is open). Allowed after the round
    closed too: erasure is the company's right. False when there was nothing to erase."""
    async with db.transaction():
        _, answer = await _by_link(token)
        if answer is None:
            return False
        await queries.unlink_invites(answer.id)
        await queries.delete_answer(answer.id)
        await mail.forget(answer.id)  # the receipt: unsent ones cancelled, the address dropped
    return True
