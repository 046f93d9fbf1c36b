"""The `traffpunkt` command: serve, migrate, demo, worker, backup, restore, token.

Each command imports what it needs when it runs (there is no import cycle behind it): `migrate`
must not load the app and its domains, and `--help` stays quick."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import logging.config
import os
import sys
from typing import Any

from traffpunkt.settings import Settings, SettingsError, default_base_url, get_settings


def _prepare_environment() -> None:
    # Piccolo finds its configuration by module name; ours ships with the package.
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")


async def migrate(quiet: bool = False) -> None:
    """Apply every domain's migrations, one process at a time (`traffpunkt.migrations`: an
    advisory lock on PostgreSQL, a lock file beside a SQLite database): processes that start
    together wait for the first, then find nothing left to do."""
    _prepare_environment()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    import piccolo_conf
    from traffpunkt import db
    from traffpunkt.app import app_tables
    from traffpunkt.migrations import migration_lock

    settings = get_settings()
    engine = piccolo_conf.DB
    db.bind(engine, app_tables())
    if settings.is_sqlite:
        engine.prepare_file()  # type: ignore[attr-defined]
    try:
        async with migration_lock(
            settings.database_url, settings.sqlite_path if settings.is_sqlite else None
        ):
            out = io.StringIO()
            with contextlib.redirect_stdout(out if quiet else sys.stdout):
                result = await run_forwards("all")
            if not result.success:
                sys.stdout.write(out.getvalue())
                raise SystemExit(f"migration failed: {result.message}")
    finally:
        await db.stop(engine)


async def pending_migrations() -> list[tuple[str, str]]:
    """The shipped migrations the configured database has not applied (all of them when it
    was never migrated)."""
    from traffpunkt import migrations

    async def run() -> list[tuple[str, str]]:
        try:
            return await migrations.pending()
        except Exception as exc:
            if "migration" in str(exc).lower():  # no migration table: never migrated
                return list(migrations.shipped())
            raise

    return list(await _with_engine(run))


async def _with_engine(coro_fn: Any, *args: Any) -> Any:
    from traffpunkt import db
    from traffpunkt.app import app_tables

    settings = get_settings()
    engine = db.make_engine(settings.database_url, settings.data_dir)
    db.bind(engine, app_tables())
    await db.start(engine, 4)
    try:
        return await coro_fn(*args)
    finally:
        await db.stop(engine)


def cmd_migrate(args: argparse.Namespace) -> None:
    if args.check:
        # For deploy pipelines: 0 when the database is current, 1 and the list otherwise.
        missing = asyncio.run(pending_migrations())
        if not missing:
            print("Migrations are current.")
            return
        print(f"{len(missing)} migrations pending:")
        for app_name, migration_id in missing:
            print(f"  {app_name} {migration_id}")
        raise SystemExit(1)
    asyncio.run(migrate())
    print("Migrations applied.")


def cmd_backup(args: argparse.Namespace) -> None:
    from pathlib import Path

    from traffpunkt import backup

    try:
        print(backup.backup(get_settings(), Path(args.path)))
    except backup.BackupError as exc:
        raise SystemExit(f"traffpunkt backup: {exc}") from None
    print("Keep the secret key (traffpunkt-secret.key or TRAFFPUNKT_SECRET_KEY) with it.")


def cmd_restore(args: argparse.Namespace) -> None:
    from pathlib import Path

    from traffpunkt import backup

    try:
        print(backup.restore(get_settings(), Path(args.path)))
    except backup.BackupError as exc:
        raise SystemExit(f"traffpunkt restore: {exc}") from None
    # A backup of an older version: bring it up to this one's schema.
    asyncio.run(migrate(quiet=True))
    print("Migrations applied. Start serve and the workers again.")


def cmd_demo(args: argparse.Namespace) -> None:
    from traffpunkt.demo import load_demo

    asyncio.run(migrate(quiet=True))
    summary = asyncio.run(_with_engine(load_demo))
    print(summary)


def cmd_token_create(args: argparse.Namespace) -> None:
    from accounts import service as accounts
    from events import organisers

    async def run() -> str:
        organiser_id = await organisers.ensure_organiser(args.email, args.role, args.municipality)
        _, token = await accounts.create_token(organiser_id, label=args.label or "cli")
        return token

    asyncio.run(migrate(quiet=True))
    try:
        token = asyncio.run(_with_engine(run))
    except Exception as exc:  # a DomainError: say it plainly, no traceback
        from traffpunkt.errors import DomainError

        if isinstance(exc, DomainError):
            raise SystemExit(f"error: {exc.detail.format(**exc.params)}") from None
        raise
    print(f"API token for {args.email} ({args.role}); it is shown only once:")
    print(token)


def log_format(args: argparse.Namespace, settings: Settings) -> str:
    """`--log-format` wins over TRAFFPUNKT_LOG_FORMAT."""
    return getattr(args, "log_format", None) or settings.log_format


def uvicorn_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """How `traffpunkt serve` runs uvicorn (the flags win over the environment)."""
    from traffpunkt import logs

    return {
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "log_level": "warning",
        # every web process redacts its log lines, in the format asked for
        "log_config": logs.config(log_format=log_format(args, settings)),
        "access_log": False,
        # request.client and the scheme (Secure cookies, rate limits) come from
        # X-Forwarded-For/-Proto only when the peer is a proxy we were told to trust.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        # Longer than a reverse proxy's upstream keep-alive (README): otherwise the proxy may
        # reuse a connection in the instant uvicorn closes it, and that request gets no answer.
        "timeout_keep_alive": args.keepalive_timeout or settings.keepalive_timeout,
        "timeout_graceful_shutdown": 10,
    }


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from traffpunkt import logs, metrics

    settings = get_settings()  # reads .env too, so a BASE_URL set there counts as set
    if not os.environ.get("TRAFFPUNKT_BASE_URL"):
        # Links and feeds name the address this server answers on; the environment carries it
        # to uvicorn's worker processes, and the cached settings are read again with it.
        os.environ["TRAFFPUNKT_BASE_URL"] = default_base_url(args.host, args.port)
        get_settings.cache_clear()
        settings = get_settings()
    logs.install()
    asyncio.run(migrate(quiet=True))
    metrics.clear_multiprocess_dir()  # PROMETHEUS_MULTIPROC_DIR: this run's counts only
    db_label = f"SQLite file {settings.sqlite_path}" if settings.is_sqlite else "PostgreSQL"
    print(f"Träffpunkt on http://{args.host}:{args.port} ({db_label})", flush=True)
    print(f"Links and feeds say {settings.base_url}", flush=True)
    os.environ["TRAFFPUNKT_RUN_WORKER"] = "0" if args.no_worker else "1"
    uvicorn.run(args.app, **uvicorn_options(args, settings))


def cmd_worker(args: argparse.Namespace) -> None:
    import signal

    from notifications.worker import Sender, default_render_processes
    from traffpunkt import logs

    logs.install()
    logging.config.dictConfig(logs.config(log_format=log_format(args, get_settings())))
    asyncio.run(migrate(quiet=True))

    from traffpunkt import app

    async def run() -> None:
        app.wire()
        settings = get_settings()
        processes = settings.mail_render_processes
        sender = Sender(
            settings,
            periodic=app.periodic_jobs(),
            render_processes=default_render_processes() if processes is None else processes,
        )
        print(f"Mail: {sender.describe()}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, sender.stop)
        await sender.run()

    asyncio.run(_with_engine(run))


def _log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=["plain", "json"],
        default=None,
        help="log lines as text or one JSON object each (default: TRAFFPUNKT_LOG_FORMAT or plain)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="traffpunkt", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then serve the web app (and the mail sender)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="web processes (PostgreSQL only)")
    serve.add_argument("--no-worker", action="store_true", help="do not run the mail sender here")
    serve.add_argument(
        "--keepalive-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="close idle connections after this long (default: TRAFFPUNKT_KEEPALIVE_TIMEOUT "
        "or 75); keep a reverse proxy's upstream keep-alive shorter",
    )
    _log_format_option(serve)
    # Another ASGI app built by create_app: the bench serves bench.app:app (its own endpoints).
    serve.add_argument("--app", default="traffpunkt.asgi:app", help=argparse.SUPPRESS)
    serve.set_defaults(func=cmd_serve)

    migrate_cmd = sub.add_parser("migrate", help="apply database migrations")
    migrate_cmd.add_argument(
        "--check",
        action="store_true",
        help="apply nothing: exit 0 when every migration is applied, else 1 and the list",
    )
    migrate_cmd.set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="load demo municipalities, venues and events").set_defaults(
        func=cmd_demo
    )
    worker = sub.add_parser("worker", help="run the mail sender on its own")
    _log_format_option(worker)
    worker.set_defaults(func=cmd_worker)

    backup_cmd = sub.add_parser(
        "backup", help="write the database to a file (SQLite online backup, or pg_dump)"
    )
    backup_cmd.add_argument("path", help="the backup file to write")
    backup_cmd.set_defaults(func=cmd_backup)
    restore_cmd = sub.add_parser(
        "restore",
        help="replace the database's content with a backup (stop serve and workers first)",
    )
    restore_cmd.add_argument("path", help="a file written by `traffpunkt backup`")
    restore_cmd.set_defaults(func=cmd_restore)

    token = sub.add_parser("token", help="organiser API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="create an organiser if needed, print a token")
    create.add_argument("--email", required=True)
    create.add_argument("--role", choices=["admin", "organiser"], required=True)
    create.add_argument("--municipality", help="slug of a municipality the organiser runs")
    create.add_argument("--label", help="what the token is for")
    create.set_defaults(func=cmd_token_create)
    return parser


def main(argv: list[str] | None = None) -> None:
    _prepare_environment()
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()  # every setting checked (traffpunkt.settings.validate)
    except SettingsError as exc:
        # One line a service manager's journal shows as it is, and status 2 (a usage error:
        # restarting will not help) rather than a traceback.
        print(f"traffpunkt: configuration error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    if getattr(args, "workers", 1) > 1 and settings.is_sqlite:
        raise SystemExit("--workers > 1 needs PostgreSQL (SQLite is one process)")
    args.func(args)


if __name__ == "__main__":
    main()
