/* Träffpunkt check-in: the service worker that lets the door app start without a network.
 *
 * Served by registrations/pages.py as /checkin/sw.js (scope /checkin/), which fills in the
 * version and the list of shell files. Caches:
 *  - the shell (CSS, JS, the QR decoder, the icon): versioned URLs, cache first;
 *  - each event's check-in page (HTML) and manifest: network first with a short timeout, so a
 *    weak connection at the door falls back to the cached page instead of spinning.
 * API calls are never cached here: the page keeps its data and its queue of scans in IndexedDB.
 */
"use strict";

const VERSION = "__VERSION__";
const SHELL = ["__SHELL__"];
const CACHE = "traffpunkt-checkin-" + VERSION;
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = await caches.open(CACHE);
      for (const name of await caches.keys()) {
        if (name.startsWith("traffpunkt-checkin-") && name !== CACHE) {
          // Carry the pages over, so an update made online never loses the offline copy.
          const old = await caches.open(name);
          for (const request of await old.keys()) {
            if (new URL(request.url).pathname.startsWith("/checkin/")) {
              const response = await old.match(request);
              if (response && !(await keep.match(request))) await keep.put(request, response);
            }
          }
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })()
  );
});

// The page asks for its own URL (and manifest) to be kept: it was loaded before this worker
// controlled it. The answer tells the page that it now works offline.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "cache-pages" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((u) => typeof u === "string" && u.startsWith("/checkin/"));
  event.waitUntil(
    (async () => {
      let ok = true;
      const cache = await caches.open(CACHE);
      for (const url of [...SHELL, ...urls]) {
        const cached = await cache.match(url, { ignoreVary: true });
        if (cached && url.includes("?v=")) continue; // versioned: never changes
        try {
          const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
          if (response.ok) {
            await cache.put(url, response);
            continue;
          }
        } catch (err) {
          /* offline: the copy in the cache (if any) will do */
        }
        if (!cached) ok = false;
      }
      if (event.source) event.source.postMessage({ type: "cached", ok, version: VERSION });
    })()
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      }
    );
  });
}

async function cachedPage(request) {
  const cache = await caches.open(CACHE);
  return (
    (await cache.match(request, { ignoreVary: true })) ||
    (await cache.match(request, { ignoreVary: true, ignoreSearch: true }))
  );
}

async function pageFirstFromNetwork(event) {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  });
  event.waitUntil(network.catch(() => undefined));
  try {
    const response = await withTimeout(network, NETWORK_TIMEOUT_MS);
    if (response.ok) return response;
    return (await cachedPage(request)) || response;
  } catch (err) {
    const cached = await cachedPage(request);
    if (cached) return cached;
    return network; // nothing cached: wait for the network after all (or fail like a browser)
  }
}

async function shellFirstFromCache(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreVary: true });
  const network = fetch(event.request)
    .then(async (response) => {
      if (response.ok) await cache.put(event.request, response.clone());
      return response;
    })
    .catch(() => undefined);
  event.waitUntil(network);
  return cached || (await network) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith("/api/")) return; // the page handles the API (and its own retries)
  if (path.startsWith("/checkin/") && path !== "/checkin/sw.js") {
    event.respondWith(pageFirstFromNetwork(event));
  } else if (path.startsWith("/static/checkin/") && url.searchParams.has("v")) {
    event.respondWith(shellFirstFromCache(request));
  } else if (path === "/static/site.css") {
    event.respondWith(staleWhileRevalidate(event));
  }
});
