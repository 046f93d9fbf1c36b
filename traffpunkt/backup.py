"""`traffpunkt backup PATH` and `traffpunkt restore PATH`: the whole database in one file.

- SQLite: Python's `sqlite3` online backup API. The copy is made in one step under a read
  transaction, so it is a consistent snapshot taken while `serve` goes on writing (WAL mode:
  readers never block the writer), and written to `PATH.partial` first, then renamed. Restore
  copies the file back through the same API into the configured database.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, also while serving) and
  `pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error`, which
  replaces every object of the dump in the configured database, all or nothing. They are
  PostgreSQL's client tools: without them on PATH the command says how to get them.

Restore replaces the data the service has: stop `serve` and every `worker` first. The secret key
(`traffpunkt-secret.key` or TRAFFPUNKT_SECRET_KEY) is not in the database; keep it with the
backups (without it, the links in mail already sent stop working).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from traffpunkt.settings import Settings

POSTGRES_TOOLS_HINT = (
    "install PostgreSQL's client tools, of the server's major version or newer "
    "(Debian: apt-get install postgresql-client)"
)


class BackupError(Exception):
    """What went wrong, in one line for the operator."""


def backup(settings: Settings, path: Path) -> str:
    """Write the configured database to `path`; returns what was written (for the CLI)."""
    path = path.resolve()
    if settings.is_sqlite:
        _sqlite_copy(settings.sqlite_path, path, into_live=False)
    else:
        _run_tool(
            "pg_dump",
            [
                "--format=custom",
                "--no-owner",
                f"--file={path}",
                f"--dbname={settings.database_url}",
            ],
        )
    return f"Backup written to {path} ({path.stat().st_size} bytes)"


def restore(settings: Settings, path: Path) -> str:
    """Replace the configured database's content with the backup at `path`."""
    path = path.resolve()
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if settings.is_sqlite:
        _check_sqlite_file(path)
        _sqlite_copy(path, settings.sqlite_path, into_live=True)
    else:
        _run_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings.database_url}",
                str(path),
            ],
        )
    return f"Restored {path}"


def _check_sqlite_file(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc})") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")


def _sqlite_copy(source: Path, target: Path, *, into_live: bool) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such SQLite database")
    # Into a new file: written beside the target and renamed, so a backup file is whole or
    # absent. Into the live database: through its own connection (the API takes its lock).
    partial = target if into_live else target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial, timeout=30)
        try:
            # pages=-1: one step, under one read transaction: a consistent snapshot. (In
            # several steps, every write by another connection would restart the copy.)
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from None
    finally:
        src.close()
    if not into_live:
        os.replace(partial, target)


def _run_tool(tool: str, args: list[str]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} not found on PATH: {POSTGRES_TOOLS_HINT}")
    result = subprocess.run([executable, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        from traffpunkt.logs import redact  # the URL's password must not reach the terminal

        detail = redact(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
        raise BackupError(f"{tool} failed (exit {result.returncode}): {detail}")
