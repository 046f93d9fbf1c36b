"""The organiser's web on a real `traffpunkt serve` with its mail sender, SQLite and PostgreSQL.

One server per engine (shared by the tests of this module) runs WITH its mail worker and sends by
SMTP to an aiosmtpd server in the test process: every mail below really travelled by SMTP and is
parsed with the `email` package. Waits poll that recorder (or the page) with a timeout.

- The journey, in headless chromium: /organiser redirects to sign-in; the mailed link signs the
  organiser in; an event is created (datetime-local inputs) and published; three addresses are
  invited; an invitee opens the personal link from her invitation in her own browser and signs
  up; the organiser sees her listed; a door phone is paired through the QR code (decoded from the
  page) and checks her in with the ticket code from her confirmation mail; the organiser sees the
  count; the attendee list downloads as CSV; the event is cancelled with a message, which reaches
  the attendee (and no one who merely got an invitation).
- Rights, over HTTP: every organiser page (the GET routes of the three `*organiser_pages.py`)
  sends an anonymous visitor to sign in, shows an organiser of another municipality nothing of
  the event (an HTML 403/404 page), and opens for the event's organiser; the back-office
  entrance opens for administrators only. Every organiser action (POST) of another
  municipality's organiser is refused and changes nothing (the event, its attendees, door link
  and plan, Anna's account and API token, venues, municipalities, mail).
- WCAG 2.1 A/AA: axe finds no violations on any organiser page (sign-in pages, dashboard, event
  form, the form with validation errors, confirm-the-change, overview, cancel, attendees with
  invitation errors, door page with a QR code, meetings with a plan, preview, settings as
  organiser and as admin with a new token, error pages), in Swedish and English, on a desktop
  and on a phone; on the phone no page scrolls sideways (reflow: wide tables scroll in a box).
"""

from __future__ import annotations

import asyncio
import csv
import email.utils
import io
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiosmtpd.controller import Controller
from litestar import Router

from accounts import pages as account_pages
from events import organiser_pages as event_pages
from events import topics
from networking import organiser_pages as meeting_pages
from registrations import organiser_pages as attendee_pages
from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from tests.conftest import ENGINES, PG_ADMIN_URL, World
from tests.live import LiveServer, drop_database, free_port, fresh_database, live_server
from tests.notifications.conftest import Recorder
from tests.organiser.conftest import csrf
from traffpunkt import back_office, i18n
from traffpunkt.auth import SESSION_COOKIE
from traffpunkt.demo import VENUES

pytestmark = [pytest.mark.asyncio(loop_scope="session")]
browser_test = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
STOCKHOLM = ZoneInfo("Europe/Stockholm")
JSQR = Path(__file__).resolve().parents[2] / "traffpunkt/static/checkin/vendor/jsQR.js"
MAIL_WAIT = 30.0  # seconds; the sender polls its outbox every second

ANNA = "anna@asele.se"  # organiser, Åsele
OLLE = "olle@arvidsjaur.se"  # organiser, Arvidsjaur
ADMIN = "admin@example.se"


def sv(message: str) -> str:
    return i18n.gettext("sv", message)


def tr(lang: str, message: str) -> str:
    return i18n.gettext(lang, message)


