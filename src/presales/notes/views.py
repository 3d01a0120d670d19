from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from presales.core.pages import current_user
from presales.notes import services


def _target_id(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


@require_POST
def note_create(request: HttpRequest) -> HttpResponse:
    """Add a note to an account, a deal or an activity from its page."""
    fields = {
        "body": request.POST.get("body", ""),
        "account_id": _target_id(request, "account_id"),
        "opportunity_id": _target_id(request, "opportunity_id"),
        "activity_id": _target_id(request, "activity_id"),
    }
    error = ""
    note = None
    try:
        note = services.create_note(actor=current_user(request), fields=fields)
    except ValidationError as exc:
        error = " ".join(m for messages in exc.message_dict.values() for m in messages)
    if request.headers.get("HX-Request"):
        status = 201 if note else 422
        response = render(
            request, "notes/note_created.html", {"note": note, "error": error}, status=status
        )
        if note is None:
            # htmx swaps only 2xx by default; send the error to the form's message slot.
            response["HX-Retarget"] = "#note-form-error"
            response["HX-Reswap"] = "innerHTML"
        return response
    back = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)
