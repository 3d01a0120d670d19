from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# One home per run: the SQLite and PostgreSQL runs of the suite go side by side.
HOME = tempfile.mkdtemp(prefix="presales-settings-")
# What `secrets.token_urlsafe(64)` gives, fixed so the tests are repeatable.
STRONG_KEY = "q7XbR2vN-kPz0LwTgH5sYcJ_fA9mUeD3iO8nVtB1hK4rZyQ6jW-lMpS0aCxEuGo7dIf2"
PRODUCTION = {
    "PRESALES_MODE": "production",
    "PRESALES_SECRET_KEY": STRONG_KEY,
    "PRESALES_ALLOWED_HOSTS": "presales.example.com",
}


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    return subprocess.run(
        [sys.executable, "-c", "import presales.settings"],
        env={**clean, "PRESALES_HOME": HOME, **env},
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
        ({"PRESALES_SECRET_KEY": STRONG_KEY, "PRESALES_DEBUG": "1"}, "PRESALES_DEBUG"),
        ({"PRESALES_SECRET_KEY": STRONG_KEY}, "PRESALES_ALLOWED_HOSTS"),
        (
            {"PRESALES_SECRET_KEY": STRONG_KEY, "PRESALES_ALLOWED_HOSTS": "*"},
            "not '*'",
        ),
        (
            {"PRESALES_SECRET_KEY": STRONG_KEY, "PRESALES_ALLOWED_HOSTS": "a.example.com, *"},
            "not '*'",
        ),
    ],
)
def test_production_mode_refuses_insecure_defaults(env: dict[str, str], message: str) -> None:
    result = _load_settings({"PRESALES_MODE": "production", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_mode_starts_when_configured() -> None:
    assert _load_settings(PRODUCTION).returncode == 0


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("k" * 64, "only 1 distinct characters"),
        ("abcdefgh" * 8, "only 8 distinct characters"),
        ("abcdefghijklmnopqrstuvwxyz" * 3, "repeats a pattern of 26 characters"),
        ("a" * 40 + "bcdefghijklmnopqrstuvwxyz", "estimated entropy"),
        ("django-insecure-" + STRONG_KEY, "published development key"),
    ],
)
def test_production_refuses_a_long_but_weak_secret_key(key: str, reason: str) -> None:
    result = _load_settings({**PRODUCTION, "PRESALES_SECRET_KEY": key})
    assert result.returncode != 0
    assert "PRESALES_SECRET_KEY is not strong enough" in result.stderr
    assert reason in result.stderr


def _settings_value(env: dict[str, str], expression: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    result = subprocess.run(
        [sys.executable, "-c", f"from presales import settings as s; print(({expression},))"],
        env={**clean, "PRESALES_HOME": HOME, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_redirects_to_https_and_sends_hsts_unless_a_proxy_ends_tls() -> None:
    expression = (
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.__dict__.get('SECURE_PROXY_SSL_HEADER')"
    )
    assert _settings_value(PRODUCTION, expression) == "(True, 31536000, None)"
    behind = {**PRODUCTION, "PRESALES_BEHIND_PROXY": "1"}
    assert _settings_value(behind, expression) == (
        "(False, 31536000, ('HTTP_X_FORWARDED_PROTO', 'https'))"
    )
    assert _settings_value({}, expression) == "(False, 0, None)"


@pytest.mark.parametrize("proxy", ["0", "1"])
def test_deploy_check_prints_no_warning_in_production(proxy: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRESALES_")}
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs, not a deployment's.
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env = {**clean, **PRODUCTION, "PRESALES_BEHIND_PROXY": proxy}
    env["PRESALES_HOME"] = HOME
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "presales.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


TEMPLATE_DIR = ROOT / "src" / "presales"


def test_no_template_holds_inline_script_event_handlers_or_style_attributes() -> None:
    """The Content-Security-Policy refuses them; behaviours live in static/presales/app.js."""
    offences = []
    for template in TEMPLATE_DIR.rglob("templates/**/*.html"):
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"hx-on",
        ):
            offences += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offences == []


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
    extra = (
        documented
        - set(DOCUMENTED)
        - {
            "PRESALES_REQUIRE_BROWSER",
            "PRESALES_TEST_HOME",
            "PRESALES_TEST_SERIAL",
        }
    )
    assert not extra, extra


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = connection.settings_dict["OPTIONS"]
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