def local_start(days: int, hour: int = 9) -> datetime:
    return (datetime.now(STOCKHOLM) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def local_input(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


# --- mail that really travelled by SMTP --------------------------------------------------------


class Mailbox(Recorder):
    """The aiosmtpd recorder, with waits for the mail a test expects."""

    def mark(self) -> int:
        """Where the mailbox is now: wait for mail after this point."""
        return len(self.messages)

    def matching(self, to: str, kind: str | None = None, since: int = 0) -> list[EmailMessage]:
        found = []
        for message in self.messages[since:]:
            addresses = {a.lower() for _, a in email.utils.getaddresses([str(message["To"])])}
            if to.lower() in addresses and (kind is None or message["X-Traffpunkt-Kind"] == kind):
                found.append(message)
        return found

    def _report(self, to: str, kind: str | None) -> str:
        seen = [(str(m["To"]), m["X-Traffpunkt-Kind"]) for m in self.messages]
        return f"no {kind or 'mail'} to {to} within {MAIL_WAIT}s; the server sent {seen}"

    async def wait(
        self, to: str, kind: str | None = None, since: int = 0, count: int = 1
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + MAIL_WAIT
        while len(found := self.matching(to, kind, since)) < count:
            assert time.monotonic() < deadline, self._report(to, kind)
            await asyncio.sleep(0.05)
        return found


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the mail has a text part"
    return body.get_content()


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None, "the mail has an HTML part"
    return body.get_content()


def calendar_of(message: EmailMessage) -> str | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content()
    return None


def link_in(message: EmailMessage, base_url: str, path_prefix: str, contains: str = "") -> str:
    """The one link under `path_prefix` (holding `contains`) in the text part, as in the HTML."""
    pattern = re.escape(base_url + path_prefix) + r"[^\s<>\"']+"
    links = {link for link in re.findall(pattern, text_of(message)) if contains in link}
    assert len(links) == 1, (path_prefix, text_of(message))
    link = links.pop()
    assert link.replace("&", "&amp;") in html_of(message) or link in html_of(message)
    return link


# --- the server ----------------------------------------------------------------------------------


@dataclass
class Prepared:
    """A published Åsele event with attendees, a waiting list, a door link and a draft plan."""

    id: str
    title: str
    slug: str
    people: dict[str, dict[str, Any]]  # email -> {name, token, id, status}
    door_token_id: str
    door_token: str


@dataclass
class Stack:
    live: LiveServer
    mail: Mailbox
    tokens: dict[str, str]  # email -> API token
    sessions: dict[str, str] = field(default_factory=dict)  # email -> session cookie
    _spare_link: str = ""
    _event: Prepared | None = None

    @property
    def url(self) -> str:
        return self.live.url

    async def request_link(self, address: str) -> str:
        """Ask for a sign-in link on the web (over HTTP); the link from the mail."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            form = await client.get("/organiser/sign-in")
            since = self.mail.mark()
            r = await client.post(
                "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": address}
            )
            assert r.status_code == 200, r.text
        (message,) = await self.mail.wait(address, "sign_in", since)
        return link_in(message, self.url, "/organiser/sign-in/")

    async def session(self, address: str) -> str:
        """A session of `address` through a mailed link; the cookie's value."""
        if address not in self.sessions:
            link = await self.request_link(address)
            async with httpx.AsyncClient(timeout=30) as client:
                confirm = await client.get(link)
                assert confirm.status_code == 200
                r = await client.post(
                    link, data={"_csrf_token": csrf(confirm.text), "next": "/organiser"}
                )
                assert r.status_code == 303 and r.headers["location"] == "/organiser", r.text
                self.sessions[address] = client.cookies[SESSION_COOKIE]
        return self.sessions[address]

    async def spare_link(self) -> str:
        """A valid sign-in link that stays unused (for its confirm page)."""
        if not self._spare_link:
            self._spare_link = await self.request_link(ANNA)
        return self._spare_link

    async def client(self, address: str | None) -> httpx.AsyncClient:
        """An HTTP client of the organiser `address` (signed in), or of no one."""
        cookies = {SESSION_COOKIE: await self.session(address)} if address else {}
        return httpx.AsyncClient(base_url=self.url, cookies=cookies, timeout=30)

    async def event(self) -> Prepared:
        """The prepared event (made once per server, through the API with Anna's token)."""
        if self._event is None:
            self._event = await prepare_event(self)
        return self._event


async def prepare_event(stack: Stack) -> Prepared:
    anna = World.auth(stack.tokens[ANNA])
    starts = local_start(40, 13)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as api:
        r = await api.post(
            "/api/v1/events",
            headers=anna,
            json={
                "title": "Nätverksträff: export till Norge",
                "description": "Träffa andra företag som vill sälja i Norge.\n\nFika ingår.",
                "kind": "network",
                "municipality": "asele",
                "starts_at": local_input(starts),
                "ends_at": local_input(starts + timedelta(hours=3)),
                "capacity": 3,
                "topics": ["export"],
            },
        )
        assert r.status_code == 201, r.text
        event = r.json()
        r = await api.post(f"/api/v1/events/{event['id']}/publish", headers=anna)
        assert r.status_code == 200, r.text
        people: dict[str, dict[str, Any]] = {}
        for name, needs, offers in (
            ("Greta Holm", ["export"], ["tourism"]),
            ("Hugo Sundberg", ["tourism"], ["export"]),
            ("Ingrid Vik", ["export"], ["digital-marketing"]),
            ("Jonas Berg", ["tourism"], []),  # the fourth: on the waiting list
        ):
            address = name.split()[0].lower() + "@example.se"
            r = await api.post(
                f"/api/v1/events/{event['id']}/registrations",
                json={
                    "name": name,
                    "email": address,
                    "organisation": f"{name.split()[1]} AB",
                    "needs": needs,
                    "offers": offers,
                    "networking_consent": True,
                },
            )
            assert r.status_code == 201, r.text
            people[address] = {"name": name, "token": r.json()["manage_url"].rsplit("/", 1)[1]}
        r = await api.get(f"/api/v1/events/{event['id']}/registrations", headers=anna)
        assert r.status_code == 200, r.text
        for item in r.json()["items"]:
            people[item["email"]].update(id=item["id"], status=item["status"])
        assert sorted(p["status"] for p in people.values()) == ["confirmed"] * 3 + ["waitlisted"]
        r = await api.post(
            f"/api/v1/events/{event['id']}/meeting-plan",
            headers=anna,
            json={"slots": 3, "minutes": 10, "tables": 4},
        )
        assert r.status_code == 201, r.text
        assert r.json()["meetings"], "the plan has meetings"
        r = await api.post(
            f"/api/v1/events/{event['id']}/door-tokens", headers=anna, json={"label": "Entrén"}
        )
        assert r.status_code == 201, r.text
        door = r.json()
    return Prepared(
        id=event["id"],
        title=event["title"],
        slug=event["slug"],
        people=people,
        door_token_id=door["id"],
        door_token=door["token"],
    )


@pytest.fixture(scope="module", params=ENGINES)
def stack(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """`traffpunkt serve` with its mail sender, the demo data, three organisers, an SMTP server."""
    engine = request.param
    if engine == "postgres":
        request.getfixturevalue("pg_database")  # skips (or fails in CI) without PostgreSQL
    work = tmp_path_factory.mktemp(f"organiser-{engine}")
    mail = Mailbox()
    # aiosmtpd cannot take port 0 (it probes the port it is given): pick a free one first.
    controller = Controller(mail, hostname="127.0.0.1", port=free_port())
    controller.start()
    database_url = fresh_database(engine, sqlite_template, work, PG_ADMIN_URL)
    smtp_url = f"smtp://127.0.0.1:{controller.port}?starttls=off"
    try:
        with live_server(
            database_url, work, {"TRAFFPUNKT_SMTP_URL": smtp_url}, worker=True
        ) as live:
            assert "Loaded 13 municipalities" in live.cli("demo")
            tokens = {}
            for address, role, municipality in (
                (ANNA, "organiser", "asele"),
                (OLLE, "organiser", "arvidsjaur"),
                (ADMIN, "admin", None),
            ):
                args = ["token", "create", "--email", address, "--role", role]
                args += ["--municipality", municipality] if municipality else []
                tokens[address] = live.cli(*args).split()[-1]
            yield Stack(live, mail, tokens)
            log = (work / f"serve-{urlsplit(live.url).port}.log").read_text()
            assert "Traceback" not in log, log
    finally:
        controller.stop()
        drop_database(database_url, PG_ADMIN_URL)


# --- pages ---------------------------------------------------------------------------------------


async def submit(page: Any, button: Any, status: int = 200) -> Any:
    """Press a form's button; the response of the page it leads to (after redirects)."""
    async with page.expect_navigation() as navigation:
        await button.click()
    response = await navigation.value
    assert response is not None
    assert response.status == status, f"{page.url}: HTTP {response.status}"
    return response


async def eventually(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"not within {seconds}s: {what}"
        await asyncio.sleep(0.1)


async def decode_qr(context: Any, png: bytes) -> str | None:
    """What a QR code image says, read by jsQR (the check-in app's decoder) in the browser."""
    import base64

    page = await context.new_page()
    try:
        await page.add_script_tag(content=JSQR.read_text())
        return await page.evaluate(
            """async png => {
                const img = new Image();
                img.src = "data:image/png;base64," + png;
                await img.decode();
                const canvas = document.createElement("canvas");
                canvas.width = img.naturalWidth;
                canvas.height = img.naturalHeight;
                const ctx = canvas.getContext("2d");
                ctx.drawImage(img, 0, 0);
                const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
                const code = jsQR(pixels.data, canvas.width, canvas.height);
                return code ? code.data : null;
            }""",
            base64.b64encode(png).decode(),
        )
    finally:
        await page.close()


# --- 1. the whole journey ------------------------------------------------------------------------


@browser_test
async def test_organiser_journey(stack: Stack, new_page: Any) -> None:
    url = stack.url
    mail = stack.mail
    title = "Exportdag: sälja till Norge"
    starts = local_start(30)
    org = await new_page()

    # --- sign in with a mailed link ----------------------------------------------------------
    await open_page(org, f"{url}/organiser")
    assert urlsplit(org.url).path == "/organiser/sign-in"
    assert parse_qs(urlsplit(org.url).query)["next"] == ["/organiser"]
    await org.get_by_label(sv("Email")).fill(ANNA)
    since = mail.mark()
    await submit(org, org.get_by_role("button", name=sv("Mail me a sign-in link")))
    assert ANNA in await org.get_by_role("status").inner_text()
    (message,) = await mail.wait(ANNA, "sign_in", since)
    assert message["Subject"] == sv("Sign in to Träffpunkt")
    assert message["Content-Language"] == "sv"
    link = link_in(message, url, "/organiser/sign-in/")
    await open_page(org, link)
    await submit(org, org.get_by_role("button", name=sv("Sign in to Träffpunkt")))
    assert org.url == f"{url}/organiser"
    assert (await org.locator("h1").inner_text()).strip() == sv("My events")

    # --- create and publish an event ---------------------------------------------------------
    await (
        org.get_by_role("navigation", name=sv("Organiser"))
        .get_by_role("link", name=sv("New event"))
        .click()
    )
    await org.wait_for_url(f"{url}/organiser/events/new")
    await org.get_by_label(sv("Title")).fill(title)
    await org.get_by_label(sv("Description")).fill("Tullregler, frakt och kunder i Norge.")
    await org.get_by_role("combobox", name=sv("Kind")).select_option("seminar")
    await org.get_by_role("combobox", name=sv("Venue")).select_option(label=VENUES["asele"][1][0])
    starts_at = org.get_by_label(sv("Starts (local time)"))
    assert await starts_at.get_attribute("type") == "datetime-local"
    await starts_at.fill(local_input(starts))
    await org.get_by_label(sv("Ends (local time)")).fill(
        local_input(starts + timedelta(hours=2, minutes=30))
    )
    await org.get_by_label(sv("Seats")).fill("25")
    await org.get_by_label(topics.BY_SLUG["export"].label("sv"), exact=True).check()
    await submit(org, org.get_by_role("button", name=sv("Save"), exact=True))
    assert re.fullmatch(rf"{url}/organiser/events/[0-9a-f-]+\?done=created", org.url), org.url
    event_id = urlsplit(org.url).path.split("/")[3]
    overview = f"{url}/organiser/events/{event_id}"
    assert sv("The event is created as a draft.") in await org.get_by_role("status").inner_text()
    assert (await org.locator("h1").inner_text()).strip() == title
    # the times went in as local time and come back so
    assert f"{starts:%H}:00" in await org.locator("main > p:has(strong)").inner_text()
    await submit(org, org.get_by_role("button", name=sv("Publish")))
    assert sv("Published.") in await org.get_by_role("status").inner_text()
    assert sv("Published") in await org.locator("main > p strong").inner_text()

    # --- invite three people -----------------------------------------------------------------
    await org.get_by_role("link", name=sv("Attendees and invitations")).click()
    await org.wait_for_url(f"{overview}/attendees")
    invitees = ["berit@example.se", "calle@example.se", "doris@example.se"]
    await org.get_by_label(sv("Addresses (one per line, or separated by commas)")).fill(
        f"{invitees[0]}\n{invitees[1]}, {invitees[2]}"
    )
    since = mail.mark()
    await submit(org, org.get_by_role("button", name=sv("Send invitations")))
    said = "3 inbjudningar är på väg."
    assert said in await org.get_by_role("status").inner_text()
    for address in invitees:
        await mail.wait(address, "invitation", since)
    (invitation,) = mail.matching(invitees[0], "invitation", since)
    assert invitation["Subject"] == sv("Invitation: {title}").format(title=title)
    signup = link_in(invitation, url, "/events/", contains="/register?invite=")

    # --- the invitee signs up from her personal link, in her own browser ---------------------
    attendee = await new_page()
    await open_page(attendee, signup)
    assert await attendee.get_by_label(sv("Email"), exact=True).input_value() == invitees[0]
    await attendee.get_by_label(sv("Your name")).fill("Berit Lund")
    await attendee.get_by_label(sv("Company or organisation")).fill("Lunds Snickeri")
    since = mail.mark()
    await submit(attendee, attendee.get_by_role("button", name=sv("Sign up"), exact=True))
    assert re.fullmatch(rf"{url}/r/[^/?]+\?welcome=1", attendee.url), attendee.url
    assert title in await attendee.locator("main").inner_text()
    (confirmation,) = await mail.wait(invitees[0], "confirmed", since)
    assert confirmation["Subject"] == sv("You have a seat: {title}").format(title=title)
    codes = set(re.findall(r"\bTP1[A-Z2-7]{20,}\b", text_of(confirmation)))
    assert len(codes) == 1, text_of(confirmation)
    ticket = codes.pop()
    calendar = calendar_of(confirmation)
    assert calendar is not None and "METHOD:REQUEST" in calendar

    # --- the organiser sees her ----------------------------------------------------------------
    await open_page(org, f"{overview}/attendees")
    rows = org.locator("main table tbody tr")
    assert await rows.count() == 1
    row = await rows.first.inner_text()
    assert "Berit Lund" in row and invitees[0] in row and sv("Confirmed") in row, row
    assert "Lunds Snickeri" in row

    # --- pair a door phone through the QR code and check her in --------------------------------
    await open_page(org, overview)
    await org.get_by_role("link", name=sv("At the door (check-in)")).click()
    await org.wait_for_url(f"{overview}/door")
    await org.get_by_label(sv("Whose phone? (for the list below)")).fill("Entrén")
    await submit(org, org.get_by_role("button", name=sv("Create a door link")))
    qr = org.get_by_role("img", name=sv("QR code with the check-in link"))
    door_link = await org.get_by_role(
        "link", name=sv("Open the check-in app on this device")
    ).get_attribute("href")
    assert door_link and door_link.startswith(f"{url}/checkin/{event_id}#door="), door_link
    assert await decode_qr(org.context, await qr.screenshot()) == door_link
    assert "Entrén" in await org.locator("main table").inner_text()

    phone = await new_page(**PHONE)
    await open_page(phone, door_link)
    await phone.locator("#checkin[data-ready='1']").wait_for(state="attached", timeout=15_000)
    assert await phone.locator("#event-title").inner_text() == title
    assert await phone.locator("#count-total").inner_text() == "1"
    await phone.locator("#code-input").fill(ticket)
    await phone.locator("#code-form [type=submit]").click()
    await phone.locator("#result[data-result='ok']").wait_for(state="attached")
    assert "Berit Lund" in await phone.locator("#result").inner_text()
    assert await phone.locator("#count-in").inner_text() == "1"

    counts = org.locator("main dl.counts")

    async def door_page_counts_her() -> bool:
        await open_page(org, f"{overview}/door")
        text = await counts.inner_text()
        return re.search(rf"{re.escape(sv('Checked in'))}\s+1\b", text) is not None

    await eventually(door_page_counts_her, "the door page shows one checked in")
    await open_page(org, overview)
    assert re.search(rf"{re.escape(sv('Checked in'))}\s+1\b", await counts.inner_text())

    # --- the attendee list as CSV ------------------------------------------------------------
    await open_page(org, f"{overview}/attendees")
    async with org.expect_download() as waiting:
        await org.get_by_role("link", name=sv("CSV for Excel")).click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    saved = await download.path()
    # For Swedish Excel: `;` between fields, headers and values in Swedish.
    table = list(
        csv.DictReader(
            io.StringIO((await asyncio.to_thread(saved.read_bytes)).decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert [(r["Namn"], r["E-post"], r["Status"]) for r in table] == [
        ("Berit Lund", invitees[0], "Bekräftad")
    ]
    assert table[0]["Företag eller organisation"] == "Lunds Snickeri"
    assert table[0]["Incheckad"], table[0]

    # --- cancel with a message -----------------------------------------------------------------
    await open_page(org, overview)
    await org.get_by_role("link", name=sv("Cancel the event")).click()
    await org.wait_for_url(f"{overview}/cancel")
    await org.get_by_label(sv("Message to attendees")).fill("Vi ses i höst i stället!")
    since = mail.mark()
    await submit(org, org.get_by_role("button", name=sv("Cancel the event")))
    assert org.url == f"{overview}?done=cancelled"
    notice = sv("The event is cancelled and attendees are told.")
    assert notice in await org.get_by_role("status").inner_text()
    assert sv("Cancelled") in await org.locator("main > p strong").inner_text()
    (cancelled,) = await mail.wait(invitees[0], "event_cancelled", since)
    assert cancelled["Subject"] == sv("Cancelled: {title}").format(title=title)
    assert "Vi ses i höst i stället!" in text_of(cancelled)
    calendar = calendar_of(cancelled)
    assert calendar is not None and "METHOD:CANCEL" in calendar
    # people who were only invited are not told (they never signed up)
    assert not [m for a in invitees[1:] for m in mail.matching(a, "event_cancelled", since)]

    # the public page says so; the dashboard lists it under past and cancelled
    await open_page(attendee, f"{url}/events/{urlsplit(signup).path.split('/')[2]}")
    assert await attendee.get_by_role("status").count() == 1
    await open_page(org, f"{url}/organiser")
    past = org.get_by_role("region", name=sv("Past and cancelled"))
    assert title in await past.inner_text()


# --- 2. rights ---------------------------------------------------------------------------------

ALL_ROUTES = [
    *account_pages.ROUTES,
    *event_pages.ROUTES,
    *attendee_pages.ROUTES,
    *meeting_pages.ROUTES,
]
PUBLIC = ("/organiser/sign-in", "/organiser/sign-in/{token:str}")
# The way into the back office (piccolo-admin) is an organiser page for administrators only.
ADMIN_ONLY = sorted(p for p in back_office.enter.paths if p.startswith("/organiser/"))


def _paths(handler: Any) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of a route handler, or of every route of a domain's organiser Router."""
    if isinstance(handler, Router):
        for route in handler.routes:
            yield route.path, set(route.methods)
    else:
        for path in handler.paths:
            yield path, set(handler.http_methods)


def routes(method: str) -> list[str]:
    return sorted(path for h in ALL_ROUTES for path, methods in _paths(h) if method in methods)


def fill(path: str, values: dict[str, str]) -> str:
    for name in re.findall(r"\{(\w+):\w+\}", path):
        assert name in values, f"{path}: the rights test does not know {{{name}}}"
        path = path.replace(f"{{{name}:str}}", values[name])
    return path


async def test_rights_on_every_organiser_page(stack: Stack) -> None:
    ev = await stack.event()
    secret = [ev.title, *ev.people, *(p["name"] for p in ev.people.values())]
    gets = [p for p in routes("GET") if p not in PUBLIC]
    assert {"/organiser", "/organiser/events/{event_id:str}/door"} <= set(gets)  # sanity
    assert ADMIN_ONLY == ["/organiser/back-office"]
    html = {"accept": "text/html"}
    async with (
        await stack.client(None) as anonymous,
        await stack.client(OLLE) as olle,
        await stack.client(ANNA) as anna,
        await stack.client(ADMIN) as admin,
    ):
        # A course series' session pages need a series: tests/organiser/test_course_pages.py.
        for template in [t for t in [*gets, *ADMIN_ONLY] if "{session_id" not in t]:
            path = fill(template, {"event_id": ev.id})
            r = await anonymous.get(path, headers=html)
            assert r.status_code == 303, (path, r.status_code)
            target = urlsplit(r.headers["location"])
            assert target.path == "/organiser/sign-in", (path, r.headers["location"])
            assert parse_qs(target.query)["next"] == [path], r.headers["location"]

            r = await olle.get(path, headers=html)
            if "{event_id" in template or template in ADMIN_ONLY:
                assert r.status_code in (403, 404), (path, r.status_code)
                assert r.headers["content-type"].startswith("text/html"), path  # an error page
            else:  # his own dashboard, forms and settings
                assert r.status_code == 200, (path, r.status_code)
            shown = [s for s in secret if s in r.text]
            assert not shown, f"{path} shows Arvidsjaur's organiser {shown}"

            r = await anna.get(path, headers=html)
            if template in ADMIN_ONLY:
                assert r.status_code == 403, (path, r.status_code)
                r = await admin.get(path, headers=html)
                assert r.status_code == 303 and r.headers["location"] == "/back-office/", path
                continue
            assert r.status_code == 200, (path, r.status_code)
            if template.endswith(".xlsx"):
                assert r.content.startswith(b"PK"), path  # a zip: the workbook
            elif template.endswith(".csv"):
                text = r.content.decode("utf-8-sig")
                assert r.headers["content-type"].startswith("text/csv")
                assert "Greta Holm" in text and "Hugo Sundberg" in text, (path, text)
            elif "{event_id" in template or template == "/organiser":
                assert ev.title in r.text, path
            if template.endswith("/attendees"):
                assert all(address in r.text for address in ev.people), path

        # --- and no action of his changes anything -------------------------------------------
        settings = (await anna.get("/organiser/admin")).text
        token_ids = re.findall(r"/organiser/tokens/([^/]+)/revoke", settings)
        assert len(token_ids) == 1, "Anna has one API token"
        settings = (await admin.get("/organiser/admin")).text
        row = re.search(
            rf">{re.escape(ANNA)}</th>.*?/organiser/admin/organisers/([^/]+)/active",
            settings,
            re.S,
        )
        assert row, "the admin sees Anna"
        waiting = next(p for p in ev.people.values() if p["status"] == "waitlisted")
        values = {
            "event_id": ev.id,
            "registration_id": waiting["id"],
            "token_id": ev.door_token_id,
            "organiser_id": row.group(1),
            "slug": "asele",  # Åsele's contact for questions, which Olle may not change
            "session_id": ev.id,  # refused before any session is looked up
        }
        own = ("/organiser/sign-out", "/organiser/tokens")  # his own session and tokens
        posts = [p for p in routes("POST") if p not in PUBLIC and p not in own]
        page = await olle.get("/organiser/admin")
        form = {
            "_csrf_token": csrf(page.text),
            # everything any of the forms takes, aimed at Åsele and at Anna
            "title": "Olles kapning",
            "kind": "seminar",
            "municipality": "asele",
            "starts_at": local_input(local_start(50)),
            "ends_at": local_input(local_start(50, 11)),
            "language": "sv",
            "reminder_hours": "24",
            "note": "Olle var här",
            "emails": "olles-kompis@example.se",
            "label": "Olles telefon",
            "slots": "2",
            "minutes": "10",
            "tables": "2",
            "name": "Olles lokal",
            "slug": "olleby",
            "email": "olles-kompis@example.se",
            "role": "admin",
            "active": "no",
            "confirm": "yes",
        }
        since = stack.mail.mark()
        for template in posts:
            # {token_id}: Anna's API token on /organiser/tokens/…, else the event's door link
            token_id = token_ids[0] if template.startswith("/organiser/tokens/") else None
            path = fill(template, {**values, "token_id": token_id or ev.door_token_id})
            r = await olle.post(path, data=form, headers=html)
            if "{event_id" in template:
                assert r.status_code in (403, 404), (path, r.status_code, r.text[:300])
            elif r.status_code == 303:
                assert "error=" in r.headers["location"], (path, r.headers["location"])
            else:
                assert r.status_code in (403, 404, 422), (path, r.status_code)
            assert not [s for s in secret if s in r.text], path
        # the control: his form token is good (his own token is made), so the refusals above
        # were about rights, not about CSRF
        r = await olle.post("/organiser/tokens", data=form)
        assert r.status_code == 200 and 'class="token"' in r.text, r.status_code

    # Nothing changed: the event, its people, its door link, its plan, Anna and her token.
    anna_api = World.auth(stack.tokens[ANNA])
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as api:
        r = await api.get(f"/api/v1/events/{ev.id}", headers=anna_api)  # her token still works
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "published" and r.json()["title"] == ev.title
        r = await api.get(f"/api/v1/events/{ev.id}/registrations", headers=anna_api)
        assert {i["email"]: i["status"] for i in r.json()["items"]} == {
            a: p["status"] for a, p in ev.people.items()
        }
        r = await api.get(
            f"/api/v1/events/{ev.id}/checkin-stats", headers=World.auth(ev.door_token)
        )
        assert r.status_code == 200, "the door link still works"
        r = await api.get(f"/api/v1/events/{ev.id}/meeting-plan", headers=anna_api)
        assert r.json()["status"] == "draft"
        r = await api.get("/api/v1/venues", params={"municipality": "asele"})
        assert "Olles lokal" not in r.text
        r = await api.get("/api/v1/municipalities")
        assert "olleby" not in r.text
        r = await api.get("/api/v1/events", params={"municipality": "asele", "limit": 200})
        assert "Olles kapning" not in r.text
    async with await stack.client(ANNA) as anna:
        r = await anna.get("/organiser")
        assert r.status_code == 200, "Anna is still active and signed in"
        assert "Olles kapning" not in r.text
        r = await anna.get(f"/organiser/events/{ev.id}")
        assert "Olle var här" not in r.text and OLLE not in r.text
    assert stack.mail.matching("olles-kompis@example.se", since=since) == []


# --- 3. accessibility ----------------------------------------------------------------------------


async def audit_pages(
    stack: Stack, page: Any, lang: str, device: str
) -> tuple[list[str], list[str]]:
    """axe on every organiser page in `lang` on one device: the failures, the pages checked."""
    ev = await stack.event()
    url = stack.url
    failures: list[str] = []
    checked: list[str] = []

    def t(message: str) -> str:
        return tr(lang, message)

    async def check(label: str) -> None:
        assert await page.locator("html").get_attribute("lang") == lang, (label, page.url)
        checked.append(label)
        closed = page.locator("details:not([open]) > summary")
        while await closed.count():  # one at a time: an opened fold leaves the list
            await closed.first.click()
        if violations := await wcag_violations(page):
            failures.append(describe(f"{label} (lang={lang}, {device})", violations))
        # WCAG 1.4.10 reflow: the page itself never scrolls sideways (wide tables scroll inside)
        if (excess := await horizontal_overflow(page)) > 0:
            failures.append(f"{label} (lang={lang}, {device}): {excess}px wider than the screen")

    async def visit(path: str, label: str | None = None, status: int = 200) -> None:
        sep = "&" if "?" in path else "?"
        await open_page(page, f"{url}{path}{sep}lang={lang}", status)
        await check(label or path)

    await page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await stack.session(ANNA), "url": url}]
    )

    # signing in
    await visit("/organiser/sign-in")
    await page.locator("form").evaluate("f => { f.noValidate = true; }")
    await page.locator("#email").fill("inte en adress")
    await submit(page, page.get_by_role("button", name=t("Mail me a sign-in link")), 422)
    await check("sign-in: not an address")
    await page.locator("#email").fill("nobody@example.se")
    await submit(page, page.get_by_role("button", name=t("Mail me a sign-in link")))
    await check("sign-in: link sent")
    await visit(urlsplit(await stack.spare_link()).path, "sign-in: confirm")
    await visit("/organiser/sign-in/not-a-valid-link", "sign-in: used link", 404)

    # the dashboard and the event form, also with errors
    await visit("/organiser")
    await visit("/organiser/events/new")
    await page.locator("#title").fill("Baklänges")
    await page.locator("#starts_at").fill(local_input(local_start(60, 12)))
    await page.locator("#ends_at").fill(local_input(local_start(60, 10)))
    await submit(page, page.get_by_role("button", name=t("Save"), exact=True), 422)
    # the summary's links lead to the fields in error, which say so
    targets = await page.locator(".error-summary a").evaluate_all(
        "as => as.map(a => document.getElementById(a.hash.slice(1))?.getAttribute('aria-invalid'))"
    )
    assert targets == ["true"], targets
    await check("new event: errors")
    await visit(f"/organiser/events/{ev.id}/edit")
    await page.locator("#starts_at").fill(local_input(local_start(40, 14)))
    await submit(page, page.get_by_role("button", name=t("Save"), exact=True))
    assert urlsplit(page.url).path == f"/organiser/events/{ev.id}/edit"  # not saved: a question
    await check("edit: notify attendees?")

    # the event's pages
    await visit(f"/organiser/events/{ev.id}?done=published")
    await visit(f"/organiser/events/{ev.id}/cancel")
    await visit(f"/organiser/events/{ev.id}/attendees")
    await page.locator("#emails").fill("Ola Ek <ola@example.se>\nfel-adress")
    await submit(page, page.get_by_role("button", name=t("Send invitations")))
    assert "fel-adress" in await page.locator(".error-summary").inner_text()
    await check("attendees: invalid invitations")
    await visit(f"/organiser/events/{ev.id}/door")
    await submit(page, page.get_by_role("button", name=t("Create a door link")))
    assert await page.locator(".qr svg").count() == 1
    await check("door: QR code")
    await visit(f"/organiser/events/{ev.id}/meetings")
    assert await page.locator("main table tbody tr").count() > 0, "a plan is shown"
    await visit(f"/organiser/events/{ev.id}/preview")
    await visit("/organiser/events/00000000-0000-4000-8000-000000000000", "no such event", 404)
    await visit("/organiser/admin", "settings (organiser)")

    # settings as the admin, with a new token on show
    await page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await stack.session(ADMIN), "url": url}]
    )
    await visit("/organiser/admin", "settings (admin)")
    await page.locator("#label").fill("Skript")
    await submit(page, page.get_by_role("button", name=t("Create a token")))
    assert await page.locator("code.token").count() == 1
    await check("settings: new token")

    # what an organiser of another municipality gets instead of the event
    await page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await stack.session(OLLE), "url": url}]
    )
    await visit(f"/organiser/events/{ev.id}", "another municipality's event", 403)
    assert ev.title not in await page.content()
    return failures, checked


