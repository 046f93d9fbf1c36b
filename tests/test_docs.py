"""The documentation a clone carries: nothing points outside the repository, the files and
paths it names exist, the README's example queries return demo data, and the tests' own
environment stays apart from the one the README's first command installs."""

from __future__ import annotations

import re
import shlex
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SKIP_DIRS = {
    ".git",
    ".venv",
    ".venv-test",
    "__pycache__",
    "build",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
}
OUTSIDE = re.compile(r"\.\./shared|shared/(API|DESIGN)\.md|shared/peers")


def repo_text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if set(rel.parts) & SKIP_DIRS or rel.parts[0].endswith(".egg-info") or not path.is_file():
            continue
        if path.suffix in {".md", ".py", ".sh", ".toml", ".html", ".cfg", ".txt", ".po", ".css"}:
            files.append(path)
    return files


def test_nothing_points_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in repo_text_files()
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line) and path != Path(__file__)
    ]
    assert offenders == []


def test_paths_named_in_the_docs_exist() -> None:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert {p.name for p in docs} >= {"README.md", "api.md", "architecture.md", "operating.md"}
    named = re.compile(
        r"`((?:docs|bench|scripts|tests|traffpunkt|events|registrations|networking"
        r"|notifications|reports)/[\w./-]*\w)`"
    )
    missing = []
    for doc in docs:
        for rel in named.findall(doc.read_text()):
            if not (ROOT / rel).exists():
                missing.append(f"{doc.name}: {rel}")
    assert missing == []


def test_tests_never_install_into_the_readme_venv() -> None:
    """`./test.sh` beside a running `serve`: an editable install into the same virtualenv
    swapped the server's package files (issue 12). Each has its own."""
    first = re.search(r"```sh\n(python3 -m venv .*)\n```", README)
    assert first is not None
    served_venv = shlex.split(first.group(1))[3]
    test_sh = (ROOT / "test.sh").read_text()
    test_venv = re.search(r"VENV=\$\{TRAFFPUNKT_TEST_VENV:-([^}]+)\}", test_sh)
    assert test_venv is not None and test_venv.group(1) != served_venv
    installs = [line for line in test_sh.splitlines() if "pip install" in line]
    assert installs and all('"$VENV/bin/python"' in line for line in installs)
    assert f"{served_venv}/" not in test_sh


def test_readme_examples_return_demo_data(live: Any) -> None:
    """Every example URL of the README (on a live server with the demo) answers, and each with a
    filter finds something."""
    assert "Loaded 13 municipalities" in live.cli("demo")
    site = live
    urls = sorted(set(re.findall(r"<http://127\.0\.0\.1:8000(/[^>]*)>", README)))
    assert len(urls) >= 8
    for path in urls:
        r = httpx.get(site.url + path, follow_redirects=True)  # /organiser: to sign-in
        assert r.status_code == 200, (path, r.status_code)
        if path.startswith("/api/v1/events"):
            assert r.json()["items"], path
        elif path.startswith("/calendars/"):
            assert "BEGIN:VEVENT" in r.text, path
        elif path.startswith("/calendar/") and "topic=" in path:
            assert "/events/" in r.text, path
    # The curl with dates, as the shell would expand it today.
    curl = re.search(r'curl -s "http://127\.0\.0\.1:8000(/api/v1/events\?[^"]+)"', README)
    assert curl is not None
    query = curl.group(1)
    query = query.replace("$(date -I)", date.today().isoformat())
    query = query.replace("$(date -I -d '+60 days')", (date.today() + timedelta(60)).isoformat())
    assert "$(" not in query
    r = httpx.get(site.url + query)
    assert r.status_code == 200 and r.json()["items"], query
