"""The dependency rules of docs/architecture.md, read from the imports in the source.

Known exceptions are listed here by name (and in the document), so that a new one fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("events", "registrations", "networking", "notifications")
HTTP_MODULES = ("routes", "pages", "organiser_pages", "attendee_pages")
# Which domains each domain may import (their services and shared schema types).
ALLOWED = {
    "events": set(),
    "registrations": {"events", "notifications"},
    "networking": {"events", "registrations", "notifications"},
    "notifications": {"events"},
}
# docs/architecture.md, "Not yet": to be moved, not to be copied.
KNOWN_EXCEPTIONS = {
    ("events/organiser_pages.py", "registrations.service"),
    ("events/accounts.py", "notifications.service"),
}
SHELL_MAY_IMPORT_DOMAINS = {
    *("app.py", "cli.py", "demo.py"),  # the composition roots
    *("auth.py", "hooks.py", "db.py", "bench_routes.py"),  # docs/architecture.md, "Not yet"
}


def imports(path: Path) -> set[str]:
    """Every module imported by the file, at any depth (also imports inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def source_files(folder: str) -> list[Path]:
    # Also the modules of a service package (networking/service/); not the migrations.
    return [p for p in (ROOT / folder).rglob("*.py") if "piccolo_migrations" not in p.parts]


def _known(rel: str, name: str) -> bool:
    # `from notifications import service` imports both "notifications" and its "service".
    return any(
        rel == r and (name == m.split(".")[0] or name.startswith(m)) for r, m in KNOWN_EXCEPTIONS
    )


def test_http_modules_never_touch_queries_or_tables() -> None:
    for domain in DOMAINS:
        for path in source_files(domain):
            if path.stem not in HTTP_MODULES:
                continue
            bad = {
                name
                for name in imports(path)
                if name.split(".")[0] in DOMAINS
                and {"queries", "tables"} & set(name.split(".")[1:])
            }
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_domains_depend_one_way_and_only_on_services() -> None:
    problems = []
    for domain in DOMAINS:
        for path in source_files(domain):
            rel = str(path.relative_to(ROOT))
            for name in imports(path):
                parts = name.split(".")
                other = parts[0]
                if other not in DOMAINS or other == domain:
                    continue
                if _known(rel, name):
                    continue
                if "queries" in parts[1:]:
                    problems.append(f"{rel} imports {name} (another domain's queries)")
                elif "tables" in parts[1:] and path.stem != "tables":
                    problems.append(f"{rel} imports {name} (another domain's tables)")
                elif other not in ALLOWED[domain]:
                    problems.append(f"{rel} imports {name} ({domain} must not depend on {other})")
    assert problems == []


def test_shell_imports_domains_only_where_documented() -> None:
    offenders = {
        path.name
        for path in source_files("traffpunkt")
        if any(name.split(".")[0] in DOMAINS for name in imports(path))
    }
    assert offenders <= SHELL_MAY_IMPORT_DOMAINS, sorted(offenders - SHELL_MAY_IMPORT_DOMAINS)


def test_known_exceptions_are_still_real() -> None:
    """When an exception is fixed, it leaves this list (and the document)."""
    for rel, module in KNOWN_EXCEPTIONS:
        assert any(name.startswith(module) for name in imports(ROOT / rel)), (rel, module)
