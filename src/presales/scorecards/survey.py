"""Import customer satisfaction answers from a survey export (CSV).

Columns (header names, any order, case-insensitive): ``account`` (name or the account's id in
its source system), ``contact`` (name or e-mail; optional), ``score``, ``date`` (YYYY-MM-DD) and
optionally ``scale`` (the highest possible score, 10 by default). One file is one transaction:
good rows are kept, bad rows are reported with their row number and left out. An answer is
identified by account, contact and date, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from presales.accounts.models import Account, Contact
from presales.scorecards.models import SurveyResponse

REQUIRED = ("account", "score", "date")
Progress = Callable[[int, int], None]


class UnusableSurvey(Exception):
    """The file cannot be read as a survey export at all."""


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file, the header being line 1
    column: str
    message: str


@dataclass
class SurveyImport:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}"
        )


def _read(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        return text
    raise UnusableSurvey(f"{path.name}: not a text file")


def _account(value: str, cache: dict[str, Account | str]) -> Account | str:
    key = value.strip().lower()
    if key not in cache:
        matches = list(
            Account.objects.filter(Q(name__iexact=value.strip()) | Q(external_id=value.strip()))[:2]
        )
        if len(matches) == 1:
            cache[key] = matches[0]
        elif matches:
            cache[key] = f"'{value}' names more than one account; use its id"
        else:
            cache[key] = f"No account named '{value}'"
    return cache[key]


def _contact(account: Account, value: str) -> Contact | None:
    text = value.strip()
    if not text:
        return None
    rows = Contact.objects.filter(account=account)
    if "@" in text:
        return rows.filter(email__iexact=text).first()
    for contact in rows:
        full = f"{contact.first_name} {contact.last_name}".strip().lower()
        if full == text.lower():
            return contact
    return None


def import_survey(*, path: Path, progress: Progress | None = None) -> SurveyImport:
    text = _read(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UnusableSurvey(f"{path.name}: missing column(s) {', '.join(missing)}")
    rows = list(reader)
    result = SurveyImport(file=path.name)
    accounts: dict[str, Account | str] = {}

    def cell(row: dict[str, str], name: str) -> str:
        original = header.get(name)
        return (row.get(original) or "").strip() if original else ""

    with transaction.atomic():
        for index, row in enumerate(rows, start=2):
            if progress:
                progress(index - 1, len(rows))
            errors: list[RowError] = []
            account = _account(cell(row, "account"), accounts) if cell(row, "account") else None
            if account is None:
                errors.append(RowError(index, "account", "Empty"))
            elif isinstance(account, str):
                errors.append(RowError(index, "account", account))
            scale = Decimal(10)
            if cell(row, "scale"):
                try:
                    scale = Decimal(cell(row, "scale"))
                    if not scale.is_finite() or scale <= 0 or scale > 1000:
                        raise InvalidOperation
                except InvalidOperation:
                    errors.append(RowError(index, "scale", "Not a positive number up to 1000"))
            score: Decimal | None = None
            try:
                score = Decimal(cell(row, "score"))
                if not score.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(RowError(index, "score", f"'{cell(row, 'score')}' is not a number"))
            if score is not None and not 0 <= score <= scale:
                errors.append(RowError(index, "score", f"{score} is outside 0–{scale}"))
            try:
                answered = date.fromisoformat(cell(row, "date"))
            except ValueError:
                errors.append(RowError(index, "date", f"'{cell(row, 'date')}' is not YYYY-MM-DD"))
            if errors:
                result.errors += errors
                continue
            assert isinstance(account, Account) and score is not None
            respondent = cell(row, "contact")[:200]
            contact = _contact(account, respondent)
            existing = SurveyResponse.objects.filter(
                account=account, respondent_key=respondent.lower(), responded_on=answered
            ).first()
            if existing is None:
                SurveyResponse.objects.create(
                    account=account,
                    contact=contact,
                    respondent=respondent,
                    respondent_key=respondent.lower(),
                    score=score,
                    scale_max=scale,
                    responded_on=answered,
                    source_file=path.name[:255],
                )
                result.created += 1
            elif (existing.score, existing.scale_max, existing.contact_id) != (
                score,
                scale,
                contact.pk if contact else None,
            ):
                existing.score, existing.scale_max, existing.contact = score, scale, contact
                existing.save(update_fields=["score", "scale_max", "contact"])
                result.updated += 1
            else:
                result.unchanged += 1
    return result
