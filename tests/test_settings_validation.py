"""Bad configuration stops `traffpunkt serve`, `worker` and `migrate` before they start, with one
line on stderr that names the setting (and never prints a password), and exit status 2; the
defaults of the README's first command pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAFFPUNKT_")}
    env.update(TRAFFPUNKT_DATA_DIR=str(tmp_path), PICCOLO_CONF="piccolo_conf", **settings)
    return env


def _run(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "traffpunkt", *args],
        env=_env(tmp_path, **settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


BAD = [
    ({"TRAFFPUNKT_DATABASE_URL": "mysql://db/traffpunkt"}, "TRAFFPUNKT_DATABASE_URL"),
    ({"TRAFFPUNKT_DATABASE_URL": "sqlite://traffpunkt.db"}, "TRAFFPUNKT_DATABASE_URL"),
    ({"TRAFFPUNKT_DATABASE_URL": "postgresql://u:hunter2hunter2@db:5432/"}, "database name"),
    ({"TRAFFPUNKT_DATABASE_URL": "postgresql://db:port/traffpunkt"}, "TRAFFPUNKT_DATABASE_URL"),
    ({"TRAFFPUNKT_SMTP_URL": "smtp.kommun.se:587"}, "TRAFFPUNKT_SMTP_URL"),
    ({"TRAFFPUNKT_SMTP_URL": "smtps://u:hunter2hunter2@:465"}, "TRAFFPUNKT_SMTP_URL"),
    ({"TRAFFPUNKT_SMTP_URL": "smtp://mail:25?starttls=maybe"}, "starttls"),
    ({"TRAFFPUNKT_BASE_URL": "evenemang.kommun.se"}, "TRAFFPUNKT_BASE_URL"),
    ({"TRAFFPUNKT_BASE_URL": "ftp://evenemang.kommun.se"}, "TRAFFPUNKT_BASE_URL"),
    (
        {"TRAFFPUNKT_BASE_URL": "https://evenemang.kommun.se", "TRAFFPUNKT_SECRET_KEY": "short"},
        "TRAFFPUNKT_SECRET_KEY has 5 characters",
    ),
    ({"TRAFFPUNKT_TIMEZONE": "Europe/Umeå"}, "TRAFFPUNKT_TIMEZONE"),
    ({"TRAFFPUNKT_PG_POOL_MAX_SIZE": "0"}, "TRAFFPUNKT_PG_POOL_MAX_SIZE"),
    ({"TRAFFPUNKT_FORWARDED_ALLOW_IPS": "proxy.local"}, "TRAFFPUNKT_FORWARDED_ALLOW_IPS"),
    ({"TRAFFPUNKT_RATE_LIMIT_SIGNUP_PER_CLIENT": "lots"}, "SIGNUP_PER_CLIENT"),
    ({"TRAFFPUNKT_MAIL_FROM": "Träffpunkt"}, "TRAFFPUNKT_MAIL_FROM"),
    ({"TRAFFPUNKT_LOG_FORMAT": "xml"}, "TRAFFPUNKT_LOG_FORMAT"),
    ({"TRAFFPUNKT_METRICS_TOKEN": "secret"}, "TRAFFPUNKT_METRICS_TOKEN"),
    ({"TRAFFPUNKT_RETENTION_MONTHS": "two years"}, "TRAFFPUNKT_RETENTION_MONTHS"),
]


@pytest.mark.parametrize(("settings", "named"), BAD)
def test_bad_setting_stops_migrate_with_one_line(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    result = _run(tmp_path, "migrate", **settings)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("traffpunkt: configuration error: ")
    assert named in lines[0]
    assert "hunter2" not in result.stderr + result.stdout
    assert not (tmp_path / "traffpunkt.db").exists()  # nothing was touched


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"]])
def test_bad_setting_stops_serve_and_worker(tmp_path: Path, command: list[str]) -> None:
    result = _run(tmp_path, *command, TRAFFPUNKT_BASE_URL="https://x.se", TRAFFPUNKT_SECRET_KEY="k")
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and "TRAFFPUNKT_SECRET_KEY" in result.stderr


def test_the_readme_defaults_pass(tmp_path: Path) -> None:
    """`traffpunkt migrate` with nothing configured (the README's first command) starts."""
    result = _run(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "traffpunkt.db").exists()


def test_good_settings_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from traffpunkt.settings import load_settings

    for name, value in {
        "TRAFFPUNKT_DATABASE_URL": "postgresql://traffpunkt:pw@db.kommun.se:5432/traffpunkt",
        "TRAFFPUNKT_BASE_URL": "https://evenemang.kommun.se",
        "TRAFFPUNKT_SECRET_KEY": "x" * 32,
        "TRAFFPUNKT_SMTP_URL": "smtps://user:pass@mail.kommun.se:465",
        "TRAFFPUNKT_FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.0/8, ::1",
        "TRAFFPUNKT_LOG_FORMAT": "JSON",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.log_format == "json" and settings.metrics_token is None
    for url in ("postgres:///traffpunkt", "sqlite:////srv/traffpunkt/traffpunkt.db"):
        monkeypatch.setenv("TRAFFPUNKT_DATABASE_URL", url)
        assert load_settings().database_url == url
