"""The user's own pages: settings (time zone) and personal API tokens (list, make, revoke)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from presales.core.pages import current_user, page_of
from presales.core.services import MAX_ID
from presales.people import services

EXPIRY_CHOICES = [
    (30, "30 days"),
    (90, "90 days"),
    (180, "180 days"),
    (365, "1 year"),
    (0, "Never"),
]


def token_list(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    context: dict[str, object] = {
        "expiry_choices": EXPIRY_CHOICES,
        "default_days": services.DEFAULT_TOKEN_DAYS,
        "errors": {},
        "name": "",
    }
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "")
        raw_days = request.POST.get("expires_in_days", str(services.DEFAULT_TOKEN_DAYS))
        context["name"] = name
        try:
            days = int(raw_days)
            token, plain = services.create_token(
                user=viewer, name=name, expires_in_days=days or None
            )
        except ValueError:
            context["errors"] = {"expires_in_days": ["Choose one of the offered periods."]}
            status = 422
        except ValidationError as exc:
            context["errors"] = exc.message_dict
            status = 422
        else:
            # Shown in this response only: never stored in the session or a message.
            context.update(new_token=token, plain=plain, name="")
    tokens = services.tokens_for(viewer)
    context["page"] = page_of(request, tokens)
    context["now"] = timezone.now()
    return render(request, "people/token_list.html", context, status=status)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    viewer = current_user(request)
    token = services.tokens_for(viewer).filter(pk=token_id).first() if token_id <= MAX_ID else None
    if token is None:
        raise Http404(f"No token with id {token_id} that you can see.")
    services.revoke_token(token=token, by=viewer)
    messages.success(request, f"Token “{token.name}” ({token.prefix}…) is revoked.")
    return redirect("token_list")


def my_settings(request: HttpRequest) -> HttpResponse:
    """The user's own settings: the time zone they read and type times in."""
    user = current_user(request)
    error = ""
    if request.method == "POST":
        try:
            services.set_time_zone(actor=user, time_zone=request.POST.get("time_zone", ""))
        except ValidationError as exc:
            error = " ".join(m for ms in exc.message_dict.values() for m in ms)
        else:
            messages.success(request, "Time zone saved.")
            return redirect("my_settings")
    return render(
        request,
        "people/my_settings.html",
        {
            "zones": services.time_zone_names(),
            "chosen": request.POST.get("time_zone", user.time_zone) if error else user.time_zone,
            "site_zone": settings.TIME_ZONE,
            "error": error,
        },
        status=422 if error else 200,
    )
