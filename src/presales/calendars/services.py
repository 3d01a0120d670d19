"""Calendar subscriptions: check an address, fetch it politely, import what changed.

A fetch sends the ETag and Last-Modified of the previous answer, so an unchanged calendar costs
one short request and changes nothing. A changed one is imported through the ICS importer, keyed
on each event's UID (and recurrence), so a moved or edited event updates its activity and a
cancelled one is marked cancelled; an event that disappeared from the calendar is marked
cancelled too. The subscriber becomes a participant of the calendar's activities.

Addresses must be http or https. Loopback, private and link-local addresses (where a server's
own services live) are refused unless PRESALES_CALENDAR_ALLOW_LOCAL is on, and redirects are
checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from presales.activities.models import Activity
from presales.calendars.models import Subscription
from presales.core import access
from presales.core.signals import bulk_change
from presales.imports.models import ImportedRecord
from presales.imports.services import ics, run_import
from presales.imports.services.run import ProgressFn
from presales.imports.services.sources import UnusableInput
from presales.people.models import User

MAX_SUBSCRIPTIONS = 20


class FetchFailed(Exception):
    pass


def check_address(url: str) -> str:
    """The address, trimmed, if Presales may fetch it; else ValidationError saying why."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme == "webcal":
        url = "https" + url[len("webcal") :]
        parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"url": "Give the calendar's http:// or https:// address."})
    if not parts.hostname:
        raise ValidationError({"url": "The address names no server."})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError, UnicodeError):
        raise ValidationError({"url": f"No server is named {parts.hostname!r}."}) from None
    if not settings.CALENDAR_ALLOW_LOCAL:
        for *_rest, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if not address.is_global:
                raise ValidationError(
                    {
                        "url": f"{parts.hostname} is a local or private address "
                        f"({address}); Presales fetches calendars from the internet only."
                    }
                )
    return url


def subscribe(*, user: User, name: str, url: str) -> Subscription:
    name = name.strip() or "My calendar"
    url = check_address(url)
    if len(name) > 100:
        raise ValidationError({"name": "A name of at most 100 characters."})
    if len(url) > 1000:
        raise ValidationError({"url": "An address of at most 1,000 characters."})
    mine = Subscription.objects.filter(user=user)
    if mine.filter(url=url).exists():
        raise ValidationError({"url": "You already subscribed to this address."})
    if mine.count() >= MAX_SUBSCRIPTIONS:
        raise ValidationError({"url": f"At most {MAX_SUBSCRIPTIONS} calendars per person."})
    return Subscription.objects.create(user=user, name=name, url=url)


def unsubscribe(*, actor: User, subscription: Subscription) -> None:
    """The subscription goes; the activities it brought stay (they are the person's record)."""
    access.require(access.can_change(actor, subscription), "This is not your calendar.")
    subscription.delete()


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        try:
            check_address(newurl)
        except ValidationError as exc:
            raise FetchFailed(f"redirected to a refused address: {exc.messages[0]}") from None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class Fetched:
    body: bytes | None  # None: not modified
    etag: str = ""
    last_modified: str = ""


def fetch(subscription: Subscription) -> Fetched:
    url = check_address(subscription.url)
    # check_address allows http and https only.
    request = urllib.request.Request(url, headers={"User-Agent": "Presales calendar"})  # noqa: S310
    if subscription.etag:
        request.add_header("If-None-Match", subscription.etag)
    if subscription.last_modified:
        request.add_header("If-Modified-Since", subscription.last_modified)
    opener = urllib.request.build_opener(_CheckedRedirects())
    limit = settings.CALENDAR_MAX_MB * 1024**2
    try:
        with opener.open(request, timeout=settings.CALENDAR_TIMEOUT) as answer:
            body = answer.read(limit + 1)
            if len(body) > limit:
                raise FetchFailed(
                    f"the calendar is larger than {settings.CALENDAR_MAX_MB} MB "
                    "(PRESALES_CALENDAR_MAX_MB)"
                )
            return Fetched(
                body,
                etag=(answer.headers.get("ETag") or "")[:300],
                last_modified=(answer.headers.get("Last-Modified") or "")[:100],
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(None, subscription.etag, subscription.last_modified)
        raise FetchFailed(f"the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchFailed(f"cannot reach the server ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise FetchFailed(f"the fetch failed ({exc})") from None


def calendar_file(subscription: Subscription) -> Path:
    folder = Path(settings.HOME) / "calendars"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"subscription-{subscription.pk}.ics"


def refresh(subscription: Subscription, *, progress: ProgressFn | None = None) -> str:
    """Fetch one calendar and import it if it changed; returns the new status."""
    subscription.fetched_at = timezone.now()
    try:
        fetched = fetch(subscription)
        if fetched.body is None:
            subscription.status = Subscription.Status.UNCHANGED
            subscription.error = ""
        else:
            _import(subscription, fetched.body, progress)
            subscription.etag, subscription.last_modified = fetched.etag, fetched.last_modified
    except (FetchFailed, ValidationError, UnusableInput) as exc:
        subscription.status = Subscription.Status.ERROR
        subscription.error = (
            "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        )
    subscription.save()
    return subscription.status


def _import(subscription: Subscription, body: bytes, progress: ProgressFn | None) -> None:
    path = calendar_file(subscription)
    path.write_bytes(body)
    window = ics.window_around(timezone.localdate())
    result = run_import(
        kind="ics", paths=[path], user=subscription.user, progress=progress, window=window
    )
    subscription.run = result.run
    if result.unusable:
        raise UnusableInput(result.unusable)
    keys = sorted(
        {
            item.record.external_id
            for plan in ics.profile(window).plan([path])
            for item in plan.items()
            if item.record is not None
        }
    )
    with transaction.atomic():
        _follow(subscription, keys, window)
    subscription.keys = keys
    subscription.events = len(keys)
    subscription.status = Subscription.Status.OK
    subscription.error = ""


def _activity_ids(keys: list[str]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(keys), 500):
        ids += [
            pk
            for pk in ImportedRecord.objects.filter(
                source=ics.SOURCE, kind="activity", external_id__in=keys[start : start + 500]
            ).values_list("object_id", flat=True)
            if pk is not None
        ]
    return ids


def _follow(subscription: Subscription, keys: list[str], window: tuple[Any, Any]) -> None:
    """The subscriber takes part in the calendar's activities; events gone from the calendar
    (within the window it is read in) are cancelled, and would come back if they reappear."""
    through = Activity.participants.through
    followed = _activity_ids(keys)
    with bulk_change(Activity, followed):
        through.objects.bulk_create(
            [through(activity_id=pk, user_id=subscription.user_id) for pk in followed],
            ignore_conflicts=True,
        )
    gone = sorted(set(subscription.keys) - set(keys))
    if not gone:
        return
    gone_ids = _activity_ids(gone)
    with bulk_change(Activity, gone_ids):
        Activity.objects.filter(
            pk__in=gone_ids, starts_at__gte=window[0], starts_at__lt=window[1]
        ).exclude(status=Activity.Status.CANCELLED).update(status=Activity.Status.CANCELLED)
    # Forget their digest: an event that comes back is written again, not taken as unchanged.
    ImportedRecord.objects.filter(source=ics.SOURCE, kind="activity", external_id__in=gone).update(
        digest=""
    )
