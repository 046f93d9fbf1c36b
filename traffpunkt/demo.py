"""Demo data: a believable season of the project in three of its municipalities.

What a newcomer opens should show what it is for: upcoming seminars, network meetings and
courses on working days (never a weekend, a Swedish public holiday or the Christmas break), a
breakfast meeting that is full and has a waiting list, a past meeting with check-ins, and some
thirty business owners and researchers who signed up with their needs and offers, most of them
open to networking, so that the needs map, the suggestions of whom to meet and a meeting plan
have something to show.

Loading twice changes nothing. Dates are relative to today so the season is always current.
The people are made up and their addresses are at `example.com`; their mail (confirmations,
tickets) is written to the outbox as for anyone and then withdrawn, so a first `serve` does not
fill the mail folder with letters to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import holidays

from evaluations import service as evaluations_service
from evaluations.schemas import AnswerIn as EvaluationIn
from events import organisers, service
from events.schemas import EventIn, EventPatch, MunicipalityIn, SessionIn, SessionsIn, VenueIn
from networking import service as networking_service
from networking.schemas import PlanIn
from notifications import service as mail
from registrations import service as registrations
from registrations.schemas import RegistrationIn, ScanIn
from surveys import service as surveys
from surveys.schemas import AnswerIn as SurveyAnswerIn
from surveys.schemas import RoundIn
from traffpunkt.auth import OrganiserRole, Principal
from traffpunkt.clock import utc_now
from traffpunkt.companies import luhn_ok
from traffpunkt.localtime import to_local

DEMO_ADMIN = "demo@example.com"  # a domain reserved for examples (RFC 2606)
TIMEZONE = "Europe/Stockholm"

# (name, slug, municipality code, region, contact email, contact phone); the contacts are
# made up (example.com), in the form a municipality's business office would give.
MUNICIPALITIES = [
    ("Åsele", "asele", "2463", "Västerbotten", "naringsliv.asele@example.com", "0941-140 00"),
    (
        "Arvidsjaur",
        "arvidsjaur",
        "2505",
        "Norrbotten",
        "naringsliv.arvidsjaur@example.com",
        "0960-155 00",
    ),
    (
        "Överkalix",
        "overkalix",
        "2513",
        "Norrbotten",
        "naringsliv.overkalix@example.com",
        "0926-140 00",
    ),
]

# (name, street address without the town, capacity, latitude, longitude, accessibility)
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


# The central locality of each municipality (WGS 84, rounded to 4 decimals), for travel times
# between them (planning: great-circle distance × road factor); the demo's three and the other
# inland municipalities of Norrbotten and Västerbotten a seminar tour can pass through.
COORDINATES_SOURCE = "SCB tätortspunkt / Wikipedia, 2026"
COORDINATES = {
    "asele": (64.1607, 17.3493),
    "arvidsjaur": (65.5917, 19.1800),
    "overkalix": (66.3275, 22.8431),
}

# (name, slug, municipality code, region, latitude, longitude, venue, seats): the tour's other
# localities, each with one venue (made-up names in the form the municipality would use).
TOUR_MUNICIPALITIES = [
    ("Lycksele", "lycksele", "2481", "Västerbotten", 64.5955, 18.6748, "Lycksele kommunhus", 80),
    ("Storuman", "storuman", "2421", "Västerbotten", 65.0964, 17.1117, "Storumans bibliotek", 40),
    ("Sorsele", "sorsele", "2422", "Västerbotten", 65.5347, 17.5347, "Sorsele kommunhus", 30),
    ("Malå", "mala", "2418", "Västerbotten", 65.1847, 18.7428, "Malå folkets hus", 60),
    ("Dorotea", "dorotea", "2425", "Västerbotten", 64.2622, 16.4064, "Dorotea kommunhus", 35),
    (
        "Vilhelmina",
        "vilhelmina",
        "2462",
        "Västerbotten",
        64.6244,
        16.6556,
        "Vilhelmina bibliotek",
        50,
    ),
    ("Arjeplog", "arjeplog", "2506", "Norrbotten", 66.0522, 17.8881, "Arjeplogs kommunhus", 45),
    ("Jokkmokk", "jokkmokk", "2510", "Norrbotten", 66.6061, 19.8228, "Jokkmokks folkets hus", 70),
    ("Pajala", "pajala", "2521", "Norrbotten", 67.2131, 23.3675, "Pajala kommunhus", 40),
    (
        "Övertorneå",
        "overtornea",
        "2518",
        "Norrbotten",
        66.3881,
        23.6547,
        "Övertorneå bibliotek",
        30,
    ),
]


@dataclass(frozen=True)
class DemoEvent:
    key: str  # how the people below refer to it
    municipality: str
    venue: int | None  # index into VENUES[municipality]; None: online only
    title: str
    kind: str
    working_day: int  # the n-th working day from today; negative: in the past
    start: time
    hours: float
    capacity: int | None
    topics: list[str]
    description: str
    online_url: str | None = None
    # A course series: this many sessions, a week (5 working days) apart, the one at index
    # `online_session` held online; a certificate for `completion_min_sessions` of them.
    sessions: int = 0
    online_session: int | None = None
    completion_min_sessions: int | None = None


EVENTS = [
    DemoEvent(
        "past-meeting",
        "asele",
        1,
        "Nätverksträff: digitala verktyg som sparar tid",
        "network",
        -12,
        time(15),
        2.5,
        40,
        ["bookkeeping", "ai-tools", "entrepreneurship"],
        "Företagare i Åsele delade med sig av verktygen de använder för bokning, fakturor och "
        "kundkontakt. Vi fortsätter samtalet i vår.",
    ),
    DemoEvent(
        "marketing",
        "asele",
        0,
        "Digital marknadsföring för småföretag",
        "seminar",
        4,
        time(9),
        3,
        40,
        ["digital-marketing", "social-media"],
        "Hur når du nya kunder på nätet med liten budget? Vi går igenom sökmotorer, "
        "sociala medier och nyhetsbrev – med exempel från företag i inlandet.",
    ),
    DemoEvent(
        "breakfast",
        "asele",
        1,
        "Frukostmöte: nätverka med andra företagare",
        "network",
        7,
        time(7, 30),
        1.5,
        12,
        ["entrepreneurship"],
        "Kaffe, smörgås och korta presentationer. "
        "Ta med visitkort och en fråga du vill ha hjälp med.",
    ),
    DemoEvent(
        "ecommerce-webinar",
        "asele",
        None,
        "Webbinarium: kom igång med e-handel",
        "webinar",
        10,
        time(12, 15),
        1,
        None,
        ["e-commerce", "web-presence"],
        "Från första produkten till leverans: plattformar, betalningar och frakt för små företag.",
        "https://example.org/webbinarium/e-handel",
    ),
    DemoEvent(
        "ecommerce",
        "arvidsjaur",
        0,
        "E-handel i glesbygd – från idé till första order",
        "seminar",
        5,
        time(13),
        3,
        60,
        ["e-commerce", "digital-business-models"],
        "Företagare från Arvidsjaur berättar hur de säljer till hela Europa från inlandet.",
    ),
    DemoEvent(
        "bookkeeping",
        "arvidsjaur",
        1,
        "Kurs: bokföring och fakturering i molnet",
        "course",
        9,
        time(9),
        6,
        15,
        ["bookkeeping"],
        "Praktisk kurs med egen dator. Vi jämför tjänster för bokföring, fakturor och kvitton.",
    ),
    DemoEvent(
        "tourism",
        "arvidsjaur",
        1,
        "Nätverksträff: besöksnäringen inför vintersäsongen",
        "network",
        12,
        time(16),
        2,
        30,
        ["tourism", "digital-marketing"],
        "Samverkan mellan aktörer i besöksnäringen: "
        "bokningssystem, paket och gemensam marknadsföring.",
    ),
    DemoEvent(
        "recruitment",
        "arvidsjaur",
        0,
        "Rekrytering och kompetensförsörjning i inlandet",
        "seminar",
        18,
        time(10),
        3,
        50,
        ["recruitment"],
        "Hur hittar och behåller du rätt kompetens? Med Arbetsförmedlingen och lokala företag.",
    ),
    DemoEvent(
        "business-models",
        "overkalix",
        0,
        "Digitala affärsmodeller: prenumerationer och tjänster",
        "seminar",
        6,
        time(13),
        3,
        35,
        ["digital-business-models", "entrepreneurship"],
        "Kan ditt företag sälja tjänster eller prenumerationer i stället för timmar? Forskare från "
        "Luleå tekniska universitet presenterar exempel.",
    ),
    DemoEvent(
        "security-webinar",
        "overkalix",
        None,
        "Webbinarium: IT-säkerhet för enmansföretag",
        "webinar",
        8,
        time(12, 15),
        1,
        None,
        ["cybersecurity"],
        "Lösenord, säkerhetskopior och bedrägerimejl: det viktigaste på en timme.",
        "https://example.org/webbinarium/it-sakerhet",
    ),
    DemoEvent(
        "ai-course",
        "overkalix",
        0,
        "Kurs: AI-verktyg i vardagen för småföretag",
        "course",
        14,
        time(9),
        4,
        20,
        ["ai-tools", "bookkeeping"],
        "Prova verktyg som skriver texter, sammanfattar möten och sorterar kvitton – och lär dig "
        "vad du inte ska lämna ifrån dig.",
    ),
    DemoEvent(
        "researchers",
        "overkalix",
        0,
        "Nätverksträff: företagare möter forskare",
        "network",
        16,
        time(14),
        3,
        40,
        ["research-collaboration", "entrepreneurship"],
        "Matchning mellan företagens behov och forskares erbjudanden. Anmäl dig och berätta vad du "
        "behöver – vi föreslår vilka du bör träffa.",
    ),
    DemoEvent(
        "financing",
        "asele",
        0,
        "Finansiering och stöd för digitalisering",
        "seminar",
        20,
        time(9),
        3,
        40,
        ["financing", "digital-business-models"],
        "Regionala stöd, checkar och lån för företag som vill digitalisera. "
        "Handläggare svarar på frågor.",
    ),
    DemoEvent(
        "course",
        "overkalix",
        0,
        "Kurs: bokföring och moms för nya företagare",
        "course",
        8,
        time(13),
        3,
        20,
        ["bookkeeping", "entrepreneurship"],
        "Fyra eftermiddagar om verifikationer, moms, bokslut och digitala verktyg. Tillfälle två "
        "hålls digitalt. Den som deltar i minst tre av fyra tillfällen får ett kursintyg.",
        online_url="https://meet.example.com/overkalix-bokforing",
        sessions=4,
        online_session=1,
        completion_min_sessions=3,
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    name: str
    organisation: str
    municipality: str  # the town they write, as on the sign-up form
    role: str
    needs: list[str]
    offers: list[str]
    events: list[str]  # DemoEvent keys, in the order they signed up
    consent: bool = True
    language: str = "sv"
    about: str = ""
    sector: str = ""
    checked_in: bool = field(default=True)  # at the past meeting, if they were there


PEOPLE = [
    # Åsele
    DemoPerson(
        "Anna Lindqvist",
        "Lindqvists Café & Bageri",
        "Åsele",
        "company",
        ["digital-marketing", "social-media", "bookkeeping"],
        ["tourism"],
        ["past-meeting", "marketing", "breakfast"],
        about="Café och bageri vid torget, tre anställda på sommaren.",
        sector="Livsmedel och café",
    ),
    DemoPerson(
        "Erik Sjödin",
        "Sjödins Snickeri",
        "Åsele",
        "company",
        ["e-commerce", "web-presence"],
        ["entrepreneurship"],
        ["past-meeting", "breakfast", "ecommerce-webinar"],
        about="Möbler och inredning på beställning, vill sälja på nätet.",
        sector="Tillverkning",
    ),
    DemoPerson(
        "Maria Holmgren",
        "Holmgrens Redovisning",
        "Åsele",
        "advisor",
        ["ai-tools"],
        ["bookkeeping", "financing"],
        ["past-meeting", "breakfast", "financing"],
        about="Redovisningsbyrå för småföretag i södra Lappland.",
        sector="Redovisning",
    ),
    DemoPerson(
        "Johan Nilsson",
        "Vildmarksguiden i Åsele",
        "Åsele",
        "company",
        ["digital-marketing", "e-commerce", "financing"],
        ["tourism"],
        ["past-meeting", "marketing", "breakfast", "financing"],
        about="Guidade turer med kanot och snöskor.",
        sector="Besöksnäring",
    ),
    DemoPerson(
        "Sara Eriksson",
        "Åsele Blomsterhandel",
        "Åsele",
        "company",
        ["social-media", "web-presence", "bookkeeping"],
        [],
        ["past-meeting", "breakfast", "marketing"],
        sector="Handel",
    ),
    DemoPerson(
        "Lars Persson",
        "Perssons El & VVS",
        "Åsele",
        "company",
        ["recruitment", "bookkeeping", "ai-tools"],
        ["sustainability"],
        ["past-meeting", "breakfast"],
        consent=False,
        sector="Bygg och installation",
        checked_in=False,
    ),
    DemoPerson(
        "Karin Öberg",
        "Öbergs Hantverk",
        "Åsele",
        "company",
        ["e-commerce", "social-media", "digital-marketing"],
        [],
        ["past-meeting", "breakfast", "ecommerce-webinar"],
        about="Slöjd i trä och näver, säljer på marknader och vill nå fler.",
        sector="Hantverk",
    ),
    DemoPerson(
        "Mikael Berg",
        "Bergs Åkeri",
        "Åsele",
        "company",
        ["cybersecurity", "bookkeeping"],
        ["entrepreneurship"],
        ["past-meeting", "breakfast", "financing"],
        sector="Transport",
    ),
    DemoPerson(
        "Elin Strand",
        "Strands Hälsa",
        "Åsele",
        "company",
        ["digital-marketing", "web-presence", "ai-tools"],
        [],
        ["past-meeting", "breakfast", "marketing"],
        about="Massage och friskvård, bokar kunder via telefon i dag.",
        sector="Hälsa",
    ),
    DemoPerson(
        "Per Wikström",
        "Wikströms Skog",
        "Åsele",
        "company",
        ["financing", "digital-business-models"],
        ["sustainability"],
        ["past-meeting", "breakfast", "financing"],
        sector="Skogsbruk",
    ),
    DemoPerson(
        "Ingrid Lundberg",
        "Lundbergs Gårdsbutik",
        "Åsele",
        "company",
        ["e-commerce", "digital-marketing"],
        ["tourism"],
        ["past-meeting", "breakfast", "marketing"],
        sector="Livsmedel",
    ),
    DemoPerson(
        "Olof Danielsson",
        "Danielssons Måleri",
        "Åsele",
        "company",
        ["bookkeeping", "web-presence"],
        [],
        ["breakfast"],
        sector="Bygg",
    ),
    DemoPerson(
        "Frida Nordin",
        "Nordins Foto",
        "Åsele",
        "company",
        ["e-commerce", "social-media"],
        ["digital-marketing"],
        ["past-meeting", "breakfast", "marketing"],
        about="Fotograf: bröllop, företag och naturbilder.",
        sector="Kreativa näringar",
    ),
    DemoPerson(
        "Gustav Hedlund",
        "Hedlunds Bygg",
        "Åsele",
        "company",
        ["recruitment", "bookkeeping"],
        [],
        ["breakfast"],
        sector="Bygg",
    ),
    DemoPerson(
        "Linnea Forsberg",
        "Forsbergs Keramik",
        "Åsele",
        "company",
        ["e-commerce", "export"],
        [],
        ["breakfast", "ecommerce-webinar"],
        sector="Hantverk",
    ),
    # Arvidsjaur
    DemoPerson(
        "Henrik Lundström",
        "Arctic Drive Test Services",
        "Arvidsjaur",
        "company",
        ["recruitment", "export"],
        ["tourism"],
        ["ecommerce", "recruitment"],
        about="Tjänster till biltestindustrin under vintern.",
        sector="Fordonstest",
    ),
    DemoPerson(
        "Sofia Granberg",
        "Granbergs Stugby",
        "Arvidsjaur",
        "company",
        ["digital-marketing", "e-commerce", "tourism"],
        [],
        ["ecommerce", "tourism"],
        about="Stugby vid sjön, egen bokning via mejl.",
        sector="Besöksnäring",
    ),
    DemoPerson(
        "Nils Marklund",
        "Marklunds Renkött",
        "Arvidsjaur",
        "company",
        ["e-commerce", "export", "bookkeeping"],
        ["tourism"],
        ["ecommerce", "bookkeeping"],
        sector="Livsmedel",
    ),
    DemoPerson(
        "Emma Björk",
        "Björks Bokföringstjänst",
        "Arvidsjaur",
        "advisor",
        ["ai-tools"],
        ["bookkeeping", "financing"],
        ["bookkeeping", "recruitment"],
        sector="Redovisning",
    ),
    DemoPerson(
        "Tobias Lind",
        "Lapland Snow Adventures",
        "Arvidsjaur",
        "company",
        ["digital-marketing", "social-media", "recruitment"],
        ["tourism"],
        ["tourism", "recruitment"],
        language="en",
        about="Snowmobile and husky tours for guests from all over Europe.",
        sector="Tourism",
    ),
    DemoPerson(
        "Malin Rönnqvist",
        "Rönnqvists Hemslöjd",
        "Arvidsjaur",
        "company",
        ["e-commerce", "web-presence", "bookkeeping"],
        [],
        ["ecommerce", "bookkeeping", "tourism"],
        sector="Hantverk",
    ),
    DemoPerson(
        "Jonas Åström",
        "Åströms IT-konsult",
        "Arvidsjaur",
        "advisor",
        ["recruitment"],
        ["cybersecurity", "web-presence", "e-commerce"],
        ["ecommerce", "tourism"],
        about="Hjälper småföretag med webb, e-post och säkerhet.",
        sector="IT",
    ),
    DemoPerson(
        "Helena Westerlund",
        "Westerlunds Fiskecamp",
        "Arvidsjaur",
        "company",
        ["digital-marketing", "bookkeeping", "tourism"],
        [],
        ["tourism", "bookkeeping"],
        sector="Besöksnäring",
    ),
    # Överkalix
    DemoPerson(
        "Lena Palo",
        "Palos Gästgiveri",
        "Överkalix",
        "company",
        ["digital-business-models", "ai-tools", "digital-marketing"],
        ["tourism"],
        ["business-models", "ai-course", "researchers"],
        sector="Besöksnäring",
    ),
    DemoPerson(
        "Mats Rova",
        "Rovas Maskinstation",
        "Överkalix",
        "company",
        ["cybersecurity", "bookkeeping", "ai-tools"],
        [],
        ["security-webinar", "ai-course", "researchers"],
        sector="Lantbruk och entreprenad",
    ),
    DemoPerson(
        "Kristina Nyström",
        "Nyströms Textil",
        "Överkalix",
        "company",
        ["e-commerce", "digital-business-models", "research-collaboration"],
        [],
        ["business-models", "researchers"],
        about="Vävda textilier i lin och ull, vill pröva prenumeration.",
        sector="Textil",
    ),
    DemoPerson(
        "Dr. Peter Isaksson",
        "Luleå tekniska universitet",
        "Luleå",
        "researcher",
        ["research-collaboration"],
        ["digital-business-models", "ai-tools", "e-commerce"],
        ["business-models", "researchers"],
        about="Forskar om digitala affärsmodeller i små företag på landsbygden.",
        sector="Forskning",
    ),
    DemoPerson(
        "Dr. Aino Keskitalo",
        "Luleå tekniska universitet",
        "Luleå",
        "researcher",
        ["research-collaboration"],
        ["cybersecurity", "ai-tools"],
        ["security-webinar", "researchers"],
        about="Forskar om informationssäkerhet i mikroföretag.",
        sector="Forskning",
    ),
    DemoPerson(
        "Anders Wiklund",
        "Wiklunds Bär & Sylt",
        "Överkalix",
        "company",
        ["e-commerce", "export", "research-collaboration"],
        ["sustainability"],
        ["business-models", "researchers"],
        sector="Livsmedel",
    ),
    DemoPerson(
        "Hanna Kostet",
        "Kostets Frisörsalong",
        "Överkalix",
        "company",
        ["social-media", "ai-tools", "bookkeeping"],
        [],
        ["ai-course", "researchers"],
        sector="Frisör",
    ),
    DemoPerson(
        "Ulf Tornberg",
        "Tornbergs Fiskeguide",
        "Överkalix",
        "company",
        ["digital-marketing", "research-collaboration", "cybersecurity"],
        ["tourism"],
        ["security-webinar", "researchers"],
        sector="Besöksnäring",
    ),
]


def _evaluation(
    overall: int, relevance: int, next_step: str, topics: list[str], contact: bool = False
) -> EvaluationIn:
    return EvaluationIn(
        overall=overall,
        relevance=relevance,
        next_step=next_step,
        topics=topics,
        wants_follow_up_contact=contact,
    )


# Answers to the past meeting's evaluation (who gave which is not kept anywhere).
EVALUATION_ANSWERS = [
    _evaluation(5, 5, "Börja skanna kvitton i mobilen i stället för pärmen.", ["ai-tools"]),
    _evaluation(4, 5, "Testa ett bokföringsprogram med bankkoppling.", ["bookkeeping"], True),
    _evaluation(4, 4, "Låta AI skriva första utkastet till veckans nyhetsbrev.", ["ai-tools"]),
    _evaluation(5, 4, "Boka ett möte med redovisningsbyrån om digitala underlag.", []),
    _evaluation(3, 3, "", ["cybersecurity"]),
    _evaluation(4, 5, "Införa digital tidrapportering för de anställda.", ["recruitment"], True),
    _evaluation(5, 5, "Prova en schemaläggare för inläggen på sociala medier.", ["social-media"]),
    _evaluation(2, 3, "Inget just nu, men bra att veta vad som finns.", []),
    _evaluation(4, 4, "Se över lösenorden och slå på tvåstegsinloggning.", ["cybersecurity"]),
    _evaluation(5, 4, "Lägga upp webbshopen före julhandeln.", ["e-commerce"], True),
]
# --- the skills-needs survey -----------------------------------------------------------------
# A round open now in the three municipalities, with answers from about forty made-up companies
# (valid organisation numbers, sectors as the localities have them: tourism I, construction F,
# retail G, agriculture and forestry A, a few others), so that the needs map and the planning
# page have survey answers to count. One per line: company | municipality | SNI section | size
# band | needs as topic:urgency (1-3) | offers | contact consent | networking consent.
SURVEY_TITLE = "Kompetensbehov hösten 2026"
SURVEY_ANSWERS = """
Åsele Fjällstugor AB|asele|I|1-4|e-commerce:3 social-media:2|tourism|yes|yes
Vojmådalens Turism|asele|I|0|e-commerce:3 digital-marketing:2||yes|no
Gafsele Gästgiveri AB|asele|I|5-9|recruitment:3 e-commerce:2|tourism|yes|yes
Åsele Bygg & Snickeri AB|asele|F|5-9|recruitment:3 bookkeeping:2||yes|no
Norra Ångermanlands Rör AB|asele|F|1-4|cybersecurity:2 recruitment:2||no|no
Lillegård Timmerhus|asele|F|0|web-presence:3 financing:2|sustainability|yes|yes
Åsele Livs & Järn AB|asele|G|5-9|e-commerce:3 ai-tools:1||yes|no
Hemslöjd i Åsele|asele|G|0|e-commerce:3 social-media:3||yes|yes
Fjällnära Kött AB|asele|A|1-4|e-commerce:2 sustainability:2|export|yes|yes
Tegnäs Skog & Mark|asele|A|0|bookkeeping:2 financing:3||no|no
Sandviks Renskötsel|asele|A|0|web-presence:1 export:2||yes|no
Åsele Redovisning AB|asele|M|1-4|ai-tools:3 cybersecurity:2|bookkeeping|yes|yes
Fredrika Frisör & Hud|asele|S|0|social-media:2 bookkeeping:1||yes|no
Västernorrlands Åkeri AB|asele|H|10-49|recruitment:3 sustainability:2||yes|no
Arvidsjaur Vinterlek AB|arvidsjaur|I|10-49|recruitment:3 export:2|tourism|yes|yes
Lapland Arctic Lodge AB|arvidsjaur|I|5-9|digital-marketing:3 e-commerce:2|export|yes|yes
Kyrkstadens Kafé|arvidsjaur|I|1-4|social-media:2 bookkeeping:2||yes|no
Pite Fjällturer|arvidsjaur|I|0|e-commerce:3 web-presence:3||yes|yes
Arvidsjaurs Byggtjänst AB|arvidsjaur|F|10-49|recruitment:3 cybersecurity:2||yes|no
Glommers Måleri|arvidsjaur|F|1-4|bookkeeping:2 ai-tools:1||no|no
Nyborg El & Energi AB|arvidsjaur|F|5-9|sustainability:3 recruitment:2|sustainability|yes|yes
Arvidsjaur Sport & Fritid AB|arvidsjaur|G|1-4|e-commerce:3 digital-marketing:2||yes|yes
Lappländsk Design|arvidsjaur|G|0|e-commerce:2 export:3|social-media|yes|yes
Byskeälvens Fisk AB|arvidsjaur|A|1-4|export:2 sustainability:2||yes|no
Moskosel Skogsentreprenad|arvidsjaur|A|1-4|recruitment:2 bookkeeping:2||no|no
Arctic Testing AB|arvidsjaur|M|10-49|research-collaboration:3 cybersecurity:3|ai-tools|yes|yes
Arvidsjaur IT-konsult|arvidsjaur|J|0|financing:2 entrepreneurship:2|web-presence|yes|yes
Överkalix Laxfiske AB|overkalix|I|1-4|e-commerce:3 digital-marketing:3|tourism|yes|yes
Kalixälvens Turistby|overkalix|I|5-9|recruitment:2 social-media:2||yes|no
Brännaberget Vandring|overkalix|I|0|web-presence:3 e-commerce:2||yes|yes
Överkalix Bygg & Fastighet AB|overkalix|F|5-9|recruitment:3 bookkeeping:1||yes|no
Svartbyns Plåtslageri|overkalix|F|1-4|cybersecurity:1 recruitment:2||no|no
Överkalix Handelshus AB|overkalix|G|5-9|e-commerce:3 ai-tools:2||yes|yes
Norrbottens Bärprodukter|overkalix|G|1-4|export:3 e-commerce:2|sustainability|yes|yes
Tallvik Gårdsmejeri|overkalix|A|1-4|e-commerce:2 financing:3||yes|yes
Lansjärv Skog AB|overkalix|A|0|sustainability:2 bookkeeping:2||yes|no
Överkalix Renslakteri AB|overkalix|A|5-9|export:2 recruitment:2||no|no
Kalix Vård & Omsorg AB|overkalix|Q|10-49|recruitment:3 ai-tools:2||yes|no
Överkalix Bilservice|overkalix|G|1-4|bookkeeping:2 web-presence:2||yes|no
Jokkfall Konferens AB|overkalix|I|1-4|digital-marketing:2 entrepreneurship:1|tourism|yes|yes
""".strip().splitlines()
CONTACTS = [
    "Karin", "Lars", "Eva", "Per", "Maria", "Anders", "Sara", "Johan", "Lena", "Mikael",
    "Anna", "Erik", "Ida", "Nils", "Emma", "Olof",
]  # fmt: skip


def demo_org_number(n: int) -> str:
    """A valid organisation number (a limited company's: 556…), the check digit by Luhn."""
    nine = f"556{700000 + n * 37:06d}"
    digit = next(str(d) for d in range(10) if luhn_ok(nine + str(d)))
    return f"{nine[:6]}-{nine[6:]}{digit}"


async def _load_survey(admin: Principal, today: date) -> int:
    """The demo round and its answers (receipts to made-up addresses withdrawn)."""
    created = await surveys.create_round(
        admin,
        RoundIn(
            title=SURVEY_TITLE,
            intro=(
                "Projektet vill veta vilken kompetens företagen i Åsele, Arvidsjaur och "
                "Överkalix behöver, så att seminarier, nätverksträffar och kurser hålls där "
                "behoven finns."
            ),
            municipalities=["asele", "arvidsjaur", "overkalix"],
            opens_at=(today - timedelta(days=21)).isoformat(),
            closes_at=(today + timedelta(days=14)).isoformat(),
        ),
    )
    for i, line in enumerate(SURVEY_ANSWERS):
        company, place, sector, size, needs, offers, contact, network = line.split("|")
        first = CONTACTS[i % len(CONTACTS)]
        done = await surveys.submit_open(
            created.slug,
            SurveyAnswerIn(
                company_name=company,
                org_number=demo_org_number(i),
                municipality=place,
                sector=sector,
                size_band=size,
                contact_name=f"{first} {company.split()[0]}",
                email=f"{first.lower()}.{i}@example.com",
                needs={t: int(u) for t, _, u in (n.partition(":") for n in needs.split())},
                offers=offers.split(),
                contact_consent=contact == "yes",
                networking_consent=network == "yes",
            ),
        )
        await mail.cancel_pending(done.answer_id)
    return len(SURVEY_ANSWERS)


def _address(person: DemoPerson) -> str:
    """A made-up address at the reserved example.com domain."""
    first, last = person.name.removeprefix("Dr. ").lower().split()[:2]
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e"})
    return f"{first.translate(table)}.{last.translate(table)}@example.com"


def _is_working_day(day: date, public_holidays: holidays.HolidayBase) -> bool:
    """Monday to Friday, not a Swedish holiday (nor Midsummer Eve), and not the Christmas break
    (23 Dec to Epiphany), when nobody in these places holds or attends a seminar."""
    christmas_break = (day.month == 12 and day.day >= 23) or (day.month == 1 and day.day <= 6)
    return day.weekday() < 5 and day not in public_holidays and not christmas_break


def working_day(today: date, n: int) -> date:
    """The n-th working day after today (n > 0) or before it (n < 0)."""
    # de_facto: Midsummer Eve, Christmas Eve and New Year's Eve, days off in practice.
    public_holidays = holidays.country_holidays(
        "SE", years=range(today.year - 1, today.year + 2), categories=("public", "de_facto")
    )
    step = 1 if n >= 0 else -1
    day, left = today, abs(n)
    while left:
        day += timedelta(days=step)
        if _is_working_day(day, public_holidays):
            left -= 1
    return day


def _local(day: date, at: time) -> str:
    return datetime.combine(day, at).isoformat(timespec="minutes")


async def load_demo() -> str:
    if any(m.slug == "asele" for m in await service.list_municipalities()):
        return "Demo data is already loaded."
    admin_id = await organisers.ensure_organiser(DEMO_ADMIN, OrganiserRole.ADMIN)
    admin = Principal(admin_id, DEMO_ADMIN, OrganiserRole.ADMIN)
    for name, slug, code, region, email, phone in MUNICIPALITIES:
        await service.create_municipality(
            admin,
            MunicipalityIn(
                name=name,
                slug=slug,
                code=code,
                region=region,
                contact_email=email,
                contact_phone=phone,
                latitude=COORDINATES[slug][0],
                longitude=COORDINATES[slug][1],
                coordinates_source=COORDINATES_SOURCE,
            ),
        )
    for name, slug, code, region, lat, lon, venue, seats in TOUR_MUNICIPALITIES:
        await service.create_municipality(
            admin,
            MunicipalityIn(
                name=name,
                slug=slug,
                code=code,
                region=region,
                latitude=lat,
                longitude=lon,
                coordinates_source=COORDINATES_SOURCE,
            ),
        )
        await service.create_venue(
            admin,
            VenueIn(municipality=slug, name=venue, capacity=seats, latitude=lat, longitude=lon),
        )
    venue_ids: dict[str, list[str]] = {}
    for slug, venues in VENUES.items():
        for vname, address, capacity, lat, lon, access in venues:
            v = await service.create_venue(
                admin,
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

    today = to_local(utc_now(), TIMEZONE).date()
    event_ids: dict[str, str] = {}
    for e in EVENTS:
        # A past event is first made upcoming, so that people can sign up, then moved back.
        day = working_day(today, max(e.working_day, 1))
        starts = datetime.combine(day, e.start)
        created = await service.create_event(
            admin,
            EventIn(
                title=e.title,
                description=e.description,
                kind=e.kind,  # type: ignore[arg-type]
                municipality=e.municipality,
                venue_id=venue_ids[e.municipality][e.venue] if e.venue is not None else None,
                starts_at=starts.isoformat(timespec="minutes"),
                ends_at=(starts + timedelta(hours=e.hours)).isoformat(timespec="minutes"),
                capacity=e.capacity,
                topics=e.topics,
                language="sv",
                online_url=e.online_url,
                completion_min_sessions=e.completion_min_sessions,
            ),
        )
        if e.sessions:
            await service.set_sessions(
                admin,
                created.id,
                SessionsIn(
                    sessions=[
                        SessionIn(
                            starts_at=_local(working_day(today, e.working_day + 5 * k), e.start),
                            ends_at=(
                                datetime.combine(working_day(today, e.working_day + 5 * k), e.start)
                                + timedelta(hours=e.hours)
                            ).isoformat(timespec="minutes"),
                            online=k == e.online_session,
                        )
                        for k in range(e.sessions)
                    ]
                ),
            )
        await service.publish_event(admin, created.id)
        event_ids[e.key] = created.id

    registration_ids: list[str] = []
    tokens: dict[tuple[str, str], str] = {}  # (event key, person) -> manage token
    for person in PEOPLE:
        for key in person.events:
            signed = await registrations.register(
                event_ids[key],
                RegistrationIn(
                    name=person.name,
                    email=_address(person),
                    organisation=person.organisation,
                    municipality=person.municipality,
                    language=person.language,  # type: ignore[arg-type]
                    needs=person.needs,
                    offers=person.offers,
                    networking_consent=person.consent,
                    role=person.role,  # type: ignore[arg-type]
                    sector=person.sector or None,
                    about=person.about or None,
                ),
            )
            registration_ids.append(str(signed.registration_id))
            if signed.token:
                tokens[(key, person.name)] = signed.token

    past = [e for e in EVENTS if e.working_day < 0]
    checked_in = 0
    for e in past:
        day = working_day(today, e.working_day)
        starts = datetime.combine(day, e.start)
        await service.update_event(
            admin,
            event_ids[e.key],
            EventPatch(
                starts_at=_local(day, e.start),
                ends_at=(starts + timedelta(hours=e.hours)).isoformat(timespec="minutes"),
            ),
        )
        arrivals = [p for p in PEOPLE if e.key in p.events and p.checked_in]
        for minute, person in enumerate(arrivals):
            code = await registrations.own_ticket_code(tokens[(e.key, person.name)])
            scanned = starts - timedelta(minutes=15) + timedelta(minutes=minute)
            await registrations.check_in(
                admin,
                event_ids[e.key],
                ScanIn(
                    secret=code,
                    scan_id=f"demo-{e.key}-{minute}",
                    scanned_at=scanned.isoformat(timespec="minutes"),
                    device="Demo",
                ),
            )
            checked_in += 1

    # The past meeting's evaluation, answered by ten of the eleven who came (anonymous
    # results need three answers; the organiser's results page has something to show).
    answered = 0
    for e in past:
        row = await service.event_for_mail(event_ids[e.key])
        assert row is not None
        links = await evaluations_service.send_for_event(row)
        for token, answer in zip(links.values(), EVALUATION_ANSWERS, strict=False):
            await evaluations_service.answer(token, answer)
            answered += 1

    # A draft 1:1 meeting plan for the researchers' meeting, for the organiser to look at.
    await networking_service.create_plan(
        admin, event_ids["researchers"], PlanIn(slots=4, minutes=10, tables=4)
    )

    # Letters to made-up people are withdrawn before anything sends them.
    for registration_id in registration_ids:
        await mail.cancel_pending(registration_id)

    answers = await _load_survey(admin, today)

    return (
        f"Loaded {len(MUNICIPALITIES) + len(TOUR_MUNICIPALITIES)} municipalities, "
        f"{sum(len(v) for v in VENUES.values()) + len(TOUR_MUNICIPALITIES)} venues, "
        f"{len(EVENTS)} published events "
        f"({len(past)} past, {checked_in} check-ins, {answered} evaluations), "
        f"{len(registration_ids)} registrations of {len(PEOPLE)} people, and a survey round "
        f"with {answers} answers."
    )
