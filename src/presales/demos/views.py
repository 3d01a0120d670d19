"""Pages of the demo catalog: the catalog (search by meaning), a demo with its statistics, the
form to add or edit one, the statistics of every demo, and the demos a meeting showed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.accounts.models import Account
from presales.activities.access import activities_for
from presales.activities.models import Activity
from presales.core import access
from presales.core.pages import current_user, page_of, visible_or_404
from presales.demos import matching, services
from presales.demos.access import can_curate, demos_for
from presales.demos.charts import interval_chart
from presales.demos.forms import DemoForm
from presales.demos.models import Demo, DemoShown
from presales.demos.stats import Filters, demo_statistics, rendered_table
from presales.demos.texts import KIND
from presales.lab.guided import self_guided_figures
from presales.products.models import Product
from presales.texts.services.searching import search_texts


def _search(request: HttpRequest, query: str) -> tuple[list[int], str]:
    """Demo ids best answering ``query`` by meaning and words, and any notice to show."""
    try:
        result = search_texts(actor=current_user(request), query=query, kind=KIND, limit=50)
    except ValidationError as exc:
        return [], " ".join(exc.messages)
    return [hit.text.object_id for hit in result.hits], result.notice


def catalog(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = demos_for(user).select_related("owner").prefetch_related("products")
    state = request.GET.get("state", "")
    if state in Demo.State.values:
        rows = rows.filter(state=state)
    else:
        state = ""
        rows = rows.exclude(state=Demo.State.RETIRED)
    query = request.GET.get("q", "").strip()
    notice = ""
    ranked: list[Demo] | None = None
    if query:
        ids, notice = _search(request, query)
        found = rows.in_bulk(ids)
        ranked = [found[pk] for pk in ids if pk in found]
    return render(
        request,
        "demos/catalog.html",
        {
            "page": None if ranked is not None else page_of(request, rows),
            "ranked": ranked,
            "q": query,
            "notice": notice,
            "state": state,
            "states": Demo.State.choices,
        },
    )


def _form_page(
    request: HttpRequest, form: DemoForm, demo: Demo | None, status: int = 200
) -> HttpResponse:
    return render(request, "demos/demo_form.html", {"form": form, "demo": demo}, status=status)


def demo_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user.role != "product_manager", "Product management reads the catalog.")
    if request.method != "POST":
        return _form_page(request, DemoForm(), None)
    form = DemoForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        products = [p.pk for p in data.pop("products")]
        data.pop("change_note", None)
        try:
            demo = services.create_demo(actor=user, fields=data, product_ids=products)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Demo added as a draft: share it when it is ready.")
            return redirect("demo_detail", demo.pk)
    return _form_page(request, form, None, 422)


def demo_edit(request: HttpRequest, demo_id: int) -> HttpResponse:
    user = current_user(request)
    demo = visible_or_404(request, Demo, demo_id)
    access.require(access.can_change(user, demo), "Only the demo's owner or a manager edits it.")
    if request.method != "POST":
        return _form_page(request, DemoForm(instance=demo), demo)
    form = DemoForm(request.POST, instance=Demo.objects.get(pk=demo.pk))
    if form.is_valid():
        data = dict(form.cleaned_data)
        products = [p.pk for p in data.pop("products")]
        note = data.pop("change_note", "") or ""
        try:
            services.update_demo(
                actor=user, demo=demo, fields=data, product_ids=products, change_note=note
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved; the former version is in the history.")
            return redirect("demo_detail", demo.pk)
    return _form_page(request, form, demo, 422)


def demo_detail(request: HttpRequest, demo_id: int) -> HttpResponse:
    user = current_user(request)
    demo = visible_or_404(request, Demo, demo_id)
    stats = demo_statistics(actor=user)
    row = next((r for r in stats.demos if r.id == demo.pk), None)
    # The meetings it was shown in, among those the user sees (from the demo's showings, so
    # the visibility filter applies to a few hundred rows, not to every activity).
    shown = (
        activities_for(user)
        .filter(demos_shown__demo=demo, demos_shown__status=DemoShown.Status.SHOWN)
        .select_related("opportunity", "account")
        .order_by("-starts_at", "-pk")
    )
    moves = [
        (to, Demo.State(to).label)
        for (start, to), curated in services.MOVES.items()
        if start == demo.state and (not curated or can_curate(user))
    ]
    return render(
        request,
        "demos/demo_detail.html",
        {
            "demo": demo,
            "row": row,
            "stats": stats,
            "chart": interval_chart([row.advanced, row.win_rate], title="With and without it")
            if row
            else "",
            "shown": page_of(request, shown, per_page=10),
            "versions": demo.versions.select_related("saved_by")[:20],
            "forks": demos_for(user).filter(forked_from=demo),
            "can_change": access.can_change(user, demo),
            "moves": moves,
            "can_fork": user.role != "product_manager",
            "self_guided": self_guided_figures(actor=user, demo=demo),
        },
    )


@require_POST
def demo_action(request: HttpRequest, demo_id: int, action: str) -> HttpResponse:
    user = current_user(request)
    demo = visible_or_404(request, Demo, demo_id)
    try:
        if action == "fork":
            copy = services.fork_demo(actor=user, demo=demo)
            messages.success(request, "Your own draft copy: change it as you need.")
            return redirect("demo_detail", copy.pk)
        if action == "state":
            services.move_demo(actor=user, demo=demo, to_state=request.POST.get("state", ""))
            messages.success(request, f"The demo is now {demo.get_state_display().lower()}.")
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("demo_detail", demo.pk)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def demo_stats(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    get = request.GET
    product = get.get("product", "")
    team = get.get("team", "")
    segment = get.get("segment", "")
    filters = Filters(
        product_id=int(product) if product.isdigit() and len(product) < 12 else None,
        segment=segment if segment in Account.Size.values else "",
        team_id=int(team) if team.isdigit() and len(team) < 12 else None,
        since=_date(get.get("since", "")),
        until=_date(get.get("until", "")),
    )
    stats = demo_statistics(actor=user, filters=filters)
    return render(
        request,
        "demos/stats.html",
        {
            "stats": stats,
            "table": rendered_table(stats),
            "filters": filters,
            "products": Product.objects.filter(active=True),
            "teams": access.teams_for(user).order_by("name"),
            "segments": Account.Size.choices,
        },
    )


def _shown_post(request: HttpRequest, user: Any, activity: Activity) -> None:
    """The forms of the page below that add to, confirm or reject what a meeting showed."""
    post = request.POST
    form = post.get("form")
    ids = [int(v) for v in post.getlist("demos") if v.isdigit() and len(v) < 12]
    if form == "meaning":
        demos = matching.record_shown(
            actor=user, activity=activity, demo_ids=ids, how=DemoShown.Matched.MEANING
        )
        messages.success(request, "Recorded: " + "; ".join(d.title for d in demos) + ".")
    elif form in ("confirm", "reject"):
        demo_id = post.get("demo", "")
        if not demo_id.isdigit() or len(demo_id) > 11:
            raise ValidationError({"demo": "Choose a demo to confirm or reject."})
        demo = matching.decide(
            actor=user, activity=activity, demo_id=int(demo_id), shown=form == "confirm"
        )
        done = "counted as shown" if form == "confirm" else "marked as not shown"
        messages.success(request, f"{demo.title}: {done}.")


def demos_shown(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Record the demos a meeting showed: by what was shown (suggestions by meaning), by name,
    ticked in the catalog; and confirm or reject those an import's subject seemed to name."""
    user = current_user(request)
    activity: Activity = visible_or_404(request, Activity, activity_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("form") in ("meaning", "confirm", "reject"):
                _shown_post(request, user, activity)
            elif request.POST.get("form") == "quick":
                found = services.log_demo_shown(
                    actor=user, activity=activity, name=request.POST.get("name", "")
                )
                messages.success(request, f"Recorded: {found.title}.")
            else:
                ids = [int(v) for v in request.POST.getlist("demos") if v.isdigit()]
                services.set_demos_shown(actor=user, activity=activity, demo_ids=ids)
                messages.success(request, f"{len(ids)} demo(s) recorded as shown.")
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("demos_shown", activity.pk)
    access.require(access.can_change(user, activity), "Only who may change the meeting does this.")
    rows = DemoShown.objects.filter(activity=activity).select_related("demo")
    chosen = {row.demo_id for row in rows if row.status == DemoShown.Status.SHOWN}
    waiting = [row for row in rows if row.status == DemoShown.Status.TO_CONFIRM]
    choices: Any = demos_for(user).exclude(state=Demo.State.RETIRED).order_by("-state", "title")
    about = " ".join(request.GET.get("about", "").split())[:500]
    suggested: matching.Suggestions | None = None
    if about:
        try:
            suggested = matching.suggest_demos(actor=user, text=about)
        except ValidationError as exc:
            errors = errors + exc.messages
    return render(
        request,
        "demos/shown.html",
        {
            "activity": activity,
            "choices": choices,
            "chosen": chosen,
            "waiting": waiting,
            "about": about,
            "suggested": suggested,
            "errors": errors,
        },
        status=422 if errors else 200,
    )
