"""One frozen settings object, read once from the environment (and an optional `.env` file).

Which settings govern the code that runs now: `current_settings()`. The app factory binds the
app's own (`create_app(settings=…)`) to every request it serves and to its lifespan (the mail
sender), through a context variable, so services stay plain async functions that take no
settings parameter and two apps in one process (tests) each answer with their own. Outside an
app (a command, a test calling a service) it is the environment's (`get_settings()`), or what
`using(settings)` binds for a block.

Paths that are not absolute are relative to the directory the process starts in (docs/api.md: the
default SQLite file and the mail folder are created under the directory `traffpunkt` runs in).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import find_dotenv, load_dotenv

# The rules alone (no database, no settings): the limits themselves are in traffpunkt/limits/.
from traffpunkt.limit_rules import from_environment

DEFAULT_TIMEZONE = "Europe/Stockholm"
SECRET_FILE_NAME = "traffpunkt-secret.key"
# A production deployment (an https:// base URL, as `back_office` also reads it) signs with a
# key of at least this many characters; `secrets.token_urlsafe(48)` (the generated one) has 64.
MIN_PRODUCTION_SECRET_LENGTH = 32
LOG_FORMATS = ("plain", "json")


class SettingsError(SystemExit):
    """A setting that cannot work, with one line that names it and says what is expected.

    A SystemExit, so that anything reading the settings outside the CLI stops with that line
    too; the CLI (`traffpunkt.cli.main`) prints it as one line and exits with status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    base_url: str
    smtp_url: str | None
    secret_key: str
    data_dir: Path
    mail_dir: Path
    mail_from: str
    organiser_mailbox: str
    default_timezone: str
    pg_pool_max_size: int
    # Processes that render mail for the sender (TRAFFPUNKT_MAIL_RENDER_PROCESSES); None: not
    # set, so `traffpunkt worker` uses the machine's cores and `traffpunkt serve` none.
    mail_render_processes: int | None = None
    # Processes for CPU-heavy requests (suggestions, meeting plans) of a web process
    # (TRAFFPUNKT_CPU_PROCESSES; traffpunkt.cpu); 0: a worker thread instead.
    cpu_processes: int = 1
    # Proxies whose X-Forwarded-For/-Proto uvicorn believes (TRAFFPUNKT_FORWARDED_ALLOW_IPS:
    # addresses or networks, comma-separated, or "*"); empty: none, the peer is the client.
    forwarded_allow_ips: str = ""
    # Seconds an idle HTTP connection stays open (TRAFFPUNKT_KEEPALIVE_TIMEOUT): longer than a
    # reverse proxy's upstream keep-alive, so the proxy never reuses one the server is closing.
    keepalive_timeout: int = 75
    # The SMTP relay offers SMTPUTF8 (TRAFFPUNKT_SMTP_UTF8=1): addresses with letters such as å
    # before the @ are then accepted. Off by default: many relays refuse such addresses.
    smtp_utf8: bool = False
    # Abuse limits in force (traffpunkt.limit_rules): rule name -> Rule; absent rules are off.
    rate_limits: Mapping[str, Any] = field(default_factory=lambda: _rate_limits({}), hash=False)
    # Log lines as text or one JSON object each (TRAFFPUNKT_LOG_FORMAT; `--log-format` wins).
    log_format: str = "plain"
    # The bearer token that opens /metrics (TRAFFPUNKT_METRICS_TOKEN); None: /metrics is off.
    metrics_token: str | None = None
    # Attendees' personal data of events that ended more than this many months ago is
    # anonymised by the sender once a day (TRAFFPUNKT_RETENTION_MONTHS; 0: never).
    retention_months: int = 24

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        """The file of a `sqlite:///relative` or `sqlite:////absolute` URL."""
        rest = self.database_url.removeprefix("sqlite://")
        rest = rest.removeprefix("/")  # sqlite:///x.db -> x.db ; sqlite:////abs -> /abs
        path = Path(rest)
        return path if path.is_absolute() else self.data_dir / path


def _secret_key(data_dir: Path) -> str:
    """The signing key: from the environment, else generated once and stored beside the data.

    Deployments with several machines must set TRAFFPUNKT_SECRET_KEY themselves (README).
    """
    if key := os.environ.get("TRAFFPUNKT_SECRET_KEY"):
        return key
    path = data_dir / SECRET_FILE_NAME
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when two processes start at once, one writes and both read the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key


