"""What the import engine asks: which object an external id of a merged-away record now is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from presales.accounts.models import Account, Contact
from presales.imports.models import ImportedRecord
from presales.intelligence.models import Kind, SourceAlias

_KINDS = {Account: Kind.ACCOUNT, Contact: Kind.CONTACT}


def merged_ids(
    source: str, model: type[Any], kind: str, external_ids: Sequence[str]
) -> dict[str, tuple[int, int | None]]:
    """``{external id: (survivor id, digest)}`` for ids whose record was merged away."""
    ours = _KINDS.get(model)
    if ours is None or not external_ids:
        return {}
    found = dict(
        SourceAlias.objects.filter(
            kind=ours, source=source, external_id__in=list(external_ids)
        ).values_list("external_id", "target_id")
    )
    if not found:
        return {}
    digests = dict(
        ImportedRecord.objects.filter(
            source=source, kind=kind, external_id__in=list(found)
        ).values_list("external_id", "digest")
    )
    return {ext: (int(pk), digests.get(ext)) for ext, pk in found.items()}
