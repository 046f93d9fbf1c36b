#!/usr/bin/env bash
# Sets up .venv (Python 3.11+) with the test extras and runs the whole suite: every database test
# on SQLite and on PostgreSQL (127.0.0.1:5432 or TRAFFPUNKT_TEST_PG_URL; skipped if none answers
# unless TRAFFPUNKT_REQUIRE_PG=1), browser tests in Debian's chromium when it is installed.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
