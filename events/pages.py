"""Public HTML: the municipalities' calendar pages, their embeddable variant, and event pages.

Pages work without JavaScript, answer conditional requests, and show no personal data.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from events import feeds, service, topics
from events.rows import EventRow
from events.statuses import EventStatus
from traffpunkt import i18n, richtext, security
from traffpunkt.clock import utc_now
from traffpunkt.http import not_modified, not_modified_response, validator_headers
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings
from traffpunkt.templating import page

STATUS_LD = {
    EventStatus.PUBLISHED: "https://schema.org/EventScheduled",
    EventStatus.CANCELLED: "https://schema.org/EventCancelled",
}
MODE_LD = {
    "offline": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "mixed": "https://schema.org/MixedEventAttendanceMode",
}


def json_ld(row: EventRow) -> dict[str, Any]:
    """schema.org Event for search engines and the municipalities' sites."""
    settings = current_settings()
    ev = service.event_out(row)
    url = ev.url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": ev.title,
        "description": richtext.to_plain(ev.description),
        "startDate": ev.starts_at.isoformat(),
        "endDate": ev.ends_at.isoformat(),
        "eventStatus": STATUS_LD.get(ev.status, STATUS_LD[EventStatus.PUBLISHED]),
        "eventAttendanceMode": MODE_LD[ev.attendance_mode],
        "inLanguage": ev.language,
        "url": url,
        "organizer": {
            "@type": "Organization",
            "name": ev.municipality_name,
            "url": f"{settings.base_url}/calendar/{ev.municipality}",
            **({"email": row.contact_email} if row.contact_email else {}),
            **({"telephone": row.contact_phone} if row.contact_phone else {}),
        },
    }
    locations: list[dict[str, Any]] = []
    if ev.venue is not None:
        place: dict[str, Any] = {
            "@type": "Place",
            "name": ev.venue.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": ev.venue.address or ev.venue.name,
                "addressLocality": ev.municipality_name,
                "addressRegion": row.municipality_region or "",
                "addressCountry": "SE",
            },
        }
        if ev.venue.latitude is not None and ev.venue.longitude is not None:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": ev.venue.latitude,
                "longitude": ev.venue.longitude,
            }
        locations.append(place)
    if ev.online_url:
        locations.append({"@type": "VirtualLocation", "url": ev.online_url})
    if not locations:
        locations.append(
            {
                "@type": "Place",
                "name": ev.municipality_name,
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": ev.municipality_name,
                    "addressCountry": "SE",
                },
            }
        )
    data["location"] = locations[0] if len(locations) == 1 else locations
    offer: dict[str, Any] = {
        "@type": "Offer",
        "price": "0",
        "priceCurrency": "SEK",
        "url": url,
        "availability": "https://schema.org/SoldOut"
        if ev.seats_left == 0
        else "https://schema.org/InStock",
    }
    if ev.registration_opens_at:
        offer["validFrom"] = ev.registration_opens_at.isoformat()
    data["offers"] = offer
    if ev.capacity is not None:
        data["maximumAttendeeCapacity"] = ev.capacity
        data["remainingAttendeeCapacity"] = ev.seats_left
    if ev.topics:
        data["keywords"] = ", ".join(topics.BY_SLUG[t].label(ev.language) for t in ev.topics)
    return data


def _by_month(rows: list[EventRow]) -> OrderedDict[tuple[int, int], list[EventRow]]:
    months: OrderedDict[tuple[int, int], list[EventRow]] = OrderedDict()
    for row in rows:
        local = to_local(row.starts_at, row.timezone)
        months.setdefault((local.year, local.month), []).append(row)
    return months


async def _calendar(
    request: Request[Any, Any, Any], slug: str, topic: str | None, template: str, embed: bool
) -> Template | Response[None]:
    municipality = None if slug == "all" else await service.get_municipality(slug)
    topic = topic or None
    if topic is not None and topic not in topics.BY_SLUG:
        topic = None  # a stale link with an unknown topic shows everything, not an error page
    mid = municipality.id if municipality else None
    fp = await service.feed_fingerprint(mid, topic, history=False)
    lang = i18n.request_language(request)
    etag, last = feeds.validators(
        (
            "page",
            template,
            slug,
            topic,
            lang,
            fp.n,
            str(fp.newest),
            fp.taken,
            fp.waiting,
            fp.open,  # a sign-up opening or closing changes the cards' labels
        ),
        fp.newest,
    )
    headers = validator_headers(etag, last, max_age=60)
    headers["Vary"] = "Accept-Language, Cookie"
    if not_modified(request, etag, last):
        return not_modified_response(headers)
    rows = await service.upcoming_rows(mid, topic)
    now = utc_now()
    settings = current_settings()
    feed_name = f"{slug}.ics"
    ics_url = f"{settings.base_url}/calendars/{feed_name}" + (f"?topic={topic}" if topic else "")
    return page(
        request,
        template,
        {
            "municipality": municipality,
            "slug": slug,
            "months": _by_month(rows),
            "topic": topic,
            "topics": topics.TOPICS,
            "ics_url": ics_url,
            "webcal_url": "webcal://" + ics_url.split("://", 1)[1],
            "base_url": settings.base_url,
            "municipalities": await service.list_municipalities() if not embed else [],
            # A full event's card invites to the waiting list only while sign-up is open.
            "is_open": lambda row: service.is_registration_open(row, now),
            "topic_label": lambda s: topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s,
        },
        headers=headers,
    )


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template | Response[None]:
    return await _calendar(
        request, "all", request.query_params.get("topic"), "events/home.html", False
    )


@get("/calendar/{slug:str}", include_in_schema=False)
async def calendar_page(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    topic: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> Template | Response[None]:
    return await _calendar(request, slug, topic, "events/calendar.html", False)


@get("/calendar/{slug:str}/embed", include_in_schema=False, opt={"csp": security.EMBED_CSP})
async def calendar_embed(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    topic: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> Template | Response[None]:
    return await _calendar(request, slug, topic, "events/embed.html", True)


@get("/events/{key:str}", include_in_schema=False)
async def event_page(
    request: Request[Any, Any, Any], key: FromPath[str]
) -> Template | Response[None]:
    row = await service.event_row(key)
    lang = i18n.request_language(request)
    ev = service.event_out(row)
    etag, last = feeds.validators(
        (
            "event-page",
            str(row.id),
            str(row.updated_at),
            row.seats_taken,
            row.waiting,
            lang,
            ev.registration_open,
        ),
        row.updated_at,
    )
    headers = validator_headers(etag, last, max_age=60)
    headers["Vary"] = "Accept-Language, Cookie"
    if not_modified(request, etag, last):
        return not_modified_response(headers)
    return page(
        request,
        "events/event.html",
        {
            "row": row,
            "event": ev,
            "json_ld": json_ld(row),
            "topic_label": lambda s: topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s,
            "description_html": richtext.to_html(ev.description),
            "meta_description": richtext.summary(ev.description),
        },
        headers=headers,
    )


ROUTES = [home, calendar_page, calendar_embed, event_page]
