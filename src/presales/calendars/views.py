from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.calendars import jobs
from presales.calendars.access import subscriptions_for
from presales.calendars.models import Subscription
from presales.calendars.services import MAX_SUBSCRIPTIONS, subscribe, unsubscribe
from presales.core.pages import current_user, page_of
from presales.core.services import MAX_ID


def _subscription_or_404(request: HttpRequest, subscription_id: int) -> Subscription:
    found = None
    if 0 < subscription_id <= MAX_ID:
        found = subscriptions_for(request.user).filter(pk=subscription_id).first()
    if found is None:
        raise Http404(f"No calendar subscription with id {subscription_id} that you can see.")
    return found


def subscription_list(request: HttpRequest) -> HttpResponse:
    """The person's calendars (an administrator sees everyone's); POST adds one."""
    user = current_user(request)
    form = {"name": "", "url": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {"name": request.POST.get("name", ""), "url": request.POST.get("url", "")}
        try:
            added = subscribe(user=user, name=form["name"], url=form["url"])
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            job = jobs.start_refresh(added, user)
            messages.success(
                request, f"Subscribed to {added.name}; its first fetch runs now (job {job.pk})."
            )
            return redirect("subscription_list")
    rows = subscriptions_for(user).select_related("user", "run")
    return render(
        request,
        "calendars/subscription_list.html",
        {
            "page": page_of(request, rows),
            "form": form,
            "errors": errors,
            "limit": MAX_SUBSCRIPTIONS,
        },
        status=422 if errors else 200,
    )


@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    found = _subscription_or_404(request, subscription_id)
    unsubscribe(actor=current_user(request), subscription=found)
    messages.success(request, f"{found.name} is no longer fetched; its activities stay.")
    return redirect("subscription_list")


@require_POST
def subscription_refresh(request: HttpRequest, subscription_id: int) -> HttpResponse:
    found = _subscription_or_404(request, subscription_id)
    job = jobs.start_refresh(found, current_user(request))
    return redirect("job_detail", job_id=job.pk)
