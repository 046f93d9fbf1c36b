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
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import find_dotenv, load_dotenv

# The rules alone (no database, no settings): the limits themselves are in traffpunkt/limits/.
from traffpunkt.limit_rules import from_environment

DEFAULT_TIMEZONE = "Europe/Stockholm"
SECRET_FILE_NAME = "traffpunkt-secret.key"


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
        raise SystemExit(f"{name}={raw!r} must be a whole number, 0 or more")
    return value


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
        raise SystemExit(f"TRAFFPUNKT_TIMEZONE={timezone!r} is not a known time zone") from exc
    mail_from = os.environ.get("TRAFFPUNKT_MAIL_FROM", "Träffpunkt <noreply@traffpunkt.local>")
    mail_dir = Path(os.environ.get("TRAFFPUNKT_MAIL_DIR", "mail-outbox"))
    cpu_processes = _optional_count("TRAFFPUNKT_CPU_PROCESSES")
    return Settings(
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
        pg_pool_max_size=int(os.environ.get("TRAFFPUNKT_PG_POOL_MAX_SIZE", "20")),
        mail_render_processes=_optional_count("TRAFFPUNKT_MAIL_RENDER_PROCESSES"),
        cpu_processes=1 if cpu_processes is None else cpu_processes,
        forwarded_allow_ips=os.environ.get("TRAFFPUNKT_FORWARDED_ALLOW_IPS", "").strip(),
        keepalive_timeout=_optional_count("TRAFFPUNKT_KEEPALIVE_TIMEOUT") or 75,
        smtp_utf8=os.environ.get("TRAFFPUNKT_SMTP_UTF8", "").strip().lower() in ("1", "true"),
        rate_limits=_rate_limits(os.environ),
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
