"""The bench's app: the product's app plus the bench-only endpoints of `bench/routes.py`.

Served by `traffpunkt serve --app bench.app:app` (with the repository on PYTHONPATH), as
bench/list_bench.py does; the product (`traffpunkt.asgi:app`) never mounts them.
"""

from __future__ import annotations

import os

from bench.routes import ROUTES
from traffpunkt.app import create_app

app = create_app(
    run_worker=os.environ.get("TRAFFPUNKT_RUN_WORKER", "1") == "1", extra_routes=ROUTES
)
