from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from presales.core import access
from presales.people.models import ApiToken, Role, Team, User

log = logging.getLogger(__name__)
TOKEN_PREFIX = "psk_"  # noqa: S105 (a marker, not a secret)
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


def create_user(
    *,
    username: str,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
    manager: User | None = None,
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {Role.values}."})
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        team=team,
        manager=manager,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    *, user: User, name: str, expires_in_days: int | None = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Make a personal API token that expires after ``expires_in_days`` (None: never).

    The plain token is returned once and never stored; only its SHA-256 digest is kept.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A token needs a name."})
    if len(name) > 80:
        raise ValidationError({"name": "A token name has at most 80 characters."})
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {"expires_in_days": f"Choose between 1 and {MAX_TOKEN_DAYS} days, or no expiry."}
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = (
        timezone.now() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    )
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        digest=_digest(plain),
        expires_at=expires_at,
    )
    return token, plain


def tokens_for(viewer: User, *, owner: User | None = None) -> QuerySet[ApiToken]:
    """The tokens ``viewer`` may list and revoke: their own; an administrator's: everyone's
    (or ``owner``'s)."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    if not viewer.is_admin_role:
        return tokens.filter(user=viewer)
    return tokens.filter(user=owner) if owner is not None else tokens


def revoke_token(*, token: ApiToken, by: User | None = None) -> ApiToken:
    """Refuse the token from now on. ``by`` (when given) must own it or be an administrator;
    revoking a revoked token changes nothing."""
    if by is not None and token.user_id != by.pk and not by.is_admin_role:
        raise access.PermissionDenied("Only the token's owner or an administrator revokes it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Token uses waiting to be written: token id -> when it was used. Writing happens after the
# response (request_finished), outside any transaction of the request, and at most once a
# minute per token, so reads never turn into a stream of writes that could wait for a lock.
_pending_uses: dict[int, datetime] = {}
_pending_lock = threading.Lock()
USE_RECORD_INTERVAL = timedelta(minutes=1)


def _token_user_sql() -> str:
    """The user of a valid token, with the token's id and last use, in one hand-written query:
    it runs on every API request, where building the same ORM query cost more than running it."""
    quote = connection.ops.quote_name

    def column(model: type[Any], name: str) -> str:
        return quote(model._meta.get_field(name).column)

    expires = column(ApiToken, "expires_at")
    owner = f"u.{column(User, 'id')} = t.{column(ApiToken, 'user')}"
    return (
        f"SELECT u.*, t.{column(ApiToken, 'id')} AS token_id, "  # noqa: S608
        f"t.{column(ApiToken, 'last_used_at')} AS token_used "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON {owner} "
        f"WHERE t.{column(ApiToken, 'digest')} = %s AND t.{column(ApiToken, 'revoked_at')} IS NULL "
        f"AND u.{column(User, 'is_active')} AND (t.{expires} IS NULL OR t.{expires} > %s)"
    )


def _aware(value: Any) -> datetime | None:
    """A datetime read without Django's converters (SQLite gives naive UTC text)."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def user_for_token(plain: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token acts for, or None."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    params = [_digest(plain), connection.ops.adapt_datetimefield_value(now)]
    user = next(iter(User.objects.raw(_token_user_sql(), params)), None)
    if user is None:
        return None
    last_used = _aware(user.token_used)  # type: ignore[attr-defined]
    if last_used is None or now - last_used >= USE_RECORD_INTERVAL:
        with _pending_lock:
            _pending_uses.setdefault(user.token_id, now)  # type: ignore[attr-defined]
    return user


def time_zone_names() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones())


def set_time_zone(*, actor: User, time_zone: str) -> User:
    """The user's own display time zone (an IANA name); empty returns to the site's."""
    name = time_zone.strip()
    if name and name not in set(time_zone_names()):
        raise ValidationError({"time_zone": f"{name!r} is not a time zone (e.g. Europe/Paris)."})
    actor.time_zone = name
    actor.save(update_fields=["time_zone"])
    return actor


def record_token_uses() -> int:
    """Write the waiting token uses (at most one per token and minute); returns how many were
    written. A failure (a database busy with a long write) is logged, never raised: a missed
    last-use time must not fail a request."""
    with _pending_lock:
        pending = dict(_pending_uses)
        _pending_uses.clear()
    written = 0
    for pk, used_at in pending.items():
        try:
            written += (
                ApiToken.objects.filter(pk=pk)
                .filter(
                    Q(last_used_at__isnull=True)
                    | Q(last_used_at__lte=used_at - USE_RECORD_INTERVAL)
                )
                .update(last_used_at=used_at)
            )
        except DatabaseError:
            log.warning("Could not record the use of API token %s; will retry on next use", pk)
    return written
