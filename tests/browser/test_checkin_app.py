"""The door check-in phone app (PWA) in a real browser, on SQLite and on PostgreSQL.

Everything is set up through the real API of a live server; the phone is Debian's chromium.

- Offline at the door: after one sync the app judges tickets with no network — a valid ticket
  is admitted with the name, the same ticket again is "already checked in", a tampered code is
  not valid, a ticket of someone who signed up after the last sync verifies by its Ed25519
  signature, a ticket cancelled before the sync is refused from the revocation list; check-in by
  name works from the local list; undo says it needs a connection. A reload while offline is
  served by the service worker and the queue of scans survives it.
- Back online the queue is sent; the answer to the first batch is lost on the way (the server
  has acted on it), so the app sends it again: the database then holds each scan exactly once,
  exactly the right people are checked in, and re-sending every batch changes nothing.
  Online, another event's ticket is first "not valid" (the phone holds one event's key), then
  the server's "another event"; undo takes back the last check-in.
- The camera: a second chromium whose fake camera films a ticket's QR code checks that person in.
- axe finds no WCAG 2.1 A/AA violations on the page, in Swedish and English, in every state; a
  revoked door link is said in words and the attendee list leaves the phone; no sideways
  scrolling at 320 px; the manifest and the service worker are served as a PWA needs.
"""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image

from registrations import tickets
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.pages import describe, wcag_violations
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE = {"width": 390, "height": 844}


# --- the world, through the API -------------------------------------------------------------


