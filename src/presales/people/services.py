from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.people.models import ApiToken, Role, Team, User

TOKEN_PREFIX = "psk_"  # noqa: S105 (a marker, not a secret)


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


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token. The plain token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A token needs a name."})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=plain[: len(TOKEN_PREFIX) + 6], digest=_digest(plain)
    )
    return token, plain


def user_for_token(plain: str) -> User | None:
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(plain), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute: a busy script should not turn reads into
    # a stream of writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_token(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


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
