from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from presales.core.pages import current_user
from presales.people import services


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
