"""Demos in the text service, so the catalog is searchable by meaning ("the SSO flow")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models.signals import post_delete, post_save

from presales.texts import sources
from presales.texts.sources import SourceRow, TextSource

KIND = "demo"


def _demo_rows(pks: Iterable[int] | None) -> Iterator[SourceRow]:
    from presales.demos.models import Demo

    demos = Demo.objects.all() if pks is None else Demo.objects.filter(pk__in=list(pks))
    fields = ("pk", "title", "summary", "personas", "industry", "script", "updated_at", "owner_id")
    for pk, title, summary, personas, industry, script, at, owner in demos.values_list(
        *fields
    ).iterator(2000):
        body = "\n".join(
            part
            for part in (
                title,
                summary,
                f"For: {personas}" if personas else "",
                f"Industry: {industry}" if industry else "",
                script,
            )
            if part
        )
        yield SourceRow(pk, body, at, owner)


def register_demo_texts() -> None:
    from presales.demos.models import Demo

    sources.register(
        TextSource(
            kind=KIND, label="Demo", model=Demo, rows=_demo_rows, decided_by=("state", "owner")
        )
    )
    # The text service connected its signals before this app was ready: connect ours.
    post_save.connect(sources._on_save, sender=Demo, dispatch_uid=f"texts-save-{KIND}")
    post_delete.connect(sources._on_delete, sender=Demo, dispatch_uid=f"texts-delete-{KIND}")
