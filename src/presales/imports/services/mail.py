"""E-mail becomes activities: ``.eml`` files (one message each) and ``.mbox`` files (a mail
client's export of a folder), each message keyed on its Message-ID so a re-import or a message
met in two exports creates nothing twice.

A message belongs to the account most of its outside participants' domains belong to, and to a
deal by its thread: a reply goes where the message it answers went; a thread's first message
goes to the account's deal when the account has exactly one open deal. The plain-text body is
kept as a note on the activity. Participants who are Presales users or known contacts are
linked, as for calendars.
"""

from __future__ import annotations

import mailbox
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from presales.accounts.models import AccountDomain
from presales.activities.models import Activity, Kind
from presales.deals.models import OPEN_STAGES, Opportunity
from presales.imports.services.engine import Record, Target, digest_of
from presales.imports.services.ics import link_people
from presales.imports.services.profiles import FilePlan, Item, Profile
from presales.imports.services.report import Issue
from presales.imports.services.sources import UnusableInput
from presales.imports.services.values import domain_of
from presales.notes.models import Note

SOURCE = "email"
SUFFIXES = (".eml", ".mbox")

MAIL_ACTIVITY = Target(
    "activity",
    Activity,
    columns=(
        "kind",
        "subject",
        "description",
        "starts_at",
        "ends_at",
        "status",
        "customer_facing",
        "account_id",
        "opportunity_id",
    ),
)


def message_key(message_id: str) -> str:
    """The external id of a message: its Message-ID without brackets, shortened to a digest
    when longer than the column."""
    key = message_id.strip().strip("<>").strip()
    return key if len(key) <= 64 else "sha:" + digest_of([key])


def _thread_ids(message: EmailMessage) -> list[str]:
    """The messages this one answers, nearest first (In-Reply-To, then References backwards)."""
    found: list[str] = []
    for header in ("In-Reply-To", "References"):
        text = str(message.get(header, "") or "")
        ids = [part.strip() for part in text.replace(">", "> ").split() if part.strip()]
        found += reversed(ids) if header == "References" else ids
    return list(dict.fromkeys(message_key(i) for i in found if i.strip("<>")))


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        from django.utils.html import strip_tags

        text = strip_tags(text)
    return str(text).strip()


class MailFile:
    """One ``.eml`` or ``.mbox`` file; rows in the report are the message's position in it."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise UnusableInput(f"{path}: no such file")
        self.path = path
        self._done = 0
        self.domains = dict(AccountDomain.objects.values_list("domain", "account_id"))
        # Deals already given to messages of earlier imports and of this file, by message key.
        self.thread_deals: dict[str, int | None] = {}
        self._only_deal: dict[int, int | None] = {}

    def messages(self) -> Iterator[EmailMessage]:
        parser = BytesParser(policy=policy.default)
        if self.path.suffix.lower() == ".mbox":
            box = mailbox.mbox(self.path, factory=None, create=False)
            try:
                for raw in box.itervalues():
                    yield parser.parsebytes(raw.as_bytes())
            finally:
                box.close()
            return
        yield parser.parsebytes(self.path.read_bytes())

    def items(self) -> Iterator[Item]:
        for position, message in enumerate(self.messages(), start=1):
            try:
                record = self._record(message)
            except ValueError as exc:
                yield Item(position, None, [self._issue(position, exc)])
                continue
            record.file, record.line = self.path.name, position
            yield Item(position, record)
        self._done = self.path.stat().st_size

    def _issue(self, position: int, exc: ValueError) -> Issue:
        column, _, reason = str(exc).partition(": ")
        return Issue(self.path.name, position, column, reason or str(exc), kind="activity")

    def _record(self, message: EmailMessage) -> Record:
        message_id = str(message.get("Message-ID", "") or "").strip()
        if not message_id.strip("<> "):
            raise ValueError("Message-ID: is missing: a message needs one to be imported once")
        try:
            sent = parsedate_to_datetime(str(message.get("Date", "")))
        except (TypeError, ValueError):
            raise ValueError("Date: is missing or not a date") from None
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        key = message_key(message_id)
        people = [
            address.lower()
            for _name, address in getaddresses(
                [str(v) for h in ("From", "To", "Cc") for v in message.get_all(h, [])]
            )
            if "@" in address
        ]
        people = list(dict.fromkeys(people))
        accounts = Counter(
            self.domains[d] for d in (domain_of(p) for p in people) if d in self.domains
        )
        account = accounts.most_common(1)[0][0] if accounts else None
        # A message imported before keeps its deal; otherwise the thread decides.
        deal = self._deal([key, *_thread_ids(message)], account)
        self.thread_deals[key] = deal
        subject = " ".join(str(message.get("Subject", "") or "").split()) or "(no subject)"
        body = _body(message)
        values = (
            Kind.EMAIL,
            subject[:255],
            "",
            sent,
            sent,
            Activity.Status.HELD if sent <= datetime.now(UTC) else Activity.Status.PLANNED,
            False,
            account,
            deal,
        )
        digest = digest_of([key, subject, body, sent.isoformat(), str(account), str(deal), *people])
        return Record("activity", key, values, digest=digest, extra=(body, *people))

    def _deal(self, thread: list[str], account: int | None) -> int | None:
        """The deal the message had, else that of the message it answers, else the account's
        only open deal."""
        unknown = [k for k in thread if k not in self.thread_deals]
        if unknown:
            for key, deal in Activity.objects.filter(
                source=SOURCE, external_id__in=unknown
            ).values_list("external_id", "opportunity_id"):
                self.thread_deals[key] = deal
        for key in thread:
            if self.thread_deals.get(key):
                return self.thread_deals[key]
        if account is None:
            return None
        if account not in self._only_deal:
            open_deals = list(
                Opportunity.objects.filter(account_id=account, stage__in=OPEN_STAGES).values_list(
                    "pk", flat=True
                )[:2]
            )
            self._only_deal[account] = open_deals[0] if len(open_deals) == 1 else None
        return self._only_deal[account]

    def plan(self) -> FilePlan:
        return FilePlan(
            name=self.path.name,
            kind="activity",
            label="e-mail",
            items=self.items,
            size=lambda: self.path.stat().st_size,
            done=lambda: self._done,
        )


def keep_bodies(written: list[tuple[int, Record]]) -> None:
    """The body of each message is a note on its activity (and so on its account and deal);
    participants are linked as for calendars."""
    if not written:
        return
    link_people([(pk, replace(r, extra=r.extra[1:])) for pk, r in written])
    ids = [pk for pk, _ in written]
    Note.objects.filter(source=SOURCE, activity_id__in=ids).delete()
    notes = []
    for pk, record in written:
        body = record.extra[0] if record.extra else ""
        if not body:
            continue
        account, deal = record.values[7], record.values[8]
        notes.append(
            Note(
                body=body,
                activity_id=pk,
                account_id=account,
                opportunity_id=deal,
                source=SOURCE,
                external_id=record.external_id,
                created_at=record.values[3],
            )
        )
    Note.objects.bulk_create(notes)


def plan(paths: list[Path]) -> list[FilePlan]:
    return [MailFile(path).plan() for path in paths]


def profile() -> Profile:
    return Profile(
        source=SOURCE,
        plan=plan,
        targets={"activity": MAIL_ACTIVITY},
        writers={},
        hooks={"activity": [keep_bodies]},
    )
