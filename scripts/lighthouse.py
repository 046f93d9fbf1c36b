"""Lighthouse (mobile emulation) on the six pages of docs/quality.md; a table of the scores.

    cd "$(mktemp -d)" && traffpunkt demo && traffpunkt serve --port 8200 &
    python3 scripts/lighthouse.py http://127.0.0.1:8200 /tmp/lighthouse

Needs the npm `lighthouse` command and Debian's chromium (CHROME_PATH, default /usr/bin/chromium).
It signs one person up through the API for the manage page's link. With an organiser's API token
in LIGHTHOUSE_API_TOKEN (`traffpunkt token create --email you@example.se --role admin`) the door
page is opened as a door helper opens it, with a door link (`#door=…`); without one it shows its
"needs the door link" notice, which shifts the layout. Per page it prints the four
scores, any request that left the site, and the scored audits that did not pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(base + "/api/v1/events?municipality=asele") as r:
        events = json.load(r)["items"]
    event = next(e for e in events if e["registration_open"])
    body = {"name": "Lisa Lighthouse", "email": f"lisa.{os.getpid()}@example.se"}
    request = urllib.request.Request(
        f"{base}/api/v1/events/{event['id']}/registrations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as r:
        manage = urllib.parse.urlsplit(json.load(r)["manage_url"]).path
    door = f"/checkin/{event['id']}"
    if token := os.environ.get("LIGHTHOUSE_API_TOKEN"):
        request = urllib.request.Request(
            f"{base}/api/v1/events/{event['id']}/door-tokens",
            data=b"{}",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        with urllib.request.urlopen(request) as r:
            url = urllib.parse.urlsplit(json.load(r)["url"])
            door = f"{url.path}#{url.fragment}"
    pages = {
        "home": "/",
        "calendar": "/calendar/asele",
        "event": f"/events/{event['slug']}",
        "signup": f"/events/{event['slug']}/register",
        "manage": manage,
        "door": door,
    }
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    print("| page | performance | accessibility | best practices | SEO |")
    print("|---|---|---|---|---|")
    for name, path in pages.items():
        report = out / f"{name}.json"
        subprocess.run(
            [
                "lighthouse",
                base + path,
                "--chrome-flags=--headless=new --no-sandbox",
                "--form-factor=mobile",
                "--output=json",
                f"--output-path={report}",
                "--quiet",
            ],
            env=env,
            check=True,
        )
        result = json.loads(report.read_text())
        cats = result["categories"]
        scores = [
            round(cats[c]["score"] * 100)
            for c in ("performance", "accessibility", "best-practices", "seo")
        ]
        requests = result["audits"]["network-requests"]["details"]["items"]
        offsite = {i["url"] for i in requests if not i["url"].startswith((base, "data:"))}
        failed = [
            ref["id"]
            for c in cats.values()
            for ref in c["auditRefs"]
            if ref["weight"] > 0 and result["audits"][ref["id"]]["score"] not in (None, 1)
        ]
        print(
            f"| {name} | " + " | ".join(map(str, scores)) + " |",
            f"off-site: {sorted(offsite)}" if offsite else "",
            f"not passed: {failed}" if failed else "",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
