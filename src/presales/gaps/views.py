"""Product-gap pages: the ranking (product management's view), the answer queue, a gap with its
answer, deals, merges and look-alikes, and the form that writes a gap down."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.errors import error_lines
from presales.core.pages import current_user, page_of, render_list, visible_or_404
from presales.deals.access import opportunities_for
from presales.deals.models import Opportunity
from presales.gaps import analytics, export, services, similarity
from presales.gaps.access import can_answer_gap, can_merge_gaps, gaps_for
from presales.gaps.models import GapMerge, Impact, ProductGap, Status
from presales.meetings.access import debriefs_for
from presales.meetings.models import RaisedGap
from presales.notes.models import Note


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


# The labels the gap pages show, for errors that name a field.
FIELD_LABELS = {
    "answer_text": "Exact words given to the customer",
    "status": "Answer",
    "committed_release": "Release",
    "committed_on": "Release date",
    "declined_reason": "Why declined",
    "customer_rank": "Customer's rank",
    "ranked_against": "Ranked against",
    "review_due_on": "Review due",
    "target_id": "Merge into gap id",
    "into_id": "Merge into gap id",
    "opportunity_id": "Deal id",
    "impact": "Impact",
    "title": "Title",
    "description": "Description",
    "product_area": "Product area",
}


def _errors(exc: ValidationError) -> list[str]:
    return error_lines(exc, labels=FIELD_LABELS, model=ProductGap)


def _filters(request: HttpRequest) -> tuple[analytics.RankingFilters, dict[str, Any]]:
    since, until = _day(request.GET.get("since", "")), _day(request.GET.get("until", ""))
    tz = timezone.get_current_timezone()
    status = request.GET.get("status", "")
    raw: dict[str, Any] = {
        "area": request.GET.get("area", ""),
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "status": status if status in Status.values else "",
        "maybes": request.GET.get("maybes", "") == "1",
        "order": request.GET.get("order", "revenue"),
        "q": request.GET.get("q", "").strip(),
    }
    filters = analytics.RankingFilters(
        product_area=raw["area"],
        since=datetime.combine(since, time.min, tzinfo=tz) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None,
        status=raw["status"],
        maybes_only=raw["maybes"],
        order=raw["order"] if raw["order"] in analytics.ORDERS else "revenue",
        q=raw["q"],
    )
    return filters, raw


def gap_list(request: HttpRequest) -> HttpResponse:
    """Gaps ranked by revenue at stake, accounts or lost revenue: product management's view."""
    user = current_user(request)
    today = timezone.localdate()
    filters, raw = _filters(request)
    rows = analytics.ranked_gaps(user, filters, today=today)
    return render_list(
        request,
        "gaps/gap_list.html",
        {
            "page": page_of(request, rows),
            "f": raw,
            "areas": analytics.product_areas(user),
            "statuses": Status.choices,
            "orders": [
                ("revenue", "Revenue at stake"),
                ("accounts", "Accounts"),
                ("lost", "Revenue lost"),
                ("newest", "Newest"),
            ],
            "figures": analytics.maybe_figures(user, today=today),
            "today": today,
        },
    )


