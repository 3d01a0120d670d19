"""The one settings module of Presales.

Every setting a user may change is read from a ``PRESALES_*`` environment variable through the
small typed helpers below, which refuse malformed values instead of guessing. The table in
README.md documents each of them; ``tests/test_settings.py`` fails when one is undocumented.

``PRESALES_MODE=production`` turns on the safety checks: the secret key must be set and strong,
debug must be off and the allowed hosts must be named.
"""

from __future__ import annotations

import math
import os
from datetime import timedelta
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


BUSY_TIMEOUT = env_int(
    "PRESALES_BUSY_TIMEOUT",
    20,
    "Seconds a SQLite writer waits for another one before answering 503 (default 20)",
    minimum=1,
)

IMPORT_COMMIT_ROWS = env_int(
    "PRESALES_IMPORT_COMMIT_ROWS",
    5000,
    "Rows an import writes per committed batch, so other writers get their turn (default 5000)",
    minimum=100,
)
IMPORT_PAUSE_MS = env_int(
    "PRESALES_IMPORT_PAUSE_MS",
    50,
    "On SQLite, most milliseconds an import pauses after a commit while a web write waits",
)


def sqlite_database(path: Path) -> dict[str, object]:
    # WAL lets readers (pages) go on while a writer (an import) works; the busy timeout makes
    # a second writer wait instead of failing at once with "database is locked". The backend
    # sends a transaction's BEGIN IMMEDIATE at its first write (presales.core.backends.sqlite3),
    # so other writers do not wait through the reads before it.
    return {
        "ENGINE": "presales.core.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": BUSY_TIMEOUT,
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

LOGIN_FAILURE_LIMIT = env_int(
    "PRESALES_LOGIN_FAILURE_LIMIT",
    5,
    "Wrong passwords in a row, per user name and per address, before log-in pauses",
    minimum=1,
)
LOGIN_LOCKOUT_MINUTES = env_int(
    "PRESALES_LOGIN_LOCKOUT_MINUTES",
    15,
    "How long log-in stays paused after too many wrong passwords",
    minimum=1,
)
BEHIND_PROXY = env_bool(
    "PRESALES_BEHIND_PROXY",
    False,
    "TLS ends at a reverse proxy that sets X-Forwarded-Proto and X-Forwarded-For",
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
    2 * (os.cpu_count() or 1),
    "Web processes `presales serve` starts (default: two per CPU core: a request holding the "
    "database's write lock then waits less for its process's other threads)",
    minimum=1,
)
SERVE_THREADS = env_int(
    "PRESALES_SERVE_THREADS",
    4,
    "Threads per web process of `presales serve` (default 4: requests waiting for the database's "
    "write lock do not hold up the reads behind them)",
    minimum=1,
)
# Imports uploaded in the browser or the API, and calendar subscriptions.
UPLOAD_MAX_MB = env_int(
    "PRESALES_UPLOAD_MAX_MB",
    500,
    "Largest upload for an import, all files together (MB)",
    minimum=1,
)
UPLOAD_MAX_UNZIPPED_MB = env_int(
    "PRESALES_UPLOAD_MAX_UNZIPPED_MB",
    4096,
    "Largest total size the files of an uploaded ZIP may unpack to (MB)",
    minimum=1,
)
MAIL_DROP_DIR = env_str(
    "PRESALES_MAIL_DROP_DIR",
    "",
    "A folder of .eml/.mbox files the worker imports as they arrive (empty: off)",
)
MAIL_DROP_MINUTES = env_int(
    "PRESALES_MAIL_DROP_MINUTES",
    5,
    "Minutes between two looks into the mail drop folder",
    minimum=1,
)
CALENDAR_REFRESH_MINUTES = env_int(
    "PRESALES_CALENDAR_REFRESH_MINUTES",
    15,
    "Minutes between two fetches of every subscribed calendar",
    minimum=1,
)
CALENDAR_MAX_MB = env_int(
    "PRESALES_CALENDAR_MAX_MB", 20, "Largest calendar a subscription fetches (MB)", minimum=1
)
CALENDAR_TIMEOUT = env_int(
    "PRESALES_CALENDAR_TIMEOUT", 20, "Seconds a calendar fetch may take", minimum=1
)
CALENDAR_ALLOW_LOCAL = env_bool(
    "PRESALES_CALENDAR_ALLOW_LOCAL",
    not PRODUCTION,
    "Allow calendar addresses on loopback and private networks (default: off in production)",
)

_AUTO_MERGE = env_str(
    "PRESALES_AUTO_MERGE_PROBABILITY",
    "",
    "Duplicates at or above this probability (e.g. 0.99) are merged without review; empty: off",
)
try:
    AUTO_MERGE_PROBABILITY = float(_AUTO_MERGE) if _AUTO_MERGE else None
except ValueError as exc:
    raise ImproperlyConfigured(
        f"PRESALES_AUTO_MERGE_PROBABILITY must be a probability such as 0.99, got {_AUTO_MERGE!r}"
    ) from exc
if AUTO_MERGE_PROBABILITY is not None and not 0.5 <= AUTO_MERGE_PROBABILITY < 1:
    raise ImproperlyConfigured("PRESALES_AUTO_MERGE_PROBABILITY must be at least 0.5 and below 1")
PRESALES_AUTO_MERGE_PROBABILITY = AUTO_MERGE_PROBABILITY
PRESALES_SOURCE_PRECEDENCE = env_list(
    "PRESALES_SOURCE_PRECEDENCE",
    "salesforce,hubspot,csv",
    "Sources whose values a merge keeps first, most trusted first (then the others)",
)


SSL_REDIRECT = env_bool(
    "PRESALES_SSL_REDIRECT",
    PRODUCTION and not BEHIND_PROXY,
    "Redirect plain HTTP to HTTPS (default on in production unless behind a proxy)",
)
HSTS_SECONDS = env_int(
    "PRESALES_HSTS_SECONDS",
    31_536_000 if PRODUCTION else 0,
    "Strict-Transport-Security max-age (default one year in production, 0 = off)",
)


def secret_key_problem(key: str) -> str | None:
    """Why a secret key is too weak to sign sessions, or None when it will do.

    Length alone lets through a key of one repeated letter, so the key must also use many
    distinct characters, carry enough estimated entropy (Shannon entropy of its characters
    times its length) and not be a short pattern repeated.
    """
    if len(key) < 50:
        return f"it has {len(key)} characters; use at least 50"
    if key == _INSECURE_KEY or key.startswith("django-insecure"):
        return "it is a published development key"
    distinct = len(set(key))
    if distinct < 16:
        return f"it uses only {distinct} distinct characters; use at least 16"
    counts = [key.count(char) for char in set(key)]
    bits = -sum(n * math.log2(n / len(key)) for n in counts)
    if bits < 200:
        return f"its estimated entropy is {bits:.0f} bits; use at least 200"
    for period in range(1, len(key) // 2 + 1):
        if len(key) % period == 0 and key[:period] * (len(key) // period) == key:
            return f"it repeats a pattern of {period} characters"
    return None


if PRODUCTION:
    problem = secret_key_problem(SECRET_KEY)
    if problem:
        raise ImproperlyConfigured(
            f"PRESALES_SECRET_KEY is not strong enough for production: {problem}. Make one "
            "with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    if DEBUG:
        raise ImproperlyConfigured("PRESALES_DEBUG must be off in production")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("PRESALES_ALLOWED_HOSTS must be set in production")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "PRESALES_ALLOWED_HOSTS must name the hosts in production, not '*' (a forged Host "
            "header would then reach password-reset links and absolute URLs)"
        )
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
    # django-ninja as an app: /api/docs then loads Swagger UI from Presales' own static files
    # (the package ships them) instead of a CDN, so the docs work with no internet.
    "ninja",
    "axes",
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
    "presales.uploads",
    "presales.calendars",
    "presales.intelligence",
    "presales.demos",
    "presales.lab",
    "presales.pocs",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "presales.core.writers.WriterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "presales.core.middleware.LoginRequiredMiddleware",
    "presales.core.middleware.AccessDeniedMiddleware",
    "presales.people.middleware.UserTimeZoneMiddleware",
    "presales.core.failures.FailureMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the failed log-ins the views above report and answers a locked one.
    "axes.middleware.AxesMiddleware",
]

# Background jobs: Django's Tasks API (the django-tasks backport) on the database, so jobs
# survive a restart and every worker shares one queue (see presales.jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Failed log-ins are counted by user name and, separately, by address (django-axes); a locked
# attempt is refused before any password is hashed. See presales/people/auth.py.
AUTHENTICATION_BACKENDS = [
    "presales.people.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "presales.people.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "presales.people.auth.client_address"
AXES_VERBOSE = False

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
SECURE_SSL_REDIRECT = SSL_REDIRECT
SECURE_HSTS_SECONDS = HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = HSTS_SECONDS > 0
SILENCED_SYSTEM_CHECKS: list[str] = []
if BEHIND_PROXY:
    # TLS ends at the proxy, which says so in X-Forwarded-Proto and redirects plain HTTP
    # itself; Django then sees the request as secure and sends HSTS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS.append("security.W008")

# Content-Security-Policy (django-csp), in every mode so tests and development see what
# production refuses. Scripts only from Presales itself: no inline script, no event handler
# attribute, no eval (presales/app.js carries the pages' small behaviours). Styles too: no page
# needs an inline style attribute (figures draw with SVG attributes), so no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

NINJA_PAGINATION_PER_PAGE = PAGE_SIZE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
