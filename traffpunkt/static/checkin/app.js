/* Träffpunkt check-in at the door: a phone web app that works offline.
 *
 * - The door token comes in the URL fragment (#door=…), is kept in IndexedDB and removed from the
 *   address bar; every API call carries it as `Authorization: Bearer`.
 * - `GET /api/v1/events/{id}/checkin-data` (on load and every 30 s while online) gives the event's
 *   Ed25519 public key, the attendees [ticket_no, name, status, checked_in], the revoked ticket
 *   numbers and counts; it is kept in IndexedDB, so the app judges tickets without a network.
 * - A ticket code is "TP1" + base32(ticket_no[9] ‖ Ed25519 signature[64] over event UUID ‖
 *   ticket_no); it is verified here with WebCrypto, so people who signed up after the last
 *   update are admitted too, and cancelled tickets are refused from the revocation list.
 * - Every scan (camera, typed code, or check-in by name) gets a scan_id and is queued in
 *   IndexedDB before anything else; a sync loop posts the queue to .../checkins/batch and deletes
 *   scans only after a 200. The server ignores a scan_id it has seen, so retries never double.
 * - A course series (checkin-data has `sessions`): the officer picks the session (today's by
 *   default); every scan carries its session_id, queued ones too, and "already checked in"
 *   means for that session (checkin-data's `attendance`: registration id -> session ids).
 */
"use strict";

