"""`GET /metrics`: Prometheus text format, through the `prometheus-client` library.

Off unless `TRAFFPUNKT_METRICS_TOKEN` is set: then a scrape must send
`Authorization: Bearer <token>` (401 otherwise); without the setting `/metrics` is a 404. Not
"localhost only": behind a reverse proxy on the same machine every request comes from
localhost, so that would open the figures to the world.

Figures of this process (counted as requests are answered, `traffpunkt.request_log`):
- `traffpunkt_http_requests_total{method,route,status}`: answers by route *template*
  (`/r/{token}`, never a path with its secret; `(unmatched)` for no route) and status;
- `traffpunkt_http_request_duration_seconds{route}`: latency histogram per route template;
- `traffpunkt_db_pool_connections{state}` (PostgreSQL): `in_use`, `open` and `max` of this
  process's asyncpg pool.

Figures of the whole deployment, read from the database at scrape time (a few indexed
aggregates; `provide_figures` in `traffpunkt.app` wires the domains' services), so they are
right however many web processes and senders there are, and the same from each:
- `traffpunkt_outbox_messages{state}`: `waiting` (pending or being sent) and `failed`;
- `traffpunkt_outbox_oldest_waiting_seconds`: age of the oldest mail not yet sent;
- `traffpunkt_mail_failures_total`: messages given up for good (refused, or out of attempts);
- `traffpunkt_checkin_scans_total{result}`: check-in scans received, by answer (`ok` = a
  check-in): `rate(...[5m]) * 60` is check-ins per minute.

Several web processes (`serve --workers N`): each has its own request counters, and a scrape
reaches one of them. Set `PROMETHEUS_MULTIPROC_DIR` to an empty directory for `serve` (it is
emptied at start) and the library's multiprocess mode sums the processes' counters and
histograms at every scrape; or run one `serve` per port and scrape each.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from traffpunkt import db, request_log
from traffpunkt.errors import NotFound, Unauthorized
from traffpunkt.settings import current_settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# This process's request figures (in multiprocess mode the library writes them to files).
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "traffpunkt_http_requests",
    "HTTP answers by method, route template and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "traffpunkt_http_request_duration_seconds",
    "Time to answer, by route template",
    ["route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    # A method a client invents must not become a new time series (cardinality).
    REQUESTS.labels(method if method in _METHODS else "OTHER", route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def install() -> None:
    """Count every request (idempotent; `create_app` calls it)."""
    if observe not in request_log.observers:
        request_log.observers.append(observe)


# --- figures of the deployment, from the database --------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    help: str
    kind: str  # "gauge" or "counter"
    value: float
    labels: tuple[tuple[str, str], ...] = ()


FigureSource = Callable[[], Awaitable[list[Figure]]]
_sources: list[FigureSource] = []


def provide_figures(source: FigureSource) -> None:
    """Register an async source of deployment figures, read at every scrape (the composition
    root wires the domains' services here; this module may not import them)."""
    if source not in _sources:
        _sources.append(source)


class _Snapshot:
    """A collector of figures read for one scrape."""

    def __init__(self, figures: list[Figure]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Any] = {}
        for f in self.figures:
            family = families.get(f.name)
            if family is None:
                kind = CounterMetricFamily if f.kind == "counter" else GaugeMetricFamily
                family = families[f.name] = kind(f.name, f.help, labels=[k for k, _ in f.labels])
            family.add_metric([v for _, v in f.labels], f.value)
        yield from families.values()


class _ThisProcess:
    """This process's request figures, for a registry built per scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _pool_figures() -> list[Figure]:
    try:
        usage = db.pool_usage(db.engine())
    except RuntimeError:  # no engine bound (a process that serves nothing)
        return []
    if usage is None:
        return []
    name, text = "traffpunkt_db_pool_connections", "This process's PostgreSQL pool"
    return [
        Figure(name, text, "gauge", float(n), (("state", state),))
        for state, n in zip(("in_use", "open", "max"), usage, strict=True)
    ]


async def exposition() -> bytes:
    """The text a scrape gets: request figures (this process's, or every process's in
    multiprocess mode), the pool, and the deployment's figures from the database."""
    figures = _pool_figures()
    for source in _sources:
        figures.extend(await source())
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # (not annotated)
    else:
        registry.register(_ThisProcess())
    registry.register(_Snapshot(figures))
    return generate_latest(registry)


def clear_multiprocess_dir() -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR (`serve` at start): counts of processes gone before are
    not this run's."""
    path = os.environ.get(MULTIPROC_ENV)
    if not path:
        return
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    token = current_settings().metrics_token
    if token is None:
        raise NotFound("Not found")
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        raise Unauthorized("Send the metrics token: Authorization: Bearer <token>")
    return Response(
        await exposition(),
        # The classic text format every Prometheus reads (generate_latest writes it); Litestar
        # adds the charset.
        media_type="text/plain; version=0.0.4",
        headers={"Cache-Control": "no-store"},
    )


ROUTES = [metrics]