@browser_test
async def test_organiser_pages_meet_wcag_21_aa(stack: Stack, new_page: Any) -> None:
    await stack.event()
    failures: list[str] = []
    for device, options in (("desktop", DESKTOP), ("phone", PHONE)):
        for lang in ("sv", "en"):
            page = await new_page(**options)
            found, checked = await audit_pages(stack, page, lang, device)
            assert len(checked) == len(set(checked)) == 23, checked
            failures += found
    assert not failures, "\n\n".join(failures)


ROOMY_PHONE = {**PHONE, "viewport": {"width": 390, "height": 844}}


@browser_test
async def test_organiser_pages_are_made_for_a_phone(stack: Stack, new_page: Any) -> None:
    """At 390×844: the dashboard's cards show every figure without sideways scrolling; the
    event page keeps its main action on screen; the door link is copyable text beside its QR;
    the door page starts with the camera."""
    ev = await stack.event()
    url = stack.url
    page = await new_page(**ROOMY_PHONE)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    await page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": await stack.session(ANNA), "url": url}]
    )
    await open_page(page, f"{url}/organiser")
    assert await horizontal_overflow(page) == 0
    card = page.locator(".event-card", has_text=ev.title)
    for label in ("Seats taken", "Waiting", "Checked in"):
        box = await card.get_by_text(sv(label), exact=True).bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390, (label, box)
    when = await card.locator("time").bounding_box()
    assert when and when["height"] < 30, "the date and time stay on one line"
    assert not await wcag_violations(page)

    await open_page(page, f"{url}/organiser/events/{ev.id}")
    action = page.locator(".sticky-action .button")
    box = await action.bounding_box()
    assert box and box["y"] + box["height"] <= 844, box  # in view without scrolling
    assert await action.inner_text() == sv("Check-in at the door")

    await open_page(page, f"{url}/organiser/events/{ev.id}/door")
    await submit(page, page.get_by_role("button", name=sv("Create a door link")))
    link = await page.get_by_label(re.compile("^Dörrlänken")).input_value()
    assert link.startswith(f"{url}/checkin/{ev.id}#door=")
    assert await page.get_by_label(re.compile("^Dörrlänken")).get_attribute("readonly") == ""
    await page.get_by_role("button", name=sv("Copy")).click()
    await page.get_by_role("status").filter(has_text="Kopierad").wait_for()
    assert await page.evaluate("navigator.clipboard.readText()") == link
    assert await horizontal_overflow(page) == 0
    assert not await wcag_violations(page)

    await open_page(page, link)
    camera = await page.get_by_role("button", name=sv("Start camera")).bounding_box()
    assert camera and camera["y"] < 250, camera