(() => {
  const root = document.getElementById("checkin");
  if (!root) return;

  const EVENT_ID = root.dataset.eventId;
  const LANG = root.dataset.lang === "en" ? "en" : "sv";
  const T = JSON.parse(document.getElementById("checkin-strings").textContent);
  const API = `/api/v1/events/${EVENT_ID}`;
  const SYNC_EVERY_MS = 5000;
  const DATA_EVERY_MS = 30000;
  const BATCH_SIZE = 200; // the server takes up to 500 per batch
  const REQUEST_TIMEOUT_MS = 20000;
  const SAME_CODE_PAUSE_MS = 4000; // a QR code held in front of the camera counts once
  const REFUSED = new Set(["not_found", "cancelled", "waitlisted", "wrong_event"]);
  const MANUAL_PREFIX = "ticket_no:"; // check-in by name: the ticket number from checkin-data

  const $ = (id) => document.getElementById(id);
  const fmt = (text, params) => text.replace(/%\((\w+)\)s/g, (_, k) => (k in params ? params[k] : ""));
  const clock = new Intl.DateTimeFormat(LANG === "en" ? "en-GB" : "sv-SE", {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const shortClock = new Intl.DateTimeFormat(LANG === "en" ? "en-GB" : "sv-SE", {
    hour: "2-digit",
    minute: "2-digit",
  });

  // --- state ---------------------------------------------------------------------------------

  const S = {
    token: null,
    device: null,
    data: null, // {title, public_key, attendees: Map(ticket_no -> {name, status, checked_in}), revoked: Set, stats}
    queue: [], // mirror of this event's queued scans in IndexedDB
    // persisted per event:
    overrides: {}, // ticket_no -> {checked_in, at}: what this phone knows that the list does not yet
    checkedAt: {}, // ticket_no -> ms when checked in (to say "checked in at 09:12")
    results: {}, // scan_id -> {result, registration_id, name}: the server's answers
    lastCheckin: null, // {scan_id, ticket_no, name}
    lastSync: null,
    session: null, // a course series: the id of the session checked in now (the picker's)
    attention: [], // [{text, at}]
    // runtime:
    reachable: true,
    authProblem: false,
    lastDataAt: 0,
    failures: 0,
    offlineReady: false,
    displayedScan: null,
    syncing: false,
  };

  // --- IndexedDB -----------------------------------------------------------------------------

  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open("traffpunkt-checkin", 1);
        request.onupgradeneeded = () => {
          const d = request.result;
          if (!d.objectStoreNames.contains("kv")) d.createObjectStore("kv");
          if (!d.objectStoreNames.contains("queue")) {
            d.createObjectStore("queue", { keyPath: "scan_id" }).createIndex("event_id", "event_id");
          }
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }
  const asPromise = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const committed = (tx) =>
    new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  async function kvGet(key) {
    return asPromise((await db()).transaction("kv").objectStore("kv").get(key));
  }
  async function kvSet(key, value) {
    const tx = (await db()).transaction("kv", "readwrite");
    tx.objectStore("kv").put(value, key);
    return committed(tx);
  }
  async function queueLoad() {
    const store = (await db()).transaction("queue").objectStore("queue");
    const scans = await asPromise(store.index("event_id").getAll(EVENT_ID));
    return scans.sort((a, b) => a.seq - b.seq);
  }
  async function queueAdd(scan) {
    const tx = (await db()).transaction("queue", "readwrite");
    tx.objectStore("queue").put(scan);
    return committed(tx);
  }
  async function queueDelete(ids) {
    const tx = (await db()).transaction("queue", "readwrite");
    const store = tx.objectStore("queue");
    for (const id of ids) store.delete(id);
    return committed(tx);
  }

  const STATE_KEY = `state:${EVENT_ID}`;
  async function saveState() {
    const ids = Object.keys(S.results);
    if (ids.length > 500) for (const id of ids.slice(0, ids.length - 500)) delete S.results[id];
    S.attention = S.attention.slice(0, 50);
    await kvSet(STATE_KEY, {
      overrides: S.overrides,
      checkedAt: S.checkedAt,
      results: S.results,
      lastCheckin: S.lastCheckin,
      lastSync: S.lastSync,
      attention: S.attention,
      session: S.session,
    });
  }

  // --- tickets -------------------------------------------------------------------------------

  const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const TICKET_NO_BYTES = 9;
  const SIGNATURE_BYTES = 64;
  const BODY_CHARS = Math.ceil(((TICKET_NO_BYTES + SIGNATURE_BYTES) * 8) / 5); // 117

  function base32Decode(text) {
    const out = [];
    let bits = 0;
    let value = 0;
    for (const ch of text) {
      const i = B32.indexOf(ch);
      if (i < 0) return null;
      value = (value << 5) | i;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out.push((value >>> bits) & 255);
        value &= (1 << bits) - 1;
      }
    }
    return new Uint8Array(out);
  }
  function b64url(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function unb64url(text) {
    const s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }
  function uuidBytes(uuid) {
    const hex = uuid.replace(/-/g, "");
    return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.substr(i * 2, 2), 16));
  }
  /** {code, ticketNo, raw, signature} of a well-formed ticket code, else null (not verified). */
  function parseCode(text) {
    const code = String(text).replace(/\s+/g, "").toUpperCase();
    if (!code.startsWith("TP1")) return null;
    const body = code.slice(3).replace(/=+$/, "");
    if (body.length !== BODY_CHARS) return null;
    const raw = base32Decode(body);
    if (!raw || raw.length !== TICKET_NO_BYTES + SIGNATURE_BYTES) return null;
    const rawNo = raw.slice(0, TICKET_NO_BYTES);
    return { code, ticketNo: b64url(rawNo), rawNo, signature: raw.slice(TICKET_NO_BYTES) };
  }

  let keyFor = null;
  let keyPromise = null;
  function publicKey() {
    const pk = S.data && S.data.public_key;
    if (!pk) return Promise.resolve(null);
    if (pk !== keyFor) {
      keyFor = pk;
      keyPromise = (async () => {
        try {
          return await crypto.subtle.importKey("raw", unb64url(pk), { name: "Ed25519" }, false, [
            "verify",
          ]);
        } catch (err) {
          return null; // a browser without Ed25519 in WebCrypto
        }
      })();
    }
    return keyPromise;
  }
  async function signatureValid(parsed) {
    const key = await publicKey();
    if (!key) return null;
    const message = new Uint8Array(16 + TICKET_NO_BYTES);
    message.set(uuidBytes(EVENT_ID), 0);
    message.set(parsed.rawNo, 16);
    try {
      return await crypto.subtle.verify({ name: "Ed25519" }, key, parsed.signature, message);
    } catch (err) {
      return false;
    }
  }

  // --- what this phone knows about a person ----------------------------------------------------

  /** What the phone remembers about a person is per session in a series. */
  function personKey(no, session = S.session) {
    return session ? `${no}|${session}` : no;
  }

  function isCheckedIn(no) {
    const session = S.session || null;
    if (S.queue.some((s) => s.ticket_no === no && s.offline_result === "ok" && (s.session_id || null) === session)) return true;
    const key = personKey(no);
    if (key in S.overrides) return S.overrides[key].checked_in;
    const a = S.data && S.data.attendees.get(no);
    if (!a) return false;
    if (session) return (S.data.attendance[a.registration_id] || []).includes(session);
    return Boolean(a.checked_in);
  }

  /** The local verdict on a ticket number whose authenticity is settled. */
  function judgeTicketNo(no) {
    const a = S.data.attendees.get(no);
    const name = a ? a.name : null;
    if (S.data.revoked.has(no) || (a && a.status === "cancelled")) return { result: "cancelled", name };
    if (a && a.status === "waitlisted") return { result: "waitlisted", name };
    if (isCheckedIn(no)) return { result: "already_checked_in", name, at: S.checkedAt[personKey(no)] };
    return { result: "ok", name, unlisted: !a };
  }

  async function judgeCode(text) {
    const parsed = parseCode(text);
    const secret = parsed ? parsed.code : String(text).trim().slice(0, 300);
    if (!S.data) return { result: null, secret, ticket_no: parsed ? parsed.ticketNo : null };
    if (!parsed) return { result: "not_found", secret, ticket_no: null };
    let valid = await signatureValid(parsed);
    let noKey = false;
    if (valid === null) {
      // No Ed25519 here: a ticket number on the synced lists is as good (72 random bits).
      noKey = true;
      valid = S.data.attendees.has(parsed.ticketNo) || S.data.revoked.has(parsed.ticketNo);
    }
    if (!valid) return { result: "not_found", secret, ticket_no: parsed.ticketNo, noKey };
    return { ...judgeTicketNo(parsed.ticketNo), secret, ticket_no: parsed.ticketNo };
  }

  // --- showing a result ----------------------------------------------------------------------

  let audio = null;
  function feedback(ok) {
    try {
      if (navigator.vibrate) navigator.vibrate(ok ? 120 : [250, 120, 250]);
    } catch (err) {
      /* no vibration motor */
    }
    try {
      if (!audio) return;
      if (audio.state === "suspended") audio.resume();
      const beep = (start, freq, length) => {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.12;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + length);
      };
      if (ok) beep(0, 880, 0.15);
      else {
        beep(0, 220, 0.2);
        beep(0.3, 220, 0.2);
      }
    } catch (err) {
      /* no sound */
    }
  }
  // Browsers allow sound only after a tap: make the audio context on the first one.
  const unlockAudio = () => {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      try {
        audio = new (window.AudioContext || window.webkitAudioContext)();
      } catch (err) {
        audio = null;
      }
    }
  };
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  let displaySeq = 0;
  function display({ tone, result, title, name, detail }) {
    const el = $("result");
    const icon = { ok: "✓", refused: "✗", info: "!" }[tone] || "";
    const parts = [];
    const add = (cls, text) => {
      if (!text) return;
      const p = document.createElement("p");
      p.className = cls;
      p.textContent = text;
      parts.push(p);
    };
    if (icon) {
      const span = document.createElement("span");
      span.className = "result-icon";
      span.setAttribute("aria-hidden", "true");
      span.textContent = icon;
      parts.push(span);
    }
    add("result-title", title);
    add("result-name", name);
    add("result-detail", detail);
    el.replaceChildren(...parts);
    el.dataset.tone = tone;
    el.dataset.result = result || "";
    el.dataset.seq = String(++displaySeq);
  }
  function showVerdict(v) {
    const ok = v.result === "ok";
    let detail = "";
    if (ok && v.unlisted) detail = T.ok_unlisted;
    else if (v.result === "already_checked_in" && v.at) detail = fmt(T.already_at, { time: shortClock.format(new Date(v.at)) });
    else if (v.result === "not_found") detail = v.noKey ? T.no_key : T.not_found_detail;
    else if (v.detail) detail = v.detail;
    display({
      tone: ok ? "ok" : "refused",
      result: v.result,
      title: T[v.result] || v.result,
      name: v.name || (ok && v.unlisted ? T.unknown_person : ""),
      detail,
    });
    feedback(ok);
  }
  function info(text, result = "") {
    display({ tone: "info", result, title: text });
  }
  function setNotice(text) {
    const el = $("notice");
    el.textContent = text || "";
    el.hidden = !text;
  }

  // --- scanning ------------------------------------------------------------------------------

  function isoNow(d = new Date()) {
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    const off = -d.getTimezoneOffset();
    const a = Math.abs(off);
    return (
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
      `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
      `${off >= 0 ? "+" : "-"}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
    );
  }
  let seqCounter = 0;

  /** Queue a scan (before anything else can go wrong), show the verdict, send when online. */
  async function record(verdict, source) {
    const scan = {
      scan_id: crypto.randomUUID(),
      event_id: EVENT_ID,
      seq: Date.now() * 1000 + (seqCounter++ % 1000),
      secret: verdict.secret.slice(0, 300),
      scanned_at: isoNow(),
      device: S.device,
      offline_result: verdict.result || null,
      ticket_no: verdict.ticket_no || null,
      name: verdict.name || null,
      source,
      session_id: S.session || null,
    };
    S.queue.push(scan);
    if (verdict.result === "ok") {
      S.lastCheckin = { scan_id: scan.scan_id, ticket_no: scan.ticket_no, name: scan.name, session_id: scan.session_id };
      if (scan.ticket_no) S.checkedAt[personKey(scan.ticket_no)] = Date.now();
    }
    S.displayedScan = scan.scan_id;
    if (verdict.result) showVerdict(verdict);
    else info(T.syncing);
    render();
    try {
      await queueAdd(scan);
      await saveState();
    } catch (err) {
      setNotice(String(err));
    }
    if (navigator.onLine && !S.authProblem) syncQueue().catch(() => undefined);
  }

  async function handleCode(text, source) {
    text = String(text || "").trim();
    if (!text) return;
    const verdict = await judgeCode(text);
    if (!verdict.result && !navigator.onLine) {
      info(T.no_data);
      return;
    }
    await record(verdict, source);
  }

  async function checkInByTicketNo(no) {
    if (!S.data || !S.data.attendees.has(no)) return;
    const verdict = { ...judgeTicketNo(no), secret: MANUAL_PREFIX + no, ticket_no: no };
    await record(verdict, "name");
    // The button is gone (the person is checked in): back to the search field, unless the
    // officer has already moved elsewhere.
    const active = document.activeElement;
    if (!active || active === document.body || !document.contains(active)) $("search-input").focus();
  }

  // --- talking to the server -----------------------------------------------------------------

  class NetworkError extends Error {}

  async function api(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers: {
          Authorization: `Bearer ${S.token}`,
          Accept: "application/json",
          "Accept-Language": LANG,
          ...(body ? { "Content-Type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: controller.signal,
        cache: "no-store",
        credentials: "omit",
      });
    } catch (err) {
      S.reachable = false;
      render();
      throw new NetworkError(String(err));
    } finally {
      clearTimeout(timer);
    }
    S.reachable = true;
    if (response.status === 401 || response.status === 403) {
      S.authProblem = true;
      setNotice(T.bad_token);
      if (response.status === 401) forgetAttendees();
    }
    render();
    return response;
  }

  /** A door token that stopped working (event over, or revoked): names leave the phone. */
  function forgetAttendees() {
    S.data = null;
    kvSet(`data:${EVENT_ID}`, null).catch(() => undefined);
  }

  async function problemDetail(response) {
    try {
      const body = await response.json();
      return body.detail || body.title || String(response.status);
    } catch (err) {
      return String(response.status);
    }
  }

  function wire(scan) {
    const out = { secret: scan.secret, scan_id: scan.scan_id, scanned_at: scan.scanned_at, device: scan.device };
    if (scan.offline_result) out.offline_result = scan.offline_result;
    if (scan.session_id) out.session_id = scan.session_id;
    return out;
  }

  function note(text) {
    S.attention.unshift({ text, at: Date.now() });
  }

  /** Take in the server's answer to one scan. */
  function apply(scan, out) {
    const name = out.name || scan.name || T.unknown_person;
    S.results[scan.scan_id] = {
      result: out.result,
      registration_id: out.registration_id || null,
      name: out.name || scan.name || null,
    };
    const no = scan.ticket_no;
    const admitted = out.result === "ok" || out.result === "already_checked_in";
    if (no) {
      const key = personKey(no, scan.session_id || null);
      if (admitted) S.overrides[key] = { checked_in: true, at: Date.now() };
      else if (scan.offline_result === "ok") S.overrides[key] = { checked_in: false, at: Date.now() };
      if (out.checked_in_at && admitted && !scan.session_id) S.checkedAt[key] = Date.parse(out.checked_in_at);
    }
    const shown = scan.offline_result;
    let differs = false;
    if (shown === "ok" && out.result !== "ok") {
      differs = true;
      note(fmt(T.server_differs, { name, result: T[out.result] || out.result }));
    } else if (shown && shown !== "ok" && shown !== "already_checked_in" && out.result === "ok") {
      differs = true;
      note(fmt(T.server_checked_in, { name }));
    }
    // The scan still on screen (made moments ago, online): show the server's more exact word.
    const recent = Date.now() - scan.seq / 1000 < 15000;
    if (S.displayedScan === scan.scan_id && recent && (differs || out.result !== shown)) {
      showVerdict({
        result: out.result,
        name: out.name || scan.name,
        at: out.checked_in_at ? Date.parse(out.checked_in_at) : null,
      });
    }
    if (S.lastCheckin && S.lastCheckin.scan_id === scan.scan_id && out.result !== "ok") {
      S.lastCheckin = null;
    }
  }

  async function postBatch(scans) {
    const response = await api("POST", "/checkins/batch", { scans: scans.map(wire) });
    return response;
  }

  /** Send every queued scan; each is deleted from the queue only after the server said 200. */
  async function sendQueue() {
    let pending = await queueLoad();
    let size = BATCH_SIZE;
    while (pending.length && !S.authProblem) {
      const chunk = pending.slice(0, size);
      const response = await postBatch(chunk);
      if (response.status === 200) {
        const body = await response.json();
        chunk.forEach((scan, i) => apply(scan, body.results[i]));
        await queueDelete(chunk.map((s) => s.scan_id));
        const sent = new Set(chunk.map((s) => s.scan_id));
        S.queue = S.queue.filter((s) => !sent.has(s.scan_id));
        S.lastSync = Date.now();
        pending = pending.slice(chunk.length);
        await saveState();
        render();
      } else if (response.status === 422 && chunk.length > 1) {
        size = 1; // find the scan the server cannot take; send the others one by one
      } else if (response.status === 422) {
        // This scan can never be accepted (it was not made by this app as it is now): keep a
        // note of it rather than block the queue behind it.
        note(fmt(T.rejected, { reason: await problemDetail(response) }));
        await queueDelete([chunk[0].scan_id]);
        S.queue = S.queue.filter((s) => s.scan_id !== chunk[0].scan_id);
        pending = pending.slice(1);
        await saveState();
      } else {
        throw new Error(`batch: HTTP ${response.status}`);
      }
    }
  }

  let syncPromise = null;
  function syncQueue() {
    if (!syncPromise) {
      S.syncing = true;
      const run = () => sendQueue();
      const locked = navigator.locks
        ? navigator.locks.request(`traffpunkt-checkin-sync-${EVENT_ID}`, run)
        : run();
      syncPromise = locked
        .then(() => {
          // Scans made while this round was on its way go out at once, not at the next tick.
          if (S.queue.length && navigator.onLine && !S.authProblem) {
            setTimeout(() => syncQueue().catch(() => undefined), 50);
          }
        })
        .finally(() => {
          syncPromise = null;
          S.syncing = false;
          render();
        });
    }
    return syncPromise;
  }

  function setData(body) {
    const attendees = new Map();
    for (const [ticket_no, name, status, checked_in, registration_id] of body.attendees) {
      attendees.set(ticket_no, { name, status, checked_in, registration_id });
    }
    S.data = {
      title: body.title,
      public_key: body.public_key,
      attendees,
      revoked: new Set(body.revoked),
      stats: body.stats,
      generated_at: body.generated_at,
      sessions: body.sessions || [],
      attendance: body.attendance || {},
    };
    chooseSession();
  }

  // --- sessions of a course series -------------------------------------------------------------

  const sessionDay = new Intl.DateTimeFormat(LANG === "en" ? "en-GB" : "sv-SE", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });

  /** Keep the officer's choice; otherwise today's session (or the next, or the last one). */
  function chooseSession() {
    const sessions = S.data.sessions.filter((x) => !x.cancelled);
    if (!sessions.length) {
      S.session = null;
      return;
    }
    if (sessions.some((x) => x.id === S.session)) return;
    const today = new Date().toDateString();
    const now = Date.now();
    const pick =
      sessions.find((x) => new Date(x.starts_at).toDateString() === today) ||
      sessions.find((x) => Date.parse(x.ends_at) > now) ||
      sessions[sessions.length - 1];
    S.session = pick.id;
  }

  function renderSessions() {
    const box = $("session-pick");
    const sessions = S.data ? S.data.sessions : [];
    box.hidden = sessions.length === 0;
    if (!sessions.length) return;
    const select = $("session-select");
    const wanted = sessions.map((x) => x.id).join(",");
    if (select.dataset.ids !== wanted) {
      select.dataset.ids = wanted;
      select.replaceChildren(
        ...sessions.map((x) => {
          const option = document.createElement("option");
          option.value = x.id;
          option.disabled = x.cancelled;
          let label = fmt(T.session_label, { n: x.position, when: sessionDay.format(new Date(x.starts_at)) });
          if (x.online) label += ` (${T.online_session})`;
          if (x.cancelled) label += ` – ${T.session_cancelled}`;
          option.textContent = label;
          return option;
        })
      );
    }
    if (S.session) select.value = S.session;
  }

  async function refreshData() {
    const started = Date.now();
    const response = await api("GET", "/checkin-data");
    if (!response.ok) {
      if (response.status !== 401 && response.status !== 403) setNotice(await problemDetail(response));
      return false;
    }
    const body = await response.json();
    setData(body);
    // The list now says what the phone had to remember on top of the older list.
    for (const [key, o] of Object.entries(S.overrides)) if (o.at < started) delete S.overrides[key];
    S.lastDataAt = Date.now();
    S.lastSync = Date.now();
    await kvSet(`data:${EVENT_ID}`, body);
    await saveState();
    render();
    return true;
  }

  let tickTimer = null;
  async function tick(forceData = false) {
    clearTimeout(tickTimer);
    let delay = SYNC_EVERY_MS;
    if (S.token && !S.authProblem && navigator.onLine) {
      try {
        if (S.queue.length) await syncQueue();
        if (forceData || !S.data || Date.now() - S.lastDataAt > DATA_EVERY_MS) await refreshData();
        S.failures = 0;
      } catch (err) {
        S.failures += 1;
        delay = Math.min(60000, SYNC_EVERY_MS * 2 ** (S.failures - 1));
      }
    }
    render();
    tickTimer = setTimeout(() => tick(), delay);
  }

  // --- undo ----------------------------------------------------------------------------------

  async function undo() {
    const last = S.lastCheckin;
    if (!last) return info(T.undo_nothing);
    if (!navigator.onLine) return info(T.undo_needs_connection);
    try {
      await syncQueue();
      if (S.queue.some((s) => s.scan_id === last.scan_id)) return info(T.undo_needs_connection);
      const answer = S.results[last.scan_id];
      if (!answer || answer.result !== "ok" || !answer.registration_id) {
        S.lastCheckin = null;
        await saveState();
        return info(fmt(T.undo_failed, { reason: T[answer ? answer.result : "not_found"] || "" }));
      }
      const query = last.session_id ? `?session_id=${encodeURIComponent(last.session_id)}` : "";
      const response = await api("DELETE", `/checkins/${encodeURIComponent(answer.registration_id)}${query}`);
      if (!response.ok) {
        return info(fmt(T.undo_failed, { reason: await problemDetail(response) }));
      }
      if (last.ticket_no) {
        const key = personKey(last.ticket_no, last.session_id || null);
        S.overrides[key] = { checked_in: false, at: Date.now() };
        delete S.checkedAt[key];
      }
      S.lastCheckin = null;
      await saveState();
      render();
      info(fmt(T.undo_done, { name: last.name || answer.name || T.unknown_person }), "undone");
    } catch (err) {
      info(T.undo_needs_connection);
    }
  }

  // --- search by name ------------------------------------------------------------------------

  const fold = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

  function renderSearch() {
    const list = $("search-results");
    const query = fold($("search-input").value.trim());
    if (!query || !S.data) {
      list.replaceChildren();
      return;
    }
    const words = query.split(/\s+/);
    const hits = [];
    for (const [no, a] of S.data.attendees) {
      const name = fold(a.name);
      if (words.every((w) => name.includes(w))) hits.push([no, a]);
    }
    hits.sort((x, y) => x[1].name.localeCompare(y[1].name, LANG));
    if (!hits.length) {
      const li = document.createElement("li");
      li.textContent = T.no_matches;
      list.replaceChildren(li);
      return;
    }
    list.replaceChildren(
      ...hits.slice(0, 25).map(([no, a]) => {
        const li = document.createElement("li");
        const who = document.createElement("span");
        who.className = "who";
        who.textContent = a.name;
        const state = document.createElement("span");
        state.className = "state";
        const inside = isCheckedIn(no);
        state.textContent = inside
          ? T.status_checked_in
          : a.status === "waitlisted"
            ? T.status_waitlisted
            : T.status_confirmed;
        const person = document.createElement("div");
        person.className = "person";
        person.append(who, state);
        li.append(person);
        if (!inside && a.status === "confirmed") {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "big";
          button.textContent = T.check_in;
          button.setAttribute("aria-label", fmt(T.check_in_name, { name: a.name }));
          button.addEventListener("click", () => checkInByTicketNo(no));
          li.append(button);
        }
        li.dataset.ticketNo = no;
        return li;
      })
    );
  }

  // --- status --------------------------------------------------------------------------------

  function counts() {
    if (!S.data) return { inside: 0, total: 0, waiting: 0 };
    let inside = 0;
    let total = 0;
    let waiting = 0;
    for (const [no, a] of S.data.attendees) {
      if (a.status === "confirmed") {
        total += 1;
        if (isCheckedIn(no)) inside += 1;
      } else if (a.status === "waitlisted") waiting += 1;
    }
    // People admitted by signature who are not on this phone's list yet.
    const extra = new Set();
    for (const s of S.queue) {
      if ((s.session_id || null) !== (S.session || null)) continue;
      if (s.offline_result === "ok" && s.ticket_no && !S.data.attendees.has(s.ticket_no)) extra.add(s.ticket_no);
    }
    for (const [key, o] of Object.entries(S.overrides)) {
      const [no, session] = key.split("|");
      if ((session || null) !== (S.session || null)) continue;
      if (o.checked_in && !S.data.attendees.has(no)) extra.add(no);
    }
    return { inside: inside + extra.size, total: total + extra.size, waiting };
  }

  let lastRenderedAttention = "";
  function render() {
    const online = navigator.onLine && S.reachable;
    const net = $("net-state");
    net.dataset.online = online ? "1" : "0";
    net.querySelector(".icon").textContent = online ? "●" : "○";
    net.querySelector(".text").textContent = S.syncing && online ? T.syncing : online ? T.online : T.offline;
    $("queued-count").textContent = String(S.queue.length);
    $("last-sync").textContent = S.lastSync ? clock.format(new Date(S.lastSync)) : T.never;
    const c = counts();
    $("count-in").textContent = String(c.inside);
    $("count-total").textContent = String(c.total);
    $("count-waiting").textContent = String(c.waiting);
    $("offline-ready").textContent = S.offlineReady ? T.offline_ready : T.offline_not_ready;
    root.dataset.offlineReady = S.offlineReady ? "1" : "0";
    root.dataset.ready = S.data ? "1" : "0";
    root.dataset.queued = String(S.queue.length);
    if (S.data) $("event-title").textContent = S.data.title;
    renderSessions();
    const attention = JSON.stringify(S.attention);
    if (attention !== lastRenderedAttention) {
      lastRenderedAttention = attention;
      $("attention-section").hidden = S.attention.length === 0;
      $("attention").replaceChildren(
        ...S.attention.map((a) => {
          const li = document.createElement("li");
          li.textContent = `${shortClock.format(new Date(a.at))} – ${a.text}`;
          return li;
        })
      );
    }
    renderSearch();
  }

  // --- camera --------------------------------------------------------------------------------

  const video = $("camera-video");
  const cameraButton = $("camera-toggle");
  let stream = null;
  let detector = null;
  let lastCode = "";
  let lastCodeAt = 0;
  let canvas = null;
  let ctx = null;

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = root.dataset.jsqr;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("QR decoder did not load"));
      document.head.append(script);
    });
  }

  async function startCamera() {
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera API");
      if (!detector && "BarcodeDetector" in window) {
        try {
          const formats = await window.BarcodeDetector.getSupportedFormats();
          if (formats.includes("qr_code")) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        } catch (err) {
          detector = null;
        }
      }
      if (!detector) await loadJsQR();
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      video.srcObject = stream;
      await video.play();
    } catch (err) {
      stopCamera();
      info(T.camera_failed);
      return;
    }
    $("camera").hidden = false;
    cameraButton.textContent = T.stop_camera;
    cameraButton.setAttribute("aria-pressed", "true");
    root.dataset.camera = detector ? "barcode-detector" : "jsqr";
    info(T.camera_on);
    scanFrame();
  }

  function stopCamera() {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.srcObject = null;
    $("camera").hidden = true;
    cameraButton.textContent = T.start_camera;
    cameraButton.setAttribute("aria-pressed", "false");
  }

  async function readFrame() {
    if (detector) {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    }
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    const w = Math.round(video.videoWidth * scale);
    const h = Math.round(video.videoHeight * scale);
    if (!canvas) {
      canvas = document.createElement("canvas");
      ctx = canvas.getContext("2d", { willReadFrequently: true });
    }
    canvas.width = w;
    canvas.height = h;
    ctx.drawImage(video, 0, 0, w, h);
    const found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  async function scanFrame() {
    if (!stream) return;
    try {
      if (video.readyState >= 2 && video.videoWidth) {
        const text = await readFrame();
        if (text) {
          const now = Date.now();
          const again = text === lastCode && now - lastCodeAt < SAME_CODE_PAUSE_MS;
          lastCodeAt = now;
          if (!again) {
            lastCode = text;
            await handleCode(text, "camera");
          }
        }
      }
    } catch (err) {
      /* a frame that could not be read */
    }
    setTimeout(scanFrame, 150);
  }

  // --- start ---------------------------------------------------------------------------------

  async function loadToken() {
    const match = /(?:^#|&)door=([^&]+)/.exec(location.hash);
    if (match) {
      const token = decodeURIComponent(match[1]);
      // Out of the address bar (and so out of history, bookmarks and screenshots) at once.
      history.replaceState(history.state, "", location.pathname + location.search);
      await kvSet(`token:${EVENT_ID}`, token);
      return token;
    }
    return (await kvGet(`token:${EVENT_ID}`)) || null;
  }

  async function loadDevice() {
    let device = await kvGet("device");
    if (!device) {
      device = `door-${crypto.randomUUID().slice(0, 8)}`;
      await kvSet("device", device);
    }
    return device;
  }

  function startServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.onmessage = (event) => {
      const data = event.data || {};
      if (data.type === "cached") {
        S.offlineReady = Boolean(data.ok);
        render();
      }
    };
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/checkin/" }).catch(() => undefined);
    navigator.serviceWorker.ready.then((registration) => {
      const manifest = document.querySelector('link[rel="manifest"]');
      const urls = [location.pathname + location.search];
      if (manifest) urls.push(new URL(manifest.href).pathname + new URL(manifest.href).search);
      const worker = registration.active || navigator.serviceWorker.controller;
      if (worker) worker.postMessage({ type: "cache-pages", urls });
    });
  }

  async function start() {
    // Clear the fragment first, whatever happens next.
    const hashToken = /(?:^#|&)door=/.test(location.hash);
    try {
      S.token = await loadToken();
      S.device = await loadDevice();
      const saved = (await kvGet(STATE_KEY)) || {};
      Object.assign(S, {
        overrides: saved.overrides || {},
        checkedAt: saved.checkedAt || {},
        results: saved.results || {},
        lastCheckin: saved.lastCheckin || null,
        lastSync: saved.lastSync || null,
        attention: saved.attention || [],
        session: saved.session || null,
      });
      const data = await kvGet(`data:${EVENT_ID}`);
      if (data) setData(data);
      S.queue = await queueLoad();
    } catch (err) {
      if (hashToken) history.replaceState(history.state, "", location.pathname + location.search);
      setNotice(String(err));
    }
    if (!S.token) setNotice(T.no_token);

    $("code-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("code-input");
      const text = input.value;
      input.value = "";
      input.focus(); // ready for the next code (now, not later: the officer may move on)
      await handleCode(text, "typed");
    });
    $("search-input").addEventListener("input", renderSearch);
    $("session-select").addEventListener("change", async (event) => {
      S.session = event.target.value;
      S.lastCheckin = null; // undo belongs to the session it was made in
      info(fmt(T.session_chosen, { label: event.target.selectedOptions[0].textContent }));
      render();
      await saveState();
    });
    $("undo").addEventListener("click", undo);
    $("sync-now").addEventListener("click", async () => {
      if (!navigator.onLine) return info(T.offline);
      S.failures = 0;
      await tick(true);
      if (!S.authProblem) info(S.queue.length || S.failures ? T.sync_failed : T.synced);
    });
    cameraButton.setAttribute("aria-pressed", "false");
    cameraButton.addEventListener("click", () => (stream ? stopCamera() : startCamera()));
    window.addEventListener("online", () => {
      S.reachable = true;
      S.failures = 0;
      tick(true);
    });
    window.addEventListener("offline", render);
    document.addEventListener("visibilitychange", () => {
      if (document.hidden && stream) stopCamera();
    });
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => undefined);
    startServiceWorker();
    render();
    tick(true);
  }

  start();
})();
