"""HTTP API of registrations and check-in (the contract: docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from registrations import service
from registrations.schemas import (
    AddressCorrected,
    AddressIn,
    AttendanceMarkIn,
    AttendeeList,
    BatchIn,
    BatchOut,
    CertificateCheck,
    CertificateRun,
    CheckinData,
    CheckinStats,
    DoorTokenIn,
    DoorTokenOut,
    ExamIn,
    InvitationsIn,
    InvitationsOut,
    RegistrationCreated,
    RegistrationExisting,
    RegistrationIn,
    RegistrationOut,
    RegistrationPatch,
    ScanIn,
    ScanOut,
)
from registrations.statuses import RegistrationStatus
from traffpunkt import i18n, qr
from traffpunkt.auth import (
    Principal,
    require_checkin_actor,
    require_organiser,
)
from traffpunkt.problems import problem_responses

# An organiser's Principal or a phone's DoorPrincipal; the service checks which may do what.
# (Typed Any here because Litestar's signature model cannot validate a union of dataclasses.)
CheckinCaller = Any
ORGANISER = {"actor": Provide(require_organiser)}
CHECKIN = {"actor": Provide(require_checkin_actor)}
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class SignUpController(Controller):
    path = "/api/v1/events"
    tags = ["registrations"]

    @post(
        "/{event_id:str}/registrations",
        summary="Sign up (201 with the manage link; 200 without it for a known address)",
        responses={
            200: ResponseSpec(
                RegistrationExisting, description="Already registered: the link is mailed again"
            ),
            **problem_responses(404, 409, 422, 429),
        },
        status_code=HTTP_201_CREATED,
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[str],
        data: JSONBody[RegistrationIn],
    ) -> Response[RegistrationCreated | RegistrationExisting]:
        result = await service.register(event_id, data)
        if not result.created:
            lang = i18n.request_language(request)
            body = RegistrationExisting(
                id=str(result.registration_id),
                status=result.status,
                detail=i18n.gettext(
                    lang,
                    "This address is already registered; we mailed the "
                    "link to the registration again.",
                ),
            )
            return Response(body, status_code=200)
        assert result.token is not None
        return Response(
            RegistrationCreated(
                id=str(result.registration_id),
                status=result.status,
                manage_url=service.manage_url(result.token),
            ),
            status_code=201,
        )

    @post(
        "/{event_id:str}/invitations",
        dependencies=ORGANISER,
        status_code=HTTP_202_ACCEPTED,
        summary="Mail personal sign-up links (organiser)",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def invite(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        data: JSONBody[InvitationsIn],
    ) -> InvitationsOut:
        return await service.invite(actor, event_id, data)

    @get(
        "/{event_id:str}/registrations",
        dependencies=CHECKIN,
        summary="Attendees of an event; ?q= searches names (organiser or door token)",
        security=BEARER,
        responses=problem_responses(401, 403, 404),
    )
    async def attendees(
        self,
        actor: NamedDependency[CheckinCaller],
        event_id: FromPath[str],
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        status: Annotated[RegistrationStatus | None, QueryParameter()] = None,
    ) -> AttendeeList:
        return await service.attendees(actor, event_id, q, status)

    @get(
        "/{event_id:str}/registrations.csv",
        dependencies=ORGANISER,
        summary="Attendee list as CSV (organiser)",
        security=BEARER,
        media_type="text/csv",
        responses=problem_responses(401, 403, 404),
    )
    async def attendees_csv(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> Response[bytes]:
        name, body = await service.attendees_csv(actor, event_id)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


class CheckinController(Controller):
    path = "/api/v1/events"
    tags = ["check-in"]

    @post(
        "/{event_id:str}/door-tokens",
        dependencies=ORGANISER,
        status_code=HTTP_201_CREATED,
        summary="A token for a helper's phone, valid for this event's check-in only",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 422),
    )
    async def create_door_token(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        data: JSONBody[DoorTokenIn | None] = None,
    ) -> DoorTokenOut:
        return await service.create_door_token(actor, event_id, data.label if data else "")

    @delete(
        "/{event_id:str}/door-tokens/{token_id:str}",
        dependencies=ORGANISER,
        status_code=HTTP_204_NO_CONTENT,
        summary="Revoke a door token",
        security=BEARER,
        responses=problem_responses(401, 403, 404),
    )
    async def revoke_door_token(
        self, actor: NamedDependency[Principal], event_id: FromPath[str], token_id: FromPath[str]
    ) -> None:
        await service.revoke_door_token(actor, event_id, token_id)

    @post(
        "/{event_id:str}/checkins",
        dependencies=CHECKIN,
        status_code=200,
        summary="Check one ticket in (idempotent with scan_id)",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 422),
    )
    async def check_in(
        self,
        actor: NamedDependency[CheckinCaller],
        event_id: FromPath[str],
        data: JSONBody[ScanIn],
    ) -> ScanOut:
        return await service.check_in(actor, event_id, data)

    @post(
        "/{event_id:str}/checkins/batch",
        dependencies=CHECKIN,
        status_code=200,
        summary="Scans made offline, in order; a repeated scan_id changes nothing",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 422),
    )
    async def check_in_batch(
        self,
        actor: NamedDependency[CheckinCaller],
        event_id: FromPath[str],
        data: JSONBody[BatchIn],
    ) -> BatchOut:
        return await service.check_in_batch(actor, event_id, data)

    @delete(
        "/{event_id:str}/checkins/{registration_id:str}",
        dependencies=CHECKIN,
        status_code=200,
        summary="Undo a check-in (?session_id=: of that session of a course series)",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def undo(
        self,
        actor: NamedDependency[CheckinCaller],
        event_id: FromPath[str],
        registration_id: FromPath[str],
        session_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> ScanOut:
        return await service.undo_check_in(actor, event_id, registration_id, session_id)

    @put(
        "/{event_id:str}/registrations/{registration_id:str}/email",
        dependencies=ORGANISER,
        summary="Correct an attendee's address; mail that failed for good is sent again to it",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def correct_address(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        registration_id: FromPath[str],
        data: JSONBody[AddressIn],
    ) -> AddressCorrected:
        return await service.organiser_correct_address(actor, event_id, registration_id, data.email)

    @get(
        "/{event_id:str}/checkin-data",
        dependencies=CHECKIN,
        summary="What a phone needs to check in offline: public key, attendees, revocations",
        security=BEARER,
        responses=problem_responses(401, 403, 404),
    )
    async def checkin_data(
        self, actor: NamedDependency[CheckinCaller], event_id: FromPath[str]
    ) -> CheckinData:
        return await service.checkin_data(actor, event_id)

    @get(
        "/{event_id:str}/checkin-stats",
        dependencies=CHECKIN,
        summary="Live counts: registered, checked in, waiting",
        security=BEARER,
        responses=problem_responses(401, 403, 404),
    )
    async def stats(
        self, actor: NamedDependency[CheckinCaller], event_id: FromPath[str]
    ) -> CheckinStats:
        return await service.stats(actor, event_id)


class OwnRegistrationController(Controller):
    path = "/api/v1/registrations"
    tags = ["registrations"]

    @get(
        "/{token:str}",
        summary="Your registration (the token is the manage link's last part)",
        responses=problem_responses(404, 429),
    )
    async def get_own(self, token: FromPath[str]) -> RegistrationOut:
        return await service.get_own(token)

    @patch(
        "/{token:str}",
        summary="Change your language, details, networking profile or email address",
        responses=problem_responses(404, 409, 422, 429),
    )
    async def update_own(
        self, token: FromPath[str], data: JSONBody[RegistrationPatch]
    ) -> RegistrationOut:
        return await service.update_own(token, data)

    @delete(
        "/{token:str}",
        status_code=200,
        summary="Cancel your registration",
        responses=problem_responses(404, 429),
    )
    async def cancel_own(self, token: FromPath[str]) -> RegistrationOut:
        return await service.cancel_own(token)

    @post(
        "/{token:str}/erase",
        status_code=HTTP_204_NO_CONTENT,
        summary="Erase your data (GDPR): cancelled, anonymised, the link stops working",
        responses=problem_responses(404, 429),
    )
    async def erase_own(self, token: FromPath[str]) -> None:
        await service.erase_own(token)

    @get(
        "/{token:str}/ticket.svg",
        media_type="image/svg+xml",
        summary="Your ticket's QR code",
        responses=problem_responses(404, 429),
    )
    async def ticket_svg(self, token: FromPath[str]) -> Response[bytes]:
        code = await service.own_ticket_code(token)
        return Response(
            qr.svg(code),
            media_type="image/svg+xml",
            headers={"Cache-Control": "private, max-age=3600"},
        )

    @get(
        "/{token:str}/ticket.png",
        media_type="image/png",
        summary="Your ticket's QR code",
        responses=problem_responses(404, 429),
    )
    async def ticket_png(self, token: FromPath[str]) -> Response[bytes]:
        code = await service.own_ticket_code(token)
        return Response(
            qr.png(code), media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )


class CourseController(Controller):
    """Course series: attendance ticked by the organiser, exams, certificates."""

    path = "/api/v1/events"
    tags = ["courses"]

    @put(
        "/{event_id:str}/registrations/{registration_id:str}/attendance",
        dependencies=ORGANISER,
        summary="Tick (or untick) that a person attended a session of a series (online ones)",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 422),
        status_code=HTTP_204_NO_CONTENT,
    )
    async def mark_attendance(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        registration_id: FromPath[str],
        data: JSONBody[AttendanceMarkIn],
    ) -> None:
        await service.mark_attendance(
            actor, event_id, registration_id, data.session_id, data.attended
        )

    @put(
        "/{event_id:str}/registrations/{registration_id:str}/exam",
        dependencies=ORGANISER,
        summary="Mark that a person passed (or did not pass) the course's exam",
        security=BEARER,
        responses=problem_responses(401, 403, 404, 422),
        status_code=HTTP_204_NO_CONTENT,
    )
    async def set_exam(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        registration_id: FromPath[str],
        data: JSONBody[ExamIn],
    ) -> None:
        await service.set_exam_passed(actor, event_id, registration_id, data.passed)

    @post(
        "/{event_id:str}/certificates",
        dependencies=ORGANISER,
        summary="Send certificates: one to everyone who completed and has none yet (mailed)",
        security=BEARER,
        responses=problem_responses(401, 403, 404),
        status_code=200,
    )
    async def send_certificates(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> CertificateRun:
        return await service.send_certificates(actor, event_id)


@get(
    "/api/v1/certificates/{token:str}",
    summary="Check a certificate (the token is its link's last part): course, name, date",
    responses=problem_responses(404),
    tags=["courses"],
)
async def check_certificate(token: FromPath[str]) -> CertificateCheck:
    return await service.check_certificate(token)


ROUTES = [
    SignUpController,
    CheckinController,
    OwnRegistrationController,
    CourseController,
    check_certificate,
]