class Door:
    """A published event with attendees, an organiser token and a door link."""

    def __init__(self, live: Any, api: httpx.AsyncClient, organiser: str, event: dict[str, Any]):
        self.live = live
        self.api = api
        self.organiser = organiser
        self.event = event
        self.id = event["id"]
        self.people: dict[str, dict[str, Any]] = {}

    async def sign_up(self, name: str) -> dict[str, Any]:
        email = re.sub(r"[^a-z]", "", name.lower()) + "@example.se"
        r = await self.api.post(
            f"/api/v1/events/{self.id}/registrations", json={"name": name, "email": email}
        )
        assert r.status_code == 201, r.text
        token = r.json()["manage_url"].rsplit("/", 1)[1]
        own = await self.api.get(f"/api/v1/registrations/{token}")
        assert own.status_code == 200, own.text
        assert own.json()["status"] == "confirmed"
        person = {"name": name, "token": token, "code": own.json()["ticket"]["code"]}
        self.people[name] = person
        return person

    async def cancel(self, name: str) -> None:
        r = await self.api.delete(f"/api/v1/registrations/{self.people[name]['token']}")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "cancelled"

    async def other_event_ticket(self, name: str) -> str:
        """The ticket code of someone signed up for another event of the same organiser."""
        body = {**{k: self.event[k] for k in ("kind", "starts_at", "ends_at")}}
        r = await self.api.post(
            "/api/v1/events",
            headers=World.auth(self.organiser),
            json={**body, "title": "Ett annat möte", "municipality": "asele"},
        )
        assert r.status_code == 201, r.text
        other = Door(self.live, self.api, self.organiser, r.json())
        r = await self.api.post(
            f"/api/v1/events/{other.id}/publish", headers=World.auth(self.organiser)
        )
        assert r.status_code == 200, r.text
        return (await other.sign_up(name))["code"]

    async def door_link(self) -> dict[str, Any]:
        r = await self.api.post(
            f"/api/v1/events/{self.id}/door-tokens",
            headers=World.auth(self.organiser),
            json={"label": "Entrén"},
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def checked_in(self) -> dict[str, str | None]:
        r = await self.api.get(
            f"/api/v1/events/{self.id}/registrations", headers=World.auth(self.organiser)
        )
        assert r.status_code == 200, r.text
        return {a["name"]: a["checked_in_at"] for a in r.json()["items"]}

    async def stats(self) -> dict[str, Any]:
        r = await self.api.get(
            f"/api/v1/events/{self.id}/checkin-stats", headers=World.auth(self.organiser)
        )
        assert r.status_code == 200, r.text
        return r.json()


async def make_door(live: Any, api: httpx.AsyncClient, title: str) -> Door:
    admin = live.cli("token", "create", "--email", "o@example.se", "--role", "admin").split()[-1]
    r = await api.post(
        "/api/v1/municipalities",
        json={"name": "Åsele", "slug": "asele", "region": "Västerbotten"},
        headers=World.auth(admin),
    )
    assert r.status_code == 201, r.text
    starts = datetime.now(ZoneInfo("Europe/Stockholm")).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + timedelta(days=20)
    r = await api.post(
        "/api/v1/events",
        headers=World.auth(admin),
        json={
            "title": title,
            "kind": "network",
            "municipality": "asele",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 20,
        },
    )
    assert r.status_code == 201, r.text
    event = r.json()
    r = await api.post(f"/api/v1/events/{event['id']}/publish", headers=World.auth(admin))
    assert r.status_code == 200, r.text
    return Door(live, api, admin, event)


async def scan_rows(live: Any) -> list[dict[str, Any]]:
    """Every scan the server keeps (the live database holds this test's event only)."""
    sql = "SELECT event_scan, action, result, offline_result, flagged FROM scan"
    if live.database_url.startswith("sqlite"):
        with sqlite3.connect(live.database_url.removeprefix("sqlite:///")) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql)]
    import asyncpg

    conn = await asyncpg.connect(live.database_url)
    try:
        return [dict(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


# What the phone keeps of an event's attendee list (IndexedDB), or null.
STORED_LIST = """id => new Promise((resolve, reject) => {
  const open = indexedDB.open("traffpunkt-checkin");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction("kv").objectStore("kv").get("data:" + id);
    get.onsuccess = () => resolve(get.result ?? null);
    get.onerror = () => reject(get.error);
  };
})"""


# --- the phone --------------------------------------------------------------------------------


async def wait_ready(page: Any) -> None:
    """The attendee list is on the phone and the page is cached for offline use."""
    await page.locator("#checkin[data-ready='1'][data-offline-ready='1']").wait_for(
        state="attached", timeout=15_000
    )


async def last_result(page: Any) -> tuple[str, str]:
    result = page.locator("#result")
    return await result.get_attribute("data-result") or "", await result.inner_text()


async def next_result(page: Any, action: Any) -> tuple[str, str]:
    """Do `action` (a coroutine function) and wait for the result panel to show something new."""
    seq = await page.locator("#result").get_attribute("data-seq") or "0"
    await action()
    await page.wait_for_function(
        "seq => document.getElementById('result').dataset.seq !== seq", arg=seq
    )
    return await last_result(page)


async def enter_code(page: Any, code: str) -> tuple[str, str]:
    async def submit() -> None:
        await page.get_by_label("Biljettkod").fill(code)
        await page.get_by_role("button", name="Kontrollera biljetten").click()

    return await next_result(page, submit)


async def queued(page: Any) -> int:
    return int(await page.locator("#queued-count").inner_text())


async def wait_queued(page: Any, n: int, wait_ms: float = 20_000) -> None:
    await page.locator(f"#checkin[data-queued='{n}']").wait_for(state="attached", timeout=wait_ms)


def tamper(code: str) -> str:
    """The same ticket number with one signature character changed."""
    i = 60
    return code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]


# --- offline at the door, then back online ----------------------------------------------------


async def test_offline_scans_sync_once_each(live: Any, new_page: Any) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        door = await make_door(live, api, "Frukostmöte i Åsele")
        astrid = await door.sign_up("Astrid Öberg")
        bengt = await door.sign_up("Bengt Åkesson")
        cecilia = await door.sign_up("Cecilia Lund")
        await door.sign_up("Erik Ärlig")
        await door.cancel("Cecilia Lund")  # before the phone's sync: in its revocation list
        link = await door.door_link()
        assert link["url"] == f"{live.url}/checkin/{door.id}#door={link['token']}"

        page = await new_page(viewport=PHONE)
        batches: list[dict[str, Any]] = []
        page.on(
            "request",
            lambda r: batches.append(r.post_data_json) if r.url.endswith("/batch") else None,
        )
        response = await page.goto(link["url"])
        assert response is not None and response.status == 200
        await wait_ready(page)
        # The token left the address bar (and so history) at once; the page works without it.
        assert "#" not in page.url and link["token"] not in page.url
        assert page.url == f"{live.url}/checkin/{door.id}"
        assert await page.locator("html").get_attribute("lang") == "sv"
        assert await page.locator("#event-title").inner_text() == "Frukostmöte i Åsele"
        assert await page.locator("#count-total").inner_text() == "3"  # Cecilia cancelled
        assert await page.locator("#count-in").inner_text() == "0"
        assert await page.locator("#last-sync").inner_text() != "aldrig"

        # --- the village hall has no coverage --------------------------------------------
        await page.context.set_offline(True)
        await page.locator("#net-state[data-online='0']").wait_for(state="attached")
        assert "Ingen uppkoppling" in await page.locator("#net-state").inner_text()

        result, text = await enter_code(page, astrid["code"])
        assert result == "ok" and "Välkommen" in text and "Astrid Öberg" in text, text
        assert await page.locator("#result").get_attribute("data-tone") == "ok"
        assert "✓" in text  # not colour alone: an icon and words
        assert await page.locator("#count-in").inner_text() == "1"

        result, text = await enter_code(page, astrid["code"].lower())  # typed in lower case
        assert result == "already_checked_in" and "Redan incheckad" in text, text
        assert "Astrid Öberg" in text and "✗" in text
        assert await page.locator("#result").get_attribute("data-tone") == "refused"

        result, text = await enter_code(page, tamper(bengt["code"]))
        assert result == "not_found" and "Ingen giltig biljett" in text, text
        result, text = await enter_code(page, "hello")
        assert result == "not_found", text

        # Dagny signs up while the phone is offline: her ticket verifies by its signature.
        dagny = await door.sign_up("Dagny Nilsson")
        result, text = await enter_code(page, dagny["code"])
        assert result == "ok" and "Välkommen" in text, text
        assert "efter telefonens senaste uppdatering" in text, text

        result, text = await enter_code(page, tamper(dagny["code"]))  # unknown and forged
        assert result == "not_found", text

        result, text = await enter_code(page, cecilia["code"])
        assert result == "cancelled" and "Avbokad" in text, text

        # Check-in by name from the local list (no network, no ticket).
        await page.get_by_label("Namn", exact=True).fill("erik arl")
        button = page.get_by_role("button", name="Checka in Erik Ärlig")
        result, text = await next_result(page, button.click)
        assert result == "ok" and "Erik Ärlig" in text, text
        assert await page.locator("#search-results").inner_text() != ""
        assert await button.count() == 0  # now shown as checked in, without a button
        assert "Incheckad" in await page.locator("#search-results").inner_text()

        result, text = await next_result(page, page.get_by_role("button", name="Ångra").click)
        assert "kräver uppkoppling" in text, text

        made = 8
        await wait_queued(page, made)
        assert await queued(page) == made
        assert await page.locator("#count-in").inner_text() == "3"  # Astrid, Dagny, Erik
        assert await page.locator("#count-total").inner_text() == "4"  # + Dagny, unlisted

        # A reload without a network: the service worker serves the app, the queue survives.
        failed: list[str] = []
        page.context.on(
            "requestfailed", lambda r: failed.append(r.url) if r.service_worker else None
        )
        response = await page.reload()
        assert response is not None and response.status == 200
        assert response.from_service_worker
        assert page.url in failed  # the worker did try the network, and had none: from cache
        await page.locator("#checkin[data-ready='1']").wait_for(state="attached")
        await page.locator("#net-state[data-online='0']").wait_for(state="attached")
        assert await queued(page) == made
        assert await page.locator("#count-in").inner_text() == "3"
        result, text = await enter_code(page, astrid["code"])
        assert result == "already_checked_in", text
        made += 1
        assert batches == []  # nothing left the phone while offline

        # --- back online; the answer to the first batch gets lost on the way ------------
        lost: list[int] = []

        async def lose_first_answer(route: Any) -> None:
            if lost:
                await route.fallback()
                return
            answer = await route.fetch()  # the server acts on the batch ...
            lost.append(answer.status)
            await route.abort("connectionreset")  # ... but the phone never hears back

        await page.route("**/checkins/batch", lose_first_answer)
        await page.context.set_offline(False)
        await wait_queued(page, 0, wait_ms=30_000)
        assert lost == [200]
        await page.locator("#net-state[data-online='1']").wait_for(state="attached")
        assert len(batches) >= 2
        first_ids = [s["scan_id"] for s in batches[0]["scans"]]
        assert len(first_ids) == made
        assert [s["scan_id"] for s in batches[1]["scans"]] == first_ids  # the same scans again
        assert not await page.locator("#attention-section").is_visible()

        sent = {s["scan_id"]: s for b in batches for s in b["scans"]}
        assert len(sent) == made
        for scan in sent.values():
            assert datetime.fromisoformat(scan["scanned_at"]).utcoffset() is not None
            assert scan["device"].startswith("door-")
        shown = sorted(s["offline_result"] for s in sent.values())
        expected = ["ok", "already_checked_in", "not_found", "not_found", "ok", "not_found"]
        assert shown == sorted([*expected, "cancelled", "ok", "already_checked_in"])

        # Online, a ticket of another event: the phone says "not valid" at once (it holds only
        # this event's key), then the server's more exact answer replaces it.
        other = await door.other_event_ticket("Ivar Ek")
        await enter_code(page, other)
        await page.locator("#result[data-result='wrong_event']").wait_for(state="attached")
        assert "Biljett till ett annat evenemang" in await page.locator("#result").inner_text()
        made += 1
        await wait_queued(page, 0)

        # Undo now works: the last check-in (Erik, by name) is taken back, then made again.
        result, text = await next_result(page, page.get_by_role("button", name="Ångra").click)
        assert result == "undone" and "Erik Ärlig" in text, text
        assert (await door.checked_in())["Erik Ärlig"] is None
        await page.get_by_label("Namn", exact=True).fill("Erik")
        result, text = await next_result(page, button.click)
        assert result == "ok", text
        made += 1
        await wait_queued(page, 0)

        # --- the server's view: the right people, once each, every scan once ------------
        checked = await door.checked_in()
        assert {n for n, at in checked.items() if at} == {
            "Astrid Öberg",
            "Dagny Nilsson",
            "Erik Ärlig",
        }, checked
        stats = await door.stats()
        assert stats["checked_in"] == 3 and stats["registered"] == 4, stats

        rows = await scan_rows(live)
        checkins = [r for r in rows if r["action"] == "checkin"]
        ids = [r["event_scan"].split(":", 1)[1] for r in checkins]
        assert len(ids) == len(set(ids)) == made  # none lost, none doubled
        assert set(ids) == {s["scan_id"] for b in batches for s in b["scans"]}
        by_id = {r["event_scan"].split(":", 1)[1]: r for r in checkins}
        for scan_id, scan in sent.items():  # the offline scans: server and phone agreed
            assert by_id[scan_id]["offline_result"] == scan["offline_result"]
            assert by_id[scan_id]["result"] == scan["offline_result"], scan
        assert sorted(
            r["result"] for r in checkins if r["event_scan"].split(":")[1] not in sent
        ) == [
            "ok",
            "wrong_event",
        ]
        assert not any(r["flagged"] for r in rows)
        assert [r["result"] for r in rows if r["action"] == "undo"] == ["ok"]

        # Check-in by name sends the ticket number from checkin-data; another event's is no use.
        other_no = tickets.parse(other)
        assert other_no is not None
        r = await api.post(
            f"/api/v1/events/{door.id}/checkins",
            json={"secret": f"ticket_no:{other_no[0]}"},
            headers=World.auth(link["token"]),
        )
        assert r.status_code == 200 and r.json()["result"] == "not_found", r.text
        rows = await scan_rows(live)

        # Sending every batch again (a phone retrying after a crash) changes nothing.
        for body in batches:
            r = await api.post(
                f"/api/v1/events/{door.id}/checkins/batch",
                json=body,
                headers=World.auth(link["token"]),
            )
            assert r.status_code == 200, r.text
        assert await door.stats() == stats
        assert len(await scan_rows(live)) == len(rows)


# --- the camera -------------------------------------------------------------------------------


def write_y4m(path: Path, png: bytes, size: tuple[int, int] = (640, 480), frames: int = 4) -> None:
    """A still video (YUV 4:2:0) of the QR code on white, for chromium's fake camera."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    w, h = size
    frame = Image.new("L", size, 255)
    frame.paste(qr, ((w - qr.width) // 2, (h - qr.height) // 2))
    y_plane = frame.tobytes()
    chroma = bytes([128]) * ((w // 2) * (h // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + y_plane + chroma + chroma)


async def test_camera_scan_checks_in(live: Any, browser: Any, tmp_path: Path) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        door = await make_door(live, api, "Kameramöte")
        fanny = await door.sign_up("Fanny Sjödin")
        await door.sign_up("Gustav Berg")
        png = await api.get(f"/api/v1/registrations/{fanny['token']}/ticket.png")
        assert png.status_code == 200
        video = tmp_path / "ticket.y4m"
        write_y4m(video, png.content)
        link = await door.door_link()

        phone = await browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = await phone.new_context(
                locale="sv-SE", viewport=PHONE, permissions=["camera"]
            )
            context.set_default_timeout(15_000)
            page = await context.new_page()
            await page.goto(link["url"])
            await wait_ready(page)

            await page.get_by_role("button", name="Starta kameran").click()
            await page.locator("#result[data-result='ok']").wait_for(state="attached")
            # The camera's picture is at the top of a phone's screen, the result in view too.
            video = await page.locator("#camera-video").bounding_box()
            assert video and video["y"] < 250, video
            result = await page.locator("#result").bounding_box()
            assert result and result["y"] < PHONE["height"], result
            assert await page.locator("#checkin").get_attribute("data-camera") in (
                "jsqr",
                "barcode-detector",
            )
            _, text = await last_result(page)
            assert "Fanny Sjödin" in text, text
            # The code stays in front of the camera: it counts once, not again and again.
            await page.wait_for_timeout(1500)
            assert (await last_result(page))[0] == "ok"
            await page.get_by_role("button", name="Stäng av kameran").click()
            await wait_queued(page, 0)
            assert await page.locator("#count-in").inner_text() == "1"
            checked = await door.checked_in()
            assert checked["Fanny Sjödin"] is not None and checked["Gustav Berg"] is None
            assert (await door.stats())["checked_in"] == 1
        finally:
            await phone.close()


# --- accessibility ----------------------------------------------------------------------------


async def test_checkin_page_meets_wcag_21_aa(live: Any, new_page: Any) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        door = await make_door(live, api, "Tillgänglighetsmöte")
        hanna = await door.sign_up("Hanna Lind")
        link = await door.door_link()

        # The installable app: a manifest per event, one service worker for /checkin/.
        r = await api.get(f"/checkin/{door.id}/manifest.webmanifest?lang=en")
        assert r.status_code == 200 and r.headers["content-type"] == "application/manifest+json"
        manifest = r.json()
        assert manifest["start_url"] == f"/checkin/{door.id}?lang=en"
        assert manifest["scope"] == "/checkin/" and manifest["display"] == "standalone"
        assert (await api.get(manifest["icons"][0]["src"])).status_code == 200
        r = await api.get("/checkin/sw.js")
        assert r.status_code == 200 and "javascript" in r.headers["content-type"]
        assert r.headers["service-worker-allowed"] == "/checkin/"
        assert "__VERSION__" not in r.text and "__SHELL__" not in r.text
        assert (await api.get("/checkin/not-an-event")).status_code == 404
        page_headers = (await api.get(f"/checkin/{door.id}")).headers
        assert "frame-ancestors 'none'" in page_headers["content-security-policy"]

        failures: list[str] = []
        page = await new_page(viewport=PHONE)
        await page.goto(link["url"])
        await wait_ready(page)
        if v := await wcag_violations(page):
            failures.append(describe("sv, idle", v))
        result, _ = await enter_code(page, hanna["code"])
        assert result == "ok"
        await page.get_by_label("Namn", exact=True).fill("a")  # a result list with a button
        if v := await wcag_violations(page):
            failures.append(describe("sv, admitted", v))
        result, _ = await enter_code(page, hanna["code"])
        assert result == "already_checked_in"
        if v := await wcag_violations(page):
            failures.append(describe("sv, refused", v))

        await page.goto(f"{live.url}/checkin/{door.id}?lang=en")
        await wait_ready(page)
        assert await page.locator("html").get_attribute("lang") == "en"
        assert (await page.locator("h1").inner_text()).strip() == "Check-in at the door"
        assert await page.get_by_role("button", name="Start camera").count() == 1
        if v := await wcag_violations(page):
            failures.append(describe("en, idle", v))
        await page.get_by_label("Ticket code").fill("not a ticket")
        await page.get_by_role("button", name="Check ticket").click()
        await page.locator("#result[data-result='not_found']").wait_for(state="attached")
        assert "Not a valid ticket" in await page.locator("#result").inner_text()
        if v := await wcag_violations(page):
            failures.append(describe("en, refused", v))
        # Results are announced: a live region around the words (and an icon hidden from AT).
        result = page.locator("#result")
        assert await result.get_attribute("aria-live") == "assertive"
        assert await result.locator(".result-icon").get_attribute("aria-hidden") == "true"
        # Touch targets of at least 44×44 CSS px.
        for name in ("Check ticket", "Start camera", "Undo last check-in", "Sync now"):
            box = await page.get_by_role("button", name=name).bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44, (name, box)

        # The door link is revoked: the phone says so and forgets the attendee list.
        r = await api.delete(
            f"/api/v1/events/{door.id}/door-tokens/{link['id']}", headers=World.auth(door.organiser)
        )
        assert r.status_code == 204, r.text
        await page.get_by_role("button", name="Sync now").click()
        notice = page.locator("#notice")
        await notice.wait_for(state="visible")
        assert "no longer valid" in await notice.inner_text()
        await page.locator("#checkin[data-ready='0']").wait_for(state="attached")
        assert await page.evaluate(STORED_LIST, door.id) is None
        await page.get_by_label("Name", exact=True).fill("Hanna")
        assert await page.locator("#search-results li").count() == 0
        if v := await wcag_violations(page):
            failures.append(describe("en, revoked link", v))

        # Reflow (WCAG 1.4.10): nothing scrolls sideways at 320 CSS px.
        await page.set_viewport_size({"width": 320, "height": 640})
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, overflow
        assert not failures, "\n\n".join(failures)
