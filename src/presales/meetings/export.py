"""The meeting plan as Markdown and as a one-page printable PDF.

The PDF is drawn with fpdf2, a pure-Python library: it installs from PyPI with no browser and
no system libraries, so ``presales plan --format pdf`` works on a bare server. Its built-in
Helvetica covers Latin-1 only, so typographic characters outside it are replaced by plain ones.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from fpdf import FPDF

from presales.activities.access import activities_for
from presales.activities.models import Activity
from presales.core.pdf import latin1 as _latin1
from presales.core.pdf import markdown
from presales.core.pdf import write_row as _row
from presales.meetings.planner import Plan, build_plan
from presales.people.models import User

PDF_FONT_SIZES = (10.0, 9.0, 8.0, 7.0, 6.5)


def _when(plan: Plan) -> str:
    start = timezone.localtime(plan.activity.starts_at)
    return f"{start:%a %d %b %Y %H:%M} · {plan.activity.duration_minutes} min"


def sections(plan: Plan) -> Iterator[tuple[str, list[str]]]:
    """The plan as (heading, lines): one structure both exports render."""
    a = plan.activity
    facts = [f"When: {_when(plan)}"]
    if a.account:
        facts.append(f"Account: {a.account}")
    if a.opportunity:
        o = a.opportunity
        facts.append(f"Deal: {o} ({o.get_stage_display()})")
    if plan.last_meeting:
        facts.append(
            f"Last meeting: {plan.last_meeting.subject} on "
            f"{timezone.localtime(plan.last_meeting.starts_at):%d %b %Y}"
        )
    yield "The meeting", facts
    yield "Outcomes this call must obtain", plan.outcomes or ["(none written yet)"]
    if plan.agenda:
        yield "Agenda", [f"{i}. {item}" for i, item in enumerate(plan.agenda, start=1)]
    people = [
        f"{p.name}, {p.title or 'no title'} · {p.role} · {p.sentiment}"
        + (f" · needs: {p.needs}" if p.needs else "")
        for p in plan.attendees
    ]
    ours = ", ".join(str(u) for u in plan.our_people)
    yield "Attendees", [*(people or ["(no customer attendees named)"]), f"Us: {ours or '—'}"]
    c = plan.commitments
    rows = [f"OVERDUE: {_commitment(x)}" for x in c.overdue]
    rows += [f"Open: {_commitment(x)}" for x in c.open]
    rows += [f"Kept since last meeting: {_commitment(x)}" for x in c.kept_since_last]
    rows += [f"Broken since last meeting: {_commitment(x)}" for x in c.broken_since_last]
    yield "Commitments", rows or ["(none recorded)"]
    notes = [
        f"{'NEW ' if n.new else ''}{timezone.localtime(n.when):%d %b} {n.author}: {n.text}"
        for n in plan.notes
    ]
    for d in plan.debriefs:
        if d.next_steps:
            notes.append(f"Next steps from {d.activity.subject}: {d.next_steps}")
    yield "Digest of prior notes", notes or ["(no prior notes)"]
    yield "Product gaps raised", [g.text for g in plan.gaps] or ["(none)"]
    topics = [
        f"{t.name} ({t.why}): {t.answer or 'no prepared answer yet: prepare one'}"
        for t in plan.topics
    ]
    topics += [
        f"Like '{s.activity.subject}' ({s.activity.account or 'no account'}): "
        f"worked: {s.went_right or '—'}; did not: {s.went_wrong or '—'}"
        for s in plan.similar
    ]
    yield "Likely topics and prepared answers", topics or ["(nothing matched the topic map)"]
    risks = [*plan.warnings]
    if plan.missing_criteria:
        risks.append("Qualification missing: " + "; ".join(plan.missing_criteria))
    for issue in plan.issues:
        state = f"confirmed {issue.confirmed_on:%d %b %Y}" if issue.confirmed else "unconfirmed"
        risks.append(f"Business issue ({state}): {issue.paraphrase or issue.customer_words}")
    if risks:
        yield "Risks and open questions", risks


def _commitment(c: object) -> str:
    from presales.meetings.models import Commitment

    assert isinstance(c, Commitment)
    to = f" to {c.promised_to}" if c.promised_to else ""
    return f"{c.promised_by}{to}: {c.what} (due {c.due_on:%d %b %Y})"


def to_markdown(plan: Plan) -> str:
    return markdown(f"Plan: {plan.activity.subject}", list(sections(plan)))


def to_pdf(plan: Plan) -> bytes:
    """One A4 page: the font shrinks until the plan fits, then long lists are cut."""
    content = list(sections(plan))
    for size in PDF_FONT_SIZES:
        pdf = _draw(plan, content, size, max_rows=None)
        if pdf.pages_count == 1:
            return bytes(pdf.output())
    for max_rows in (6, 4, 3, 2):
        pdf = _draw(plan, content, PDF_FONT_SIZES[-1], max_rows=max_rows)
        if pdf.pages_count == 1:
            break
    return bytes(pdf.output())


def _draw(
    plan: Plan, content: list[tuple[str, list[str]]], size: float, max_rows: int | None
) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(_latin1(f"Plan: {plan.activity.subject}"))
    pdf.set_creator("Presales")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=size + 4)
    _row(pdf, (size + 4) * 0.5, f"Plan: {plan.activity.subject}")
    line = size * 0.45
    for heading, rows in content:
        pdf.ln(line * 0.4)
        pdf.set_font("Helvetica", style="B", size=size + 1)
        _row(pdf, line, heading)
        pdf.set_font("Helvetica", size=size)
        shown = rows if max_rows is None else rows[:max_rows]
        for row in shown:
            _row(pdf, line, f"- {row}")
        if len(shown) < len(rows):
            _row(pdf, line, f"  (+{len(rows) - len(shown)} more in the app)")
    return pdf


def render_plan(*, activity_id: int, fmt: str, viewer: User | None) -> bytes:
    """The plan of one activity as Markdown (UTF-8) or PDF bytes, for the CLI and scripts.

    Raises LookupError when the activity does not exist or ``viewer`` may not see it.
    """
    if fmt not in ("md", "pdf"):
        raise ValueError(f"Unknown format {fmt!r}: use md or pdf.")
    rows = Activity.objects.all() if viewer is None else activities_for(viewer)
    activity = rows.filter(pk=activity_id).first()
    if activity is None:
        raise LookupError(f"No activity with id {activity_id}.")
    plan = build_plan(activity=activity, viewer=viewer)
    return to_pdf(plan) if fmt == "pdf" else to_markdown(plan).encode()
