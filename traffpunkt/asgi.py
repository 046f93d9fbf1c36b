"""ASGI entry point for uvicorn (`traffpunkt serve` runs this module)."""

import os

from traffpunkt.app import create_app

app = create_app(run_worker=os.environ.get("TRAFFPUNKT_RUN_WORKER", "1") == "1")
