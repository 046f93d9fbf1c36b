"""Demo data: three municipalities of the project, their venues and a dozen upcoming events.

Loading twice changes nothing. Dates are relative to today so the events are always upcoming.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from events import queries, service
from events.schemas import EventIn, MunicipalityIn, VenueIn
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.localtime import to_local

DEMO_ADMIN = "demo@traffpunkt.local"

MUNICIPALITIES = [
    ("Åsele", "asele", "2463", "Västerbotten"),
    ("Arvidsjaur", "arvidsjaur", "2505", "Norrbotten"),
    ("Överkalix", "overkalix", "2513", "Norrbotten"),
]

VENUES = {
    "asele": [
        (
            "Åsele kommunhus, sessionssalen",
            "Torget 1, 919 32 Åsele",
            60,
            64.1607,
            17.3493,
            "Entré i markplan, hörslinga i salen, tillgänglig toalett.",
        ),
        (
            "Folkets hus Åsele",
            "Storgatan 18, 919 31 Åsele",
            120,
            64.1617,
            17.3530,
            "Ramp vid huvudentrén.",
        ),
    ],
    "arvidsjaur": [
        (
            "Arvidsjaurs kommunhus",
            "Östra Skolgatan 6, 933 81 Arvidsjaur",
            80,
            65.5925,
            19.1779,
            "Hiss till alla våningar, hörslinga.",
        ),
        (
            "Företagshuset Arvidsjaur",
            "Storgatan 10, 933 33 Arvidsjaur",
            30,
            65.5904,
            19.1697,
            "Entré i markplan.",
        ),
    ],
    "overkalix": [
        (
            "Överkalix bibliotek",
            "Storgatan 13, 956 31 Överkalix",
            40,
            66.3275,
            22.8431,
            "Entré i markplan, tillgänglig toalett.",
        ),
    ],
}

# (municipality, venue index or None, title, kind, days ahead, start hour, hours, capacity, topics,
#  online_url, description)
EVENTS = [
    (
        "asele",
        0,
        "Digital marknadsföring för småföretag",
        "seminar",
        9,
        9,
        3,
        40,
        ["digital-marketing", "social-media"],
        None,
        "Hur når du nya kunder på nätet med liten budget? Vi går igenom sökmotorer, "
        "sociala medier och nyhetsbrev – med exempel från företag i inlandet.",
    ),
    (
        "asele",
        1,
        "Frukostmöte: nätverka med andra företagare",
        "network",
        16,
        7,
        2,
        50,
        ["entrepreneurship"],
        None,
        "Kaffe, smörgås och korta presentationer. "
        "Ta med visitkort och en fråga du vill ha hjälp med.",
    ),
    (
        "asele",
        None,
        "Webbinarium: kom igång med e-handel",
        "webinar",
        23,
        13,
        1,
        None,
        ["e-commerce", "web-presence"],
        "https://example.org/webbinarium/e-handel",
        "Från första produkten till leverans: plattformar, betalningar och frakt för små företag.",
    ),
    (
        "arvidsjaur",
        0,
        "E-handel i glesbygd – från idé till första order",
        "seminar",
        12,
        13,
        3,
        60,
        ["e-commerce", "digital-business-models"],
        None,
        "Företagare från Arvidsjaur berättar hur de säljer till hela Europa från inlandet.",
    ),
    (
        "arvidsjaur",
        1,
        "Kurs: bokföring och fakturering i molnet",
        "course",
        19,
        9,
        6,
        15,
        ["bookkeeping"],
        None,
        "Praktisk kurs med egen dator. Vi jämför tjänster för bokföring, fakturor och kvitton.",
    ),
    (
        "arvidsjaur",
        0,
        "Rekrytering och kompetensförsörjning i inlandet",
        "seminar",
        33,
        10,
        3,
        50,
        ["recruitment"],
        None,
        "Hur hittar och behåller du rätt kompetens? Med Arbetsförmedlingen och lokala företag.",
    ),
    (
        "arvidsjaur",
        1,
        "Nätverksträff: besöksnäringen inför vintersäsongen",
        "network",
        26,
        17,
        2,
        30,
        ["tourism", "digital-marketing"],
        None,
        "Samverkan mellan aktörer i besöksnäringen: "
        "bokningssystem, paket och gemensam marknadsföring.",
    ),
    (
        "overkalix",
        0,
        "Digitala affärsmodeller: prenumerationer och tjänster",
        "seminar",
        14,
        13,
        3,
        35,
        ["digital-business-models", "entrepreneurship"],
        None,
        "Kan ditt företag sälja tjänster eller prenumerationer i stället för timmar? Forskare från "
        "Luleå tekniska universitet presenterar exempel.",
    ),
    (
        "overkalix",
        0,
        "AI-verktyg i vardagen för småföretag",
        "course",
        28,
        9,
        4,
        20,
        ["ai-tools", "bookkeeping"],
        None,
        "Prova verktyg som skriver texter, sammanfattar möten och sorterar kvitton – och lär dig "
        "vad du inte ska lämna ifrån dig.",
    ),
    (
        "overkalix",
        None,
        "Webbinarium: IT-säkerhet för enmansföretag",
        "webinar",
        21,
        12,
        1,
        None,
        ["cybersecurity"],
        "https://example.org/webbinarium/it-sakerhet",
        "Lösenord, säkerhetskopior och bedrägerimejl: det viktigaste på en timme.",
    ),
    (
        "overkalix",
        0,
        "Nätverksträff: företagare möter forskare",
        "network",
        40,
        15,
        3,
        40,
        ["research-collaboration", "entrepreneurship"],
        None,
        "Matchning mellan företagens behov och forskares erbjudanden. Anmäl dig och berätta vad du "
        "behöver – vi föreslår vilka du bör träffa.",
    ),
    (
        "asele",
        0,
        "Finansiering och stöd för digitalisering",
        "seminar",
        47,
        9,
        3,
        40,
        ["financing", "digital-business-models"],
        None,
        "Regionala stöd, checkar och lån för företag som vill digitalisera. "
        "Handläggare svarar på frågor.",
    ),
]


async def load_demo() -> str:
    if await queries.municipality_by_slug_or_id("asele") is not None:
        return "Demo data is already loaded."
    SYSTEM = Principal(await service.ensure_organiser(DEMO_ADMIN, "admin"), DEMO_ADMIN, "admin")
    for name, slug, code, region in MUNICIPALITIES:
        await service.create_municipality(
            SYSTEM, MunicipalityIn(name=name, slug=slug, code=code, region=region)
        )
    venue_ids: dict[str, list[str]] = {}
    for slug, venues in VENUES.items():
        for vname, address, capacity, lat, lon, access in venues:
            v = await service.create_venue(
                SYSTEM,
                VenueIn(
                    municipality=slug,
                    name=vname,
                    address=address,
                    capacity=capacity,
                    latitude=lat,
                    longitude=lon,
                    accessibility=access,
                ),
            )
            venue_ids.setdefault(slug, []).append(v.id)
    today = to_local(utc_now(), "Europe/Stockholm").date()
    for (
        slug,
        venue,
        title,
        kind,
        days,
        hour,
        hours,
        capacity,
        topic_list,
        online,
        description,
    ) in EVENTS:
        starts = datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(
            hour=hour
        )
        ev = await service.create_event(
            SYSTEM,
            EventIn(
                title=title,
                description=description,
                kind=kind,  # type: ignore[arg-type]
                municipality=slug,
                venue_id=venue_ids[slug][venue] if venue is not None else None,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                capacity=capacity,
                topics=topic_list,
                language="sv",
                online_url=online,
            ),
        )
        await service.publish_event(SYSTEM, ev.id)
    return (
        f"Loaded {len(MUNICIPALITIES)} municipalities, "
        f"{sum(len(v) for v in VENUES.values())} venues and {len(EVENTS)} published events."
    )