def default_base_url(host: str, port: int) -> str:
    """The address `serve --host H --port P` answers on, for links and feeds when
    TRAFFPUNKT_BASE_URL is unset. Listening on every interface names no address a visitor can
    use, so that becomes 127.0.0.1 (a public server sets TRAFFPUNKT_BASE_URL; README)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 address goes in brackets in a URL
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _rate_limits(environ: Mapping[str, str]) -> dict[str, Any]:
    return from_environment(environ)


def _optional_count(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must be a whole number, 0 or more")
    return value


def _redacted_url(url: str) -> str:
    """A URL for an error message: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if _port(parts) is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return -1


def _check_database_url(url: str) -> None:
    shown = _redacted_url(url)
    if url.startswith("sqlite:"):
        if not url.startswith("sqlite:///") or not url.removeprefix("sqlite:///").strip("/"):
            raise SettingsError(
                f"TRAFFPUNKT_DATABASE_URL={shown!r}: a SQLite URL is sqlite:///relative/file.db "
                "or sqlite:////absolute/file.db"
            )
        return
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SettingsError(
            f"TRAFFPUNKT_DATABASE_URL={shown!r}: expected sqlite:///file.db or "
            "postgresql://user@host:port/database"
        )
    if _port(parts) == -1 or not parts.path.strip("/"):
        raise SettingsError(
            f"TRAFFPUNKT_DATABASE_URL={shown!r}: expected postgresql://user@host:port/database "
            "(a database name, and a port that is a number)"
        )


def _check_smtp_url(url: str) -> None:
    parts = urlsplit(url)
    shown = _redacted_url(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname or _port(parts) == -1:
        raise SettingsError(
            f"TRAFFPUNKT_SMTP_URL={shown!r}: expected smtp://host:port or "
            "smtps://user:password@host:465"
        )
    starttls = parse_qs(parts.query).get("starttls", [])
    if any(v not in ("require", "off") for v in starttls):
        raise SettingsError(f"TRAFFPUNKT_SMTP_URL={shown!r}: starttls= is require or off")


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or _port(parts) == -1
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise SettingsError(
            f"TRAFFPUNKT_BASE_URL={url!r}: expected the absolute address people open, "
            "e.g. https://evenemang.kommun.se"
        )


def _check_forwarded(value: str) -> None:
    for item in filter(None, (v.strip() for v in value.split(","))):
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"TRAFFPUNKT_FORWARDED_ALLOW_IPS: {item!r} is not an address or network "
                "(e.g. 127.0.0.1, 10.0.0.0/8, or *)"
            ) from None


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} must be a whole number, 1 or more")
    return int(raw)


def _retention_months() -> int:
    raw = os.environ.get("TRAFFPUNKT_RETENTION_MONTHS", "").strip().lower()
    if raw in ("", "on"):
        return 24
    if raw == "off":
        return 0
    if not raw.isdigit() or int(raw) > 1200:
        raise SettingsError(
            f"TRAFFPUNKT_RETENTION_MONTHS={raw!r}: expected months (e.g. 24), or off"
        )
    return int(raw)


