from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    return subprocess.run(
        [sys.executable, "-c", "import presales.settings"],
        env={**clean, "PRESALES_HOME": "/tmp/presales-settings-test", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_development_mode_starts_with_defaults() -> None:
    assert _load_settings({}).returncode == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "PRESALES_SECRET_KEY"),
        ({"PRESALES_SECRET_KEY": "short"}, "PRESALES_SECRET_KEY"),
        ({"PRESALES_SECRET_KEY": "x" * 60, "PRESALES_DEBUG": "1"}, "PRESALES_DEBUG"),
        ({"PRESALES_SECRET_KEY": "x" * 60}, "PRESALES_ALLOWED_HOSTS"),
    ],
)
def test_production_mode_refuses_insecure_defaults(env: dict[str, str], message: str) -> None:
    result = _load_settings({"PRESALES_MODE": "production", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_mode_starts_when_configured() -> None:
    env = {
        "PRESALES_MODE": "production",
        "PRESALES_SECRET_KEY": "k" * 64,
        "PRESALES_ALLOWED_HOSTS": "presales.example.com",
    }
    assert _load_settings(env).returncode == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRESALES_DEBUG": "maybe"}, "boolean"),
        ({"PRESALES_PAGE_SIZE": "ten"}, "integer"),
        ({"PRESALES_PAGE_SIZE": "0"}, "at least 1"),
        ({"PRESALES_DATABASE_URL": "mysql://x/y"}, "unsupported scheme"),
        ({"PRESALES_MODE": "staging"}, "PRESALES_MODE"),
    ],
)
def test_malformed_settings_are_refused_with_a_reason(env: dict[str, str], message: str) -> None:
    result = _load_settings(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_database_url_becomes_a_postgres_configuration() -> None:
    from presales.settings import database_from_url

    db = database_from_url("postgresql://u:p%40ss@db.local:6543/presales?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("u", "p@ss", "db.local", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_every_setting_is_documented_in_the_readme() -> None:
    from presales.settings import DOCUMENTED

    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`(PRESALES_[A-Z_]+)`", readme))
    assert set(DOCUMENTED) <= documented, set(DOCUMENTED) - documented
    # And the README names no setting that does not exist.
    extra = documented - set(DOCUMENTED) - {"PRESALES_REQUIRE_BROWSER", "PRESALES_TEST_HOME"}
    assert not extra, extra


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = connection.settings_dict["OPTIONS"]
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
