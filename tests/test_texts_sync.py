"""When a saved object's text is written: once per transaction, after it commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from presales.activities.models import Activity
from presales.notes.models import Note
from presales.texts.models import Text
from presales.texts.sources import sync_saved_now
from tests.conftest import Cast, make_account, make_activity, make_note


def _text_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"texts_text"' in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def test_an_activity_and_its_participants_are_synced_once_after_the_commit(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acme = make_account(cast.north, "Acme")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        activity = make_activity(
            account=acme,
            subject="Workshop on the SSO rollout",
            participants=[cast.alice, cast.dave],
        )
        assert not Text.objects.filter(kind="activity", object_id=activity.pk).exists()
    # Saved, then participants added: two signals, two callbacks, one sync between them.
    assert len(callbacks) >= 2
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    writes = _text_writes(queries)
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT"), writes
    text = Text.objects.get(kind="activity", object_id=activity.pk)
    assert text.body == "Workshop on the SSO rollout"
    assert text.author_id == min(cast.alice.pk, cast.dave.pk)
    assert text.labels["corrected"] == [] and text.labelled_hash.startswith(text.content_hash)


def test_a_rolled_back_transaction_leaves_no_text_and_the_next_one_syncs_only_its_own(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acme = make_account(cast.north, "Acme")
    with pytest.raises(RuntimeError), transaction.atomic():
        make_note("Pricing pushed to next quarter", author=cast.alice, account=acme)
        raise RuntimeError("changed our mind")
    assert not Note.objects.exists()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = make_note("Security review booked for Tuesday", author=cast.alice, account=acme)
    assert list(Text.objects.values_list("kind", "object_id", "body")) == [
        ("note", kept.pk, "Security review booked for Tuesday")
    ]


def test_an_edit_in_a_later_transaction_changes_the_stored_text(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    acme = make_account(cast.north, "Acme")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        note = make_note("Champion is Priya", author=cast.alice, account=acme)
    first = Text.objects.get(kind="note", object_id=note.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        note.body = "Champion is Priya; she left, the new one is Omar"
        note.save()
        note.save()
    text = Text.objects.get(kind="note", object_id=note.pk)
    assert text.pk == first.pk and "Omar" in text.body
    assert text.content_hash != first.content_hash
    assert text.labelled_hash.startswith(text.content_hash)


def test_sync_saved_now_writes_the_texts_before_the_commit(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme")
    with transaction.atomic():
        note = make_note("Asked for an on-premises quote", author=cast.alice, account=acme)
        assert not Text.objects.filter(kind="note", object_id=note.pk).exists()
        sync_saved_now()
        assert Text.objects.get(kind="note", object_id=note.pk).author_id == cast.alice.pk


def test_a_save_outside_any_transaction_is_synced_at_once(cast: Cast) -> None:
    acme = make_account(cast.north, "Acme")
    activity = Activity.objects.create(
        kind="call",
        subject="Intro call",
        account=acme,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(minutes=30),
    )
    assert Text.objects.get(kind="activity", object_id=activity.pk).body == "Intro call"
