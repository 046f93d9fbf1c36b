#!/usr/bin/env bash
# Sets up .venv-test (Python 3.11+) with the test extras and runs the whole suite: every database
# test on SQLite and on PostgreSQL (127.0.0.1:5432 or TRAFFPUNKT_TEST_PG_URL; skipped if none
# answers unless TRAFFPUNKT_REQUIRE_PG=1), browser tests in Debian's chromium when it is installed.
#
# Its own environment, never the README's .venv: an editable install there would replace the
# installed package under a running `traffpunkt serve`, whose templates then vanish (issue 12).
# The tests' databases, mail and secrets live in temporary folders (tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=${TRAFFPUNKT_TEST_VENV:-.venv-test}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install -q -e '.[test]'
"$VENV/bin/ruff" check .
"$VENV/bin/lint-imports"  # the one-way dependencies (pyproject.toml, docs/architecture.md)
"$VENV/bin/mypy"  # strict types on the product's packages ([tool.mypy] in pyproject.toml)
exec "$VENV/bin/python" -m pytest "$@"
