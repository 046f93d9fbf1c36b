"""ASGI entry point for uvicorn (`traffpunkt serve` runs this module)."""

import gc
import os

from traffpunkt.app import create_app

app = create_app(run_worker=os.environ.get("TRAFFPUNKT_RUN_WORKER", "1") == "1")

# What exists now (modules, the app, its routes, handlers and schemas) lives as long as the
# process: out of the cyclic collector's sight, so that a full collection walks only what
# requests made. Measured under load: a full collection stalled every request in flight for
# 200 ms before, 24 ms after (bench/REGISTRATIONS.md). What start-up left as garbage is freed
# first, or it would stay for good.
gc.collect()
gc.freeze()
