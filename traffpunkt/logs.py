"""Log lines without secrets or personal data, in every process (serve, worker, tests).

A log line may carry a request path (`/r/<manage token>`), an exception's text (a mail address
the renderer choked on), a header (`Bearer …`) or a URL with credentials. `RedactFilter` rewrites
each record before any handler sees it:

- the secret segment of token paths (`/r/…`, `/api/v1/registrations/…`, `/organiser/sign-in/…`)
  and any other secret-shaped word (22+ URL-safe characters mixing upper and lower case with a
  digit, `-` or `_`: what `secrets.token_urlsafe` makes), ticket codes (`TP1…`);
- values of secret query parameters (`token=`, `invite=`, `secret=`, …) and bearer tokens;
- user:password in URLs;
- mail addresses, keeping the domain (`***@asele.se`), which is what one needs to tell a
  municipality's mail server problem from a typo.

It is installed as the record factory's last step (`install()`), so it covers every handler,
present or added later: ours, uvicorn's error and access logs, pytest's capture. `config()` is
the logging configuration `traffpunkt serve` hands to uvicorn (every web process applies it)
and `traffpunkt worker` applies.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

REDACTED = "***"

_RULES: list[tuple[re.Pattern[str], str]] = [
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.I), rf"\1{REDACTED}@"),
    # the secret segment of a path whose last part is a token
    (
        # (a token is 16+ URL-safe characters; a file such as registrations/pages.py is not)
        re.compile(
            r"(/r/|/registrations/|/sign-in/|/door-tokens/|/invitations/|/certificates?/)"
            r"[A-Za-z0-9_-]{16,}(?=[/?#&;\s\"'<>),]|$)"
        ),
        rf"\1{REDACTED}",
    ),
    # ?token=…&invite=… (and the same in a form body or a fragment)
    (
        re.compile(
            r"([?&;#](?:token|invite|secret|key|code|password|passwd|door|session|signature|sig"
            r"|access_token|csrftoken|_csrf_token)=)[^&\s#\"'<>]*",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"\b(bearer\s+)[^\s,\"']+", re.I), rf"\1{REDACTED}"),
    (re.compile(r"\bTP1[A-Z2-7]{16,}"), f"TP1{REDACTED}"),
    # secrets.token_urlsafe-shaped words (a slug, a UUID, a sha256 in hex or a class name is not)
    (
        re.compile(
            r"(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*[0-9_-])[A-Za-z0-9_-]{22,}(?![\w-])"
        ),
        REDACTED,
    ),
    # mail addresses: keep the domain
    (
        re.compile(r"[^\s@<>\"'(),;:\[\]/\\]+@((?:[\w-]+\.)+[\w-]+)"),
        rf"{REDACTED}@\1",
    ),
]


# What each rule's text must contain before its pattern can match: cheap `in` tests that skip
# most rules for most lines (every request logs one; the patterns cost ~10 µs each to run).
_WORD_16 = re.compile(r"[\w-]{16,}")
_WORD_22 = re.compile(r"[\w-]{22,}")
_TOKEN_PATHS = ("/r/", "/registrations/", "/sign-in/", "/door-tokens/", "/invitations/", "/certif")
_PARAMETER = re.compile(r"[?&;#][\w-]+=")
_NEEDS: list[Any] = [
    lambda t: "://" in t and "@" in t,
    lambda t: any(p in t for p in _TOKEN_PATHS) and _WORD_16.search(t) is not None,
    lambda t: "=" in t and _PARAMETER.search(t) is not None,
    lambda t: "bearer" in t.lower(),
    lambda t: "TP1" in t,
    lambda t: _WORD_22.search(t) is not None,
    lambda t: "@" in t,
]


def redact(text: str) -> str:
    for (pattern, replacement), needed in zip(_RULES, _NEEDS, strict=True):
        if needed(text):
            text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: Any) -> Any:
    if value is None or isinstance(value, (int, float)):  # keeps %d and %.1f working
        return value
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactFilter(logging.Filter):
    """Redacts a record's message, arguments, exception and stack text in place."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        record.msg = redact(record.msg if isinstance(record.msg, str) else str(record.msg))
        if isinstance(record.args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        elif record.args:
            # keeps the shape: uvicorn's access formatter unpacks exactly five arguments
            record.args = tuple(_redact_arg(v) for v in record.args)
        if record.exc_info and not record.exc_text:
            # Formatters use exc_text when it is set, so the traceback is printed redacted.
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True
        return True


REDACT = RedactFilter()
_installed = False


def install() -> None:
    """Redact every record as it is made (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        REDACT.filter(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (`--log-format json`): `time` (UTC, ISO 8601), `level`,
    `logger`, `message`, the record's own `fields` (a request's method, route, status,
    duration_ms and request_id: `traffpunkt.request_log`) and `exception` when there is one.
    Message and exception are redacted by `RedactFilter`; string fields are redacted here."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            for key, value in fields.items():
                entry.setdefault(str(key), redact(value) if isinstance(value, str) else value)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = redact(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def config(level: str = "INFO", log_format: str = "plain") -> dict[str, Any]:
    """dictConfig for `traffpunkt serve` (given to uvicorn, which applies it in every web
    process) and `traffpunkt worker`: our format on the root logger, uvicorn's on its own,
    and the redacting filter on every handler as well (records made before `install()`).
    `log_format` "json": every line of ours and uvicorn's is a JSON object."""
    formatter = "json" if log_format == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "traffpunkt.logs.RedactFilter"}},
        "formatters": {
            "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
            "json": {"()": "traffpunkt.logs.JsonFormatter"},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
                "use_colors": False,
            },
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "stream": "ext://sys.stderr",
                "filters": ["redact"],
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json" if formatter == "json" else "access",
                "stream": "ext://sys.stdout",
                "filters": ["redact"],
            },
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
    }