def gap_export(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    filters, _ = _filters(request)
    rows = analytics.ranked_gaps(user, filters, today=today)[:50_000]
    response = HttpResponse(export.gaps_csv(rows, today=today), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="product-gaps-{today}.csv"'
    return response


def gap_queue(request: HttpRequest) -> HttpResponse:
    """What product management owes an answer on: maybes (oldest first), then due next."""
    user = current_user(request)
    today = timezone.localdate()
    maybes = analytics.maybes_for(user, today=today)
    due = (
        gaps_for(user)
        .filter(status=Status.UNDER_REVIEW, merged_into__isnull=True, review_due_on__gte=today)
        .select_related("account", "team")
        .order_by("review_due_on", "-revenue_at_stake", "id")
    )
    return render(
        request,
        "gaps/gap_queue.html",
        {
            "maybes": maybes[:100],
            "maybe_count": maybes.count(),
            "due": due[:50],
            "due_count": due.count(),
            "figures": analytics.maybe_figures(user, today=today),
            "today": today,
        },
    )


def _source(request: HttpRequest) -> dict[str, Any]:
    """What the new gap comes from: a debrief's raised gap, a note's sentence, or nothing."""
    params = request.POST if request.method == "POST" else request.GET
    raw_raised, raw_note = params.get("raised", ""), params.get("note", "")
    if raw_raised.isdigit():
        raised = (
            RaisedGap.objects.filter(
                pk=int(raw_raised), debrief__in=debriefs_for(request.user).values("pk")
            )
            .select_related("account", "opportunity")
            .first()
        )
        if raised is None:
            raise Http404("No raised gap with that id that you can see.")
        return {"raised": raised, "existing": services.gap_of_raised(raised)}
    if raw_note.isdigit():
        note = visible_or_404(request, Note, int(raw_note))
        sentences = services.feature_requests(note.body)
        return {"note": note, "sentences": sentences}
    return {}


def gap_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    source = _source(request)
    errors: list[str] = []
    if source.get("existing") is not None:
        messages.info(request, "This raised gap is already a product gap.")
        return redirect("gap_detail", gap_id=source["existing"].pk)
    if request.method == "POST":
        p = request.POST
        fields = {
            "title": p.get("title", "").strip(),
            "description": p.get("description", "").strip(),
            "product_area": p.get("product_area", "").strip(),
            "workaround": p.get("workaround", "").strip(),
        }
        impact = p.get("impact", Impact.IMPORTANT)
        try:
            if "raised" in source:
                gap, _ = services.gap_from_raised(
                    actor=user, raised=source["raised"], fields=fields, impact=impact
                )
            elif "note" in source:
                gap = services.gap_from_note(
                    actor=user, note=source["note"], sentence=p.get("sentence", ""), fields=fields
                )
            else:
                deal = p.get("opportunity_id", "").strip()
                links = [{"opportunity_id": int(deal), "impact": impact}] if deal.isdigit() else []
                gap = services.propose_gap(actor=user, fields=fields, links=links)
            messages.success(request, "Product gap written down; product management will answer.")
            return redirect("gap_detail", gap_id=gap.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    raised = source.get("raised")
    sentences = source.get("sentences", [])
    initial = {
        "title": services.title_of(raised.text) if raised else (sentences[0] if sentences else ""),
        "description": raised.text if raised else "",
        "sentence": sentences[0] if sentences else "",
    }
    form = request.POST if errors else initial
    text = f"{form.get('title', '')}\n{form.get('description', '')}"
    return render(
        request,
        "gaps/gap_form.html",
        {
            **source,
            "form": form,
            "errors": errors,
            "impacts": Impact.choices,
            "suggestions": similarity.suggest_similar(actor=user, text=text)
            if text.strip()
            else [],
            "deals": opportunities_for(user)
            .exclude(stage__in=["won", "lost"])
            .order_by("name")[:200]
            if not source
            else [],
        },
        status=422 if errors else 200,
    )


def gap_similar(request: HttpRequest) -> HttpResponse:
    """Look-alike gaps for the text being written (htmx, as the SE types)."""
    text = f"{request.GET.get('title', '')}\n{request.GET.get('description', '')}"
    exclude = request.GET.get("exclude", "")
    found = (
        similarity.suggest_similar(
            actor=current_user(request),
            text=text[:5000],
            exclude_ids=[int(exclude)] if exclude.isdigit() else [],
        )
        if text.strip()
        else []
    )
    return render(request, "gaps/_suggestions.html", {"suggestions": found})


def gap_detail(request: HttpRequest, gap_id: int) -> HttpResponse:
    user = current_user(request)
    gap: ProductGap = visible_or_404(request, ProductGap, gap_id)
    revenue = analytics.revenue_of_gap(gap, user)
    merges = (
        GapMerge.objects.filter(target=gap) | GapMerge.objects.filter(source=gap)
    ).select_related("source", "target", "merged_by", "undone_by")
    return render(
        request,
        "gaps/gap_detail.html",
        {
            "gap": gap,
            "revenue": revenue,
            "answers": gap.answers.select_related("answered_by"),
            "merged_gaps": gap.merged_gaps.prefetch_related("answers"),
            "merges": merges.order_by("-merged_at", "-id"),
            "contacts": gap.contacts.all(),
            "competitors": gap.competitors.all(),
            "can_answer": can_answer_gap(user, gap),
            "can_edit": access.can_change(user, gap),
            "can_merge": can_merge_gaps(user),
            "statuses": Status.choices,
            "impacts": Impact.choices,
            "suggestions": similarity.suggest_similar(
                actor=user, text=similarity.gap_text(gap), exclude_ids=[gap.pk]
            )
            if not gap.is_merged
            else [],
            "today": timezone.localdate(),
        },
    )


@require_POST
def gap_action(request: HttpRequest, gap_id: int, action: str) -> HttpResponse:
    """The gap page's forms: answer, link or unlink a deal, merge, undo a merge."""
    user = current_user(request)
    gap: ProductGap = visible_or_404(request, ProductGap, gap_id)
    p = request.POST
    try:
        if action == "answer":
            rank = p.get("customer_rank", "").strip()
            services.answer_gap(
                actor=user,
                gap=gap,
                status=p.get("status", ""),
                answer_text=p.get("answer_text", ""),
                committed_release=p.get("committed_release", ""),
                committed_on=_day(p.get("committed_on", "")),
                declined_reason=p.get("declined_reason", ""),
                customer_rank=int(rank) if rank.isdigit() else None,
                ranked_against=p.get("ranked_against", ""),
                review_due_on=_day(p.get("review_due_on", "")),
            )
            messages.success(request, "Answer recorded.")
        elif action in ("link", "unlink"):
            deal = p.get("opportunity_id", "").strip()
            if not deal.isdigit():
                raise ValidationError({"opportunity_id": "Give the deal's id."})
            visible_or_404(request, Opportunity, int(deal))
            if action == "link":
                services.link_opportunity(
                    actor=user,
                    gap=gap,
                    opportunity_id=int(deal),
                    impact=p.get("impact", Impact.IMPORTANT),
                    cited_as_loss_reason=p.get("cited") == "1",
                )
            else:
                services.unlink_opportunity(actor=user, gap=gap, opportunity_id=int(deal))
            messages.success(request, "Deals updated.")
        elif action == "merge":
            into = p.get("into_id", "").strip()
            target = visible_or_404(request, ProductGap, int(into)) if into.isdigit() else None
            if target is None:
                raise ValidationError({"into_id": "Give the id of the gap to merge into."})
            services.merge_gaps(actor=user, source=gap, target=target)
            messages.success(request, f"Merged into “{target.title}”. You can undo it below.")
            return redirect("gap_detail", gap_id=target.pk)
        elif action == "undo":
            merge_id = p.get("merge_id", "")
            merge = (
                GapMerge.objects.filter(pk=int(merge_id)).filter(source=gap).first()
                or GapMerge.objects.filter(pk=int(merge_id)).filter(target=gap).first()
                if merge_id.isdigit()
                else None
            )
            if merge is None:
                raise Http404("No such merge on this gap.")
            services.undo_merge(actor=user, merge=merge)
            messages.success(request, "Merge undone.")
        else:
            raise Http404("Unknown action.")
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return redirect("gap_detail", gap_id=gap.pk)
