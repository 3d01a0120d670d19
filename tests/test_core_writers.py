"""Web writes announce themselves to long writers on SQLite, so an import pauses after a commit
only while one waits."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from presales.core import writers

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(settings, tmp_path):
    settings.HOME = tmp_path
    return tmp_path


def _seen_by_the_view(method: str) -> bool:
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(writers.waiting())
        return HttpResponse("ok")

    middleware = writers.WriterMiddleware(view)
    request = getattr(RequestFactory(), method.lower())("/deals/1/")
    assert middleware(request).content == b"ok"
    return seen[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="announced on SQLite only")
def test_a_write_request_is_announced_while_it_runs_and_not_after(home):
    assert _seen_by_the_view("POST") is True
    assert writers.waiting() is False
    assert list((home / "writers").iterdir()) == []


def test_a_read_request_announces_nothing(home):
    assert _seen_by_the_view("GET") is False
    assert not (home / "writers").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="announced on SQLite only")
def test_a_file_left_by_a_killed_process_stops_counting_after_the_busy_timeout(home, settings):
    folder = home / "writers"
    folder.mkdir()
    left = folder / "4242-1"
    left.touch()
    assert writers.waiting() is True
    old = time.time() - settings.BUSY_TIMEOUT - 5
    os.utime(left, (old, old))
    assert writers.waiting() is False


@pytest.mark.skipif(connection.vendor != "sqlite", reason="announced on SQLite only")
def test_an_import_waits_for_an_announced_write_and_not_without_one(home, monkeypatch):
    waited: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(writers.time, "sleep", sleep)
    writers.let_writers_in(200)
    assert waited == []
    with writers.announced():
        writers.let_writers_in(200)
    assert waited, "the import went on while a write was waiting"