def validate(settings: Settings) -> Settings:
    """Every setting checked against what the code can work with (SettingsError if not)."""
    _check_database_url(settings.database_url)
    _check_base_url(settings.base_url)
    if settings.smtp_url is not None:
        _check_smtp_url(settings.smtp_url)
    if "@" not in parseaddr(settings.mail_from)[1]:
        raise SettingsError(
            f"TRAFFPUNKT_MAIL_FROM={settings.mail_from!r}: expected an address, "
            "e.g. 'Träffpunkt <noreply@kommun.se>'"
        )
    if "@" not in parseaddr(settings.organiser_mailbox)[1]:
        raise SettingsError(
            f"TRAFFPUNKT_ORGANISER_MAILBOX={settings.organiser_mailbox!r}: expected an address"
        )
    _check_forwarded(settings.forwarded_allow_ips)
    if settings.log_format not in LOG_FORMATS:
        raise SettingsError(
            f"TRAFFPUNKT_LOG_FORMAT={settings.log_format!r}: expected plain or json"
        )
    production = settings.base_url.startswith("https://")
    if production and len(settings.secret_key) < MIN_PRODUCTION_SECRET_LENGTH:
        raise SettingsError(
            f"TRAFFPUNKT_SECRET_KEY has {len(settings.secret_key)} characters; a server with an "
            f"https:// base URL needs at least {MIN_PRODUCTION_SECRET_LENGTH} "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if settings.metrics_token is not None and len(settings.metrics_token) < 16:
        raise SettingsError(
            "TRAFFPUNKT_METRICS_TOKEN is shorter than 16 characters; use a random one "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return settings


def load_settings() -> Settings:
    """Read the environment now (tests call this after changing it)."""
    # The .env of the directory `traffpunkt` runs in (or a parent), like the data files; by
    # default python-dotenv would search from this module's folder, i.e. inside the installed
    # package, and find a service's .env only when its virtualenv happens to sit beside it.
    load_dotenv(find_dotenv(usecwd=True), override=False)
    data_dir = Path(os.environ.get("TRAFFPUNKT_DATA_DIR", ".")).resolve()
    timezone = os.environ.get("TRAFFPUNKT_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"TRAFFPUNKT_TIMEZONE={timezone!r} is not a known time zone") from exc
    mail_from = os.environ.get("TRAFFPUNKT_MAIL_FROM", "Träffpunkt <noreply@traffpunkt.local>")
    mail_dir = Path(os.environ.get("TRAFFPUNKT_MAIL_DIR", "mail-outbox"))
    cpu_processes = _optional_count("TRAFFPUNKT_CPU_PROCESSES")
    try:
        rate_limits = _rate_limits(os.environ)
    except SettingsError:
        raise
    except SystemExit as exc:  # traffpunkt.limit_rules says what is wrong
        raise SettingsError(str(exc.code)) from None
    return validate(
        Settings(
            database_url=os.environ.get("TRAFFPUNKT_DATABASE_URL", "sqlite:///traffpunkt.db"),
            base_url=os.environ.get("TRAFFPUNKT_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            smtp_url=os.environ.get("TRAFFPUNKT_SMTP_URL") or None,
            secret_key=_secret_key(data_dir),
            data_dir=data_dir,
            mail_dir=mail_dir if mail_dir.is_absolute() else data_dir / mail_dir,
            mail_from=mail_from,
            organiser_mailbox=os.environ.get(
                "TRAFFPUNKT_ORGANISER_MAILBOX", "noreply@traffpunkt.local"
            ),
            default_timezone=timezone,
            pg_pool_max_size=_positive("TRAFFPUNKT_PG_POOL_MAX_SIZE", 20),
            mail_render_processes=_optional_count("TRAFFPUNKT_MAIL_RENDER_PROCESSES"),
            cpu_processes=1 if cpu_processes is None else cpu_processes,
            forwarded_allow_ips=os.environ.get("TRAFFPUNKT_FORWARDED_ALLOW_IPS", "").strip(),
            keepalive_timeout=_optional_count("TRAFFPUNKT_KEEPALIVE_TIMEOUT") or 75,
            smtp_utf8=os.environ.get("TRAFFPUNKT_SMTP_UTF8", "").strip().lower() in ("1", "true"),
            rate_limits=rate_limits,
            log_format=os.environ.get("TRAFFPUNKT_LOG_FORMAT", "plain").strip().lower() or "plain",
            metrics_token=os.environ.get("TRAFFPUNKT_METRICS_TOKEN", "").strip() or None,
            retention_months=_retention_months(),
        )
    )


@functools.cache
def get_settings() -> Settings:
    return load_settings()


_current: ContextVar[Settings | None] = ContextVar("traffpunkt_settings", default=None)


def current_settings() -> Settings:
    """The settings in force: the serving app's (bound per request and in its lifespan by
    `traffpunkt.app`), else those bound by `using`, else the environment's."""
    return _current.get() or get_settings()


@contextmanager
def using(settings: Settings) -> Iterator[Settings]:
    """Bind `settings` for the block (and the tasks it starts)."""
    token = _current.set(settings)
    try:
        yield settings
    finally:
        _current.reset(token)
