"""Networking pages: the attendee's people to meet, and the municipalities' needs map."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from events import service as events_service
from networking import service
from networking.statuses import Answer
from registrations import service as registrations
from traffpunkt import i18n
from traffpunkt.companies import SIZE_BANDS, SNI_SECTIONS
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.templating import page

PRIVATE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


@get("/r/{token:str}/people", include_in_schema=False)
async def people_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        me = await registrations.by_token(token)
    except NotFound:
        return page(request, "registrations/gone.html", {}, status_code=404, headers=PRIVATE)
    event = await events_service.event_for_mail(me.event)
    assert event is not None  # a registration's event is never deleted while it exists
    matches = await service.matches(token)
    meetings = await service.my_meetings(token)
    return page(
        request,
        "networking/people.html",
        {
            "me": me,
            "event": events_service.event_out(event),
            "matches": matches,
            "meetings": meetings,
            "token": token,
            "done": request.query_params.get("done"),
        },
        headers=PRIVATE,
        default_language=me.language,
    )


@post("/r/{token:str}/people/{other:str}", include_in_schema=False)
async def decide_submit(
    request: Request[Any, Any, Any], token: FromPath[str], other: FromPath[str]
) -> Redirect:
    form = await request.form()
    decision = form.get("decision")
    if decision not in (Answer.YES, Answer.NO):
        raise Invalid.field("decision", "Choose yes or no")
    result = await service.decide(token, other, Answer(decision))
    done = "introduced" if result.introduced else decision
    return Redirect(f"/r/{token}/people?done={done}#p-{other}", status_code=HTTP_303_SEE_OTHER)


def chart(rows: list[Any]) -> dict[str, Any]:
    """Bar lengths in percent of the longest (suppressed counts are drawn as 1). The page draws
    each topic's label as text and only the bars as SVG, so labels keep the page's font size
    on a phone instead of shrinking with a scaled drawing."""

    def value(text: str) -> int:
        return 1 if text.startswith("<") else int(text)

    top = max([value(r.need) for r in rows] + [value(r.offer) for r in rows] + [1])
    bars = [
        {
            "label": r.label,
            "need": r.need,
            "offer": r.offer,
            "need_pct": round(100 * value(r.need) / top, 1),
            "offer_pct": round(100 * value(r.offer) / top, 1),
        }
        for r in rows
    ]
    return {"bars": bars}


@get("/needs-map/{municipality:str}", include_in_schema=False)
async def needs_map_page(
    request: Request[Any, Any, Any],
    municipality: FromPath[str],
    start: Annotated[str | None, QueryParameter(name="from", max_length=10)] = None,
    end: Annotated[str | None, QueryParameter(name="to", max_length=10)] = None,
    source: Annotated[str | None, QueryParameter(max_length=20)] = None,
    sector: Annotated[str | None, QueryParameter(max_length=1)] = None,
    size: Annotated[str | None, QueryParameter(max_length=8)] = None,
) -> Template:
    lang = i18n.request_language(request)
    data = await service.needs_map(
        municipality, start or None, end or None, lang,
        source=source, sector=sector, size_band=size,
    )  # fmt: skip
    place = None
    if municipality != "all":
        place = (await events_service.get_municipality(municipality)).name
    filters = {"source": source, "sector": data.sector, "size": data.size_band}
    query = f"?municipality={municipality}&from={data.start}&to={data.end}" + "".join(
        f"&{k}={quote(v)}" for k, v in filters.items() if v
    )
    return page(
        request,
        "networking/needs_map.html",
        {
            "data": data,
            "place": place,
            "slug": municipality,
            "chart": chart(data.items),
            "json_url": f"/api/v1/needs-map{query}",
            "csv_url": f"/api/v1/needs-map.csv{query}",
            "municipalities": await events_service.list_municipalities(),
            "source": source or "",
            "sectors": [(s.code, s.label(lang)) for s in SNI_SECTIONS],
            "sizes": [(s.code, s.label(lang)) for s in SIZE_BANDS],
        },
    )


ROUTES = [people_page, decide_submit, needs_map_page]
