"""Indexing as background jobs: the whole index after the demo or a bulk import, and the
vectors of new or changed texts within seconds of their save."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from presales.jobs.services import enqueue, progress_for, say

INDEX_LABEL = "Index texts for search by meaning"
ENCODE_LABEL = "Search by meaning: new and changed texts"


@task(takes_context=True)
def index_all(context: Any) -> dict[str, Any]:
    """Words, vectors and labels of every text (resumable: finished batches are kept)."""
    from presales.texts.services import index_texts

    report = index_texts(progress=progress_for(context))
    say(context, f"{report.texts:,} texts indexed, {report.encoded:,} encoded.")
    return {"texts": report.texts, "encoded": report.encoded, "meaning": report.meaning}


@task(takes_context=True)
def encode_new(context: Any) -> dict[str, int]:
    """Vectors of texts saved since the last run (notes first)."""
    from presales.texts.services import encode_pending

    encoded = encode_pending(batch_size=256, progress=progress_for(context))
    return {"encoded": encoded}


def _queued(task_path: str) -> bool:
    from presales.jobs.models import Job

    return Job.objects.filter(task_path=task_path, task_result__status="READY").exists()


def queue_index_all(user: Any = None) -> None:
    if not _queued(index_all.module_path):
        enqueue(index_all, label=INDEX_LABEL, user=user)


def queue_encode_new() -> None:
    """Ask a worker to encode what was just saved, once: a job already waiting covers it."""
    from presales.texts import embedding

    if not embedding.available():
        return

    def later() -> None:
        if not _queued(encode_new.module_path) and not _queued(index_all.module_path):
            enqueue(encode_new, label=ENCODE_LABEL)

    transaction.on_commit(later)
