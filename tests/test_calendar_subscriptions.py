"""Calendar subscriptions: a calendar served on loopback is fetched by a worker's job, and its
changes, moves and cancellations follow into the activities without duplicates."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.activities.models import Activity
from presales.calendars.jobs import refresh_all
from presales.calendars.models import Subscription
from presales.calendars.services import check_address
from presales.imports.models import ImportRun
from presales.jobs import services as job_services
from presales.jobs.models import Job
from presales.jobs.worker import Worker
from tests.conftest import Cast

pytestmark = pytest.mark.django_db(transaction=True)


def run_jobs() -> int:
    return Worker(batch=True, interval=0, heartbeat_thread=False).run()


class Calendar:
    """What the test server publishes, and what it was asked."""

    def __init__(self) -> None:
        self.events: dict[str, dict[str, str]] = {}
        self.requests: list[dict[str, str]] = []

    def body(self) -> bytes:
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Calendar//EN"]
        for uid, e in self.events.items():
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                "DTSTAMP:20260101T000000Z",
                f"DTSTART:{e['start']}",
                f"DTEND:{e['end']}",
                f"SUMMARY:{e['summary']}",
                f"STATUS:{e.get('status', 'CONFIRMED')}",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def served() -> Iterator[tuple[Calendar, str]]:
    calendar = Calendar()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            calendar.requests.append(dict(self.headers))
            body = calendar.body()
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", tag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield calendar, f"http://127.0.0.1:{server.server_address[1]}/work.ics"
    finally:
        server.shutdown()
        server.server_close()


def test_a_subscribed_calendar_follows_changes_moves_and_cancellations(
    cast: Cast, served: tuple[Calendar, str]
) -> None:
    calendar, url = served
    base = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def at(hours: int) -> str:
        return (base + timedelta(hours=hours)).strftime("%Y%m%dT%H%M%SZ")

    calendar.events = {
        "review@test": {"start": at(0), "end": at(1), "summary": "Pipeline review"},
        "demo@test": {"start": at(24), "end": at(25), "summary": "Demo prep"},
        "sync@test": {"start": at(48), "end": at(49), "summary": "Team sync"},
    }
    alice = Client()
    alice.force_login(cast.alice)
    assert 'href="/me/calendars/"' in alice.get("/me/").content.decode()
    answer = alice.post("/me/calendars/", {"name": "Work", "url": url})
    assert answer.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.user == cast.alice
    run_jobs()
    subscription.refresh_from_db()
    # The worker's sweep also queued the scheduled refresh, which found the calendar unchanged.
    assert subscription.status in (Subscription.Status.OK, Subscription.Status.UNCHANGED)
    assert subscription.error == "" and subscription.run is not None
    assert subscription.events == 3
    assert Activity.objects.count() == 3
    review = Activity.objects.get(subject="Pipeline review")
    assert review.starts_at == base and cast.alice in review.participants.all()
    page = alice.get("/me/calendars/").content.decode()
    assert "Work" in page and f"/imports/{subscription.run_id}/" in page

    # The organiser renames one event, moves another and cancels... and deletes the third.
    calendar.events["review@test"]["summary"] = "Pipeline review (Q3)"
    calendar.events["demo@test"].update(start=at(30), end=at(31))
    calendar.events["sync@test"]["status"] = "CANCELLED"
    calendar.events["new@test"] = {"start": at(72), "end": at(73), "summary": "Customer call"}
    refresh = alice.post(f"/me/calendars/{subscription.pk}/refresh/")
    job = Job.objects.filter(label="Refresh calendar: Work").order_by("-pk").first()
    assert job is not None and refresh["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    assert Activity.objects.count() == 4, "nothing duplicated"
    assert Activity.objects.get(pk=review.pk).subject == "Pipeline review (Q3)"
    demo = Activity.objects.get(subject="Demo prep")
    assert demo.starts_at == base + timedelta(hours=30)
    assert Activity.objects.get(subject="Team sync").status == Activity.Status.CANCELLED
    assert Activity.objects.filter(subject="Customer call").count() == 1

    # An event deleted from the calendar is cancelled too.
    del calendar.events["demo@test"]
    job_services.enqueue(refresh_all, label="Refresh subscribed calendars")
    run_jobs()
    assert Activity.objects.get(pk=demo.pk).status == Activity.Status.CANCELLED
    assert Activity.objects.count() == 4

    # Unchanged: the server answers 304 and nothing is imported.
    runs = ImportRun.objects.count()
    before = list(Activity.objects.order_by("pk").values_list("pk", "subject", "status"))
    alice.post(f"/me/calendars/{subscription.pk}/refresh/")
    run_jobs()
    subscription.refresh_from_db()
    assert calendar.requests[-1].get("If-None-Match")
    assert subscription.status == Subscription.Status.UNCHANGED
    assert ImportRun.objects.count() == runs
    assert list(Activity.objects.order_by("pk").values_list("pk", "subject", "status")) == before


def test_the_refresh_is_scheduled_once_there_are_subscriptions(
    cast: Cast, served: tuple[Calendar, str]
) -> None:
    names = lambda jobs: [j.label for j in jobs]  # noqa: E731
    assert "Refresh subscribed calendars" not in names(job_services.enqueue_due())
    Subscription.objects.create(user=cast.alice, name="Work", url=served[1])
    assert "Refresh subscribed calendars" in names(job_services.enqueue_due())
    assert "Refresh subscribed calendars" not in names(job_services.enqueue_due())


def test_addresses_are_checked_and_subscriptions_are_their_owners(
    cast: Cast, settings: Any, served: tuple[Calendar, str]
) -> None:
    alice = Client()
    alice.force_login(cast.alice)
    answer = alice.post("/me/calendars/", {"name": "Disk", "url": "file:///etc/passwd"})
    assert answer.status_code == 422 and "http:// or https://" in answer.content.decode()
    settings.CALENDAR_ALLOW_LOCAL = False
    with pytest.raises(ValidationError, match="local or private address"):
        check_address(served[1])
    with pytest.raises(ValidationError, match="local or private address"):
        check_address("http://10.1.2.3/cal.ics")
    settings.CALENDAR_ALLOW_LOCAL = True
    assert check_address("webcal://127.0.0.1/x.ics") == "https://127.0.0.1/x.ics"
    alice.post("/me/calendars/", {"name": "Alice at work", "url": served[1]})
    mine = Subscription.objects.get()
    again = alice.post("/me/calendars/", {"name": "Alice at work", "url": served[1]})
    assert "already subscribed" in again.content.decode()
    carol = Client()
    carol.force_login(cast.carol)
    assert "Alice at work" not in carol.get("/me/calendars/").content.decode()
    assert carol.post(f"/me/calendars/{mine.pk}/refresh/").status_code == 404
    assert carol.post(f"/me/calendars/{mine.pk}/delete/").status_code == 404
    root = Client()
    root.force_login(cast.root)
    assert "Alice at work" in root.get("/me/calendars/").content.decode()
    assert alice.post(f"/me/calendars/{mine.pk}/delete/").status_code == 302
    assert Subscription.objects.count() == 0


def test_a_failing_calendar_shows_its_error(
    cast: Cast, settings: Any, served: tuple[Calendar, str]
) -> None:
    calendar, url = served
    subscription = Subscription.objects.create(user=cast.alice, name="Gone", url=url + "x")
    calendar.events = {}
    from presales.calendars.services import refresh

    settings.CALENDAR_MAX_MB = 0
    assert refresh(subscription) == Subscription.Status.ERROR
    assert "larger than 0 MB" in subscription.error
    subscription.url = "http://127.0.0.1:9/nothing.ics"
    assert refresh(subscription) == Subscription.Status.ERROR
    assert "cannot reach the server" in subscription.error
    alice = Client()
    alice.force_login(cast.alice)
    assert "cannot reach the server" in alice.get("/me/calendars/").content.decode()
