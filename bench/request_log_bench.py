"""What one request's log line and metrics cost (traffpunkt/request_log.py, logs.py, metrics.py):
the access line through the redaction filter and the configured handler (written to /dev/null),
plus the request counter and latency histogram. Prints medians of 7 runs, in µs per request.

    .venv/bin/python bench/request_log_bench.py
"""

from __future__ import annotations

import logging
import logging.config
import os
import statistics
import sys
import timeit

from traffpunkt import logs, metrics, request_log

N = 5000


def main() -> None:
    sys.stderr = open(os.devnull, "w")  # the handler's stream: measure formatting, not a tty
    logs.install()
    metrics.install()
    scope = {"type": "http", "method": "GET", "path": "/r/x", "path_template": "/r/{token}"}
    unmatched = {"type": "http", "method": "GET", "path": "/no/such/" + "Ab1-" * 8}
    for log_format in ("plain", "json"):
        logging.config.dictConfig(logs.config(log_format=log_format))
        for name, s in (("route template", scope), ("unmatched path", unmatched)):
            runs = timeit.repeat(
                lambda s=s: request_log._finish(s, "0123456789abcdef", 200, 0.0031),
                number=N,
                repeat=7,
            )
            median = statistics.median(runs) / N * 1e6
            print(f"{log_format:5} {name:15} {median:6.1f} µs per request", file=sys.stdout)
    runs = timeit.repeat(
        lambda: metrics.observe("GET", "/r/{token}", 200, 0.003), number=N, repeat=7
    )
    print(f"metrics only            {statistics.median(runs) / N * 1e6:6.1f} µs", file=sys.stdout)


if __name__ == "__main__":
    main()
