"""Every text people read has a Swedish translation, through the one catalog mechanism."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir

from traffpunkt import i18n

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = (
    "traffpunkt",
    "events",
    "registrations",
    "networking",
    "notifications",
    "surveys",
    "evaluations",
    "reports",
    "planning",
)
# Callables whose string-literal arguments are message ids.
MESSAGE_CALLS = {
    "NotFound",
    "Conflict",
    "Invalid",
    "Forbidden",
    "Unauthorized",
    "field",
    "FieldError",
    "gettext",
    "_",
    "ngettext",
    "DomainError",
    "N_",
}


def python_messages() -> set[str]:
    found: set[str] = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in MESSAGE_CALLS:
                    continue
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        # The first literal of FieldError/field is the field name, not text.
                        if name in {"FieldError", "field"} and arg is node.args[0]:
                            continue
                        if name == "gettext" and arg is node.args[0] and len(node.args) > 1:
                            continue  # gettext(lang, message)
                        if name == "ngettext" and arg is not node.args[0]:
                            continue  # the plural form is checked with its singular
                        found.add(arg.value)
    return found


def template_messages() -> set[str]:
    found: set[str] = set()
    method_map = [("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2")]
    options = {"**/templates/**": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    for folder in SOURCE_DIRS:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=method_map, options_map=options
        ):
            if isinstance(message, tuple):
                found.add(message[0])  # plural forms live under the singular
            elif message:
                found.add(message)
    return found


def test_every_message_has_a_swedish_translation() -> None:
    catalog = i18n.translations("sv")._catalog
    messages = python_messages() | template_messages()
    assert len(messages) > 40  # the extraction itself works
    missing = sorted(m for m in messages if not (catalog.get(m) or catalog.get((m, 0))))
    assert missing == [], (
        "add these to traffpunkt/locale/sv/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_swedish_is_default_and_english_is_identity() -> None:
    assert i18n.gettext("xx", "When") == "När"
    assert i18n.gettext("en", "When") == "When"


def test_error_page_titles_have_swedish() -> None:
    """Error pages show the exception's title: each one has a Swedish translation."""
    import traffpunkt.http  # noqa: F401  (defines UnsupportedMediaType)
    from traffpunkt.errors import DomainError

    classes = [DomainError, *DomainError.__subclasses__()]
    for cls in classes:
        assert i18n.gettext("sv", cls.title) != cls.title, cls.title
