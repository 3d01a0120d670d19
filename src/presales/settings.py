"""The one settings module of Presales.

Every setting a user may change is read from a ``PRESALES_*`` environment variable through the
small typed helpers below, which refuse malformed values instead of guessing. The table in
README.md documents each of them; ``tests/test_settings.py`` fails when one is undocumented.

``PRESALES_MODE=production`` turns on the safety checks: the secret key must be set and strong,
debug must be off and the allowed hosts must be named.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent

# Every variable read below, with its documentation line (kept in README.md too).
DOCUMENTED: dict[str, str] = {}


def _env(name: str, default: str, doc: str) -> str:
    DOCUMENTED[name] = doc
    return os.environ.get(name, default).strip()


def env_str(name: str, default: str, doc: str) -> str:
    return _env(name, default, doc)


def env_bool(name: str, default: bool, doc: str) -> bool:
    raw = _env(name, "1" if default else "0", doc).lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, doc: str, *, minimum: int = 0) -> int:
    raw = _env(name, str(default), doc)
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: str, doc: str) -> list[str]:
    return [item.strip() for item in _env(name, default, doc).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Turn ``postgresql://user:pass@host:port/name?sslmode=...`` into a Django DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ImproperlyConfigured(
            f"PRESALES_DATABASE_URL: unsupported scheme {parsed.scheme!r} "
            "(use postgresql://... or sqlite:///path)"
        )
    if parsed.scheme == "sqlite":
        return sqlite_database(Path(unquote(parsed.path)))
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("PRESALES_DATABASE_URL names no database")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": dict(parse_qsl(parsed.query)),
        "CONN_MAX_AGE": 60,
        "TEST": {"NAME": f"test_{name}"},
    }


def sqlite_database(path: Path) -> dict[str, object]:
    # WAL lets readers (pages) go on while a writer (an import) works; the busy timeout makes
    # a second writer wait instead of failing at once with "database is locked".
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


MODE = env_str(
    "PRESALES_MODE", "development", "`development` (default) or `production` (strict checks)"
)
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured(f"PRESALES_MODE must be development or production, got {MODE!r}")
PRODUCTION = MODE == "production"

HOME = Path(
    env_str(
        "PRESALES_HOME",
        str(Path.cwd() / ".presales"),
        "Folder for the embedded SQLite database and import reports (default `./.presales`)",
    )
).expanduser()

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str(
    "PRESALES_SECRET_KEY", "", "Secret used to sign sessions; required (50+ chars) in production"
)
DEBUG = env_bool("PRESALES_DEBUG", not PRODUCTION, "Django debug pages (default on in development)")
ALLOWED_HOSTS = env_list(
    "PRESALES_ALLOWED_HOSTS",
    "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver",
    "Comma-separated host names the server answers to; required in production",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "PRESALES_CSRF_TRUSTED_ORIGINS", "", "Comma-separated origins (https://host) behind a proxy"
)
PAGE_SIZE = env_int("PRESALES_PAGE_SIZE", 25, "Rows per page in lists and the API", minimum=1)
LOG_LEVEL = env_str("PRESALES_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR")
DATABASE_URL = env_str(
    "PRESALES_DATABASE_URL",
    "",
    "postgresql://user:pass@host:port/db for PostgreSQL; empty means SQLite under PRESALES_HOME",
)
TEST_POSTGRES_URL = env_str(
    "PRESALES_TEST_POSTGRES_URL",
    "",
    "When set, the test command also runs the suite on this PostgreSQL server",
)

TEXT_MODEL = env_str(
    "PRESALES_TEXT_MODEL",
    "auto",
    "`auto` (default): search by meaning when the model is installed; `off`: words only",
)
if TEXT_MODEL not in {"auto", "off"}:
    raise ImproperlyConfigured(f"PRESALES_TEXT_MODEL must be auto or off, got {TEXT_MODEL!r}")

JOB_STALE_SECONDS = env_int(
    "PRESALES_JOB_STALE_SECONDS",
    60,
    "Seconds without a heartbeat after which a worker counts as gone and its job is queued again",
    minimum=2,
)
SERVE_WORKERS = env_int(
    "PRESALES_SERVE_WORKERS",
    os.cpu_count() or 1,
    "Web processes `presales serve` starts (default: the number of CPU cores)",
    minimum=1,
)

if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY == _INSECURE_KEY:
        raise ImproperlyConfigured(
            "PRESALES_SECRET_KEY must be set to a random value of at least 50 characters "
            "in production"
        )
    if DEBUG:
        raise ImproperlyConfigured("PRESALES_DEBUG must be off in production")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("PRESALES_ALLOWED_HOSTS must be set in production")
elif not SECRET_KEY:
    SECRET_KEY = _INSECURE_KEY

DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(HOME / "presales.sqlite3")
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "presales.core",
    "presales.people",
    "presales.accounts",
    "presales.products",
    "presales.deals",
    "presales.activities",
    "presales.notes",
    "presales.dashboard",
    "presales.qualification",
    "presales.meetings",
    "presales.gaps",
    "presales.imports",
    "presales.scorecards",
    "presales.incentives",
    "presales.forecasts",
    "presales.analytics",
    "presales.texts",
    "presales.jobs",
    "presales.team",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "presales.core.middleware.LoginRequiredMiddleware",
    "presales.core.middleware.AccessDeniedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Background jobs: Django's Tasks API (the django-tasks backport) on the database, so jobs
# survive a restart and every worker shares one queue (see presales.jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

ROOT_URLCONF = "presales.urls"
WSGI_APPLICATION = "presales.wsgi.application"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("PRESALES_TIME_ZONE", "UTC", "Time zone for display and 'this week' (IANA)")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

NINJA_PAGINATION_PER_PAGE = PAGE_SIZE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
