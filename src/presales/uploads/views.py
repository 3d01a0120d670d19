from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from presales.core import access
from presales.core.pages import current_user
from presales.core.services import MAX_ID
from presales.imports.access import can_change_import_settings
from presales.imports.models import ImportedRecord, Picklist, ValueMapping
from presales.imports.services import PROFILES
from presales.imports.services.picklists import CHOICES
from presales.jobs.models import Job
from presales.jobs.services import error_of
from presales.people.models import User
from presales.uploads import jobs
from presales.uploads.access import can_upload, uploads_for
from presales.uploads.models import Upload
from presales.uploads.services import store


def _upload_or_404(request: HttpRequest, upload_id: int) -> Upload:
    upload = None
    if 0 < upload_id <= MAX_ID:
        upload = uploads_for(request.user).filter(pk=upload_id).first()
    if upload is None:
        raise Http404(f"No upload with id {upload_id} that you can see.")
    return upload


@require_POST
def upload_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(can_upload(user), "Only managers and administrators import data.")
    try:
        upload = store(
            user=user,
            files=request.FILES.getlist("files"),
            profile=request.POST.get("profile", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect(reverse("import_list") + "#upload")
    jobs.start_check(upload, user)
    return redirect("upload_detail", upload_id=upload.pk)


def upload_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload_or_404(request, upload_id)
    user = current_user(request)
    job = upload.import_job or upload.check_job
    if job is not None:
        job = Job.objects.select_related("task_result").get(pk=job.pk)
    context: dict[str, Any] = {
        "upload": upload,
        "job": job,
        "error": error_of(job) if job is not None else "",
        "state_label": "Failed"
        if job is not None and job.state == Job.State.FAILED
        else upload.get_state_display(),
        "profile_label": dict(_profile_choices()).get(upload.profile, upload.profile),
        "can_run": can_upload(user) and upload.state == Upload.State.CHECKED,
        "can_change": can_change_import_settings(user),
        "here": request.get_full_path(),
    }
    if upload.dry_run is not None and upload.review:
        context.update(_review(upload, user))
    return render(request, "uploads/upload_detail.html", context)


def _profile_choices() -> list[tuple[str, str]]:
    from presales.imports.models import Profile

    return [(value, str(label)) for value, label in Profile.choices if value in PROFILES]


def _review(upload: Upload, user: User) -> dict[str, Any]:
    source = upload.review.get("source", "")
    stages = ValueMapping.objects.filter(
        source=source, picklist=Picklist.STAGE, key__in=upload.review.get("stages", [])
    ).order_by("label")
    owners = upload.review.get("owners", [])
    mapped = dict(
        ImportedRecord.objects.filter(
            source=source, kind="user", external_id__in=[o["external_id"] for o in owners]
        ).values_list("external_id", "object_id")
    )
    people = {u.pk: u for u in User.objects.filter(pk__in=[v for v in mapped.values() if v])}
    return {
        "source": source,
        "stages": stages,
        "stage_choices": CHOICES[Picklist.STAGE],
        "owners": [{**o, "person": people.get(mapped.get(o["external_id"]) or 0)} for o in owners],
        "people": User.objects.filter(is_active=True).order_by("first_name", "last_name")
        if can_change_import_settings(user)
        else [],
    }


@require_POST
def upload_run(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload_or_404(request, upload_id)
    user = current_user(request)
    access.require(can_upload(user), "Only managers and administrators import data.")
    if upload.state != Upload.State.CHECKED:
        messages.error(request, "This upload is not waiting for its import.")
    else:
        jobs.start_import(upload, user)
        messages.success(request, "The import runs in the background; this page follows it.")
    return redirect("upload_detail", upload_id=upload.pk)


def upload_form_context(user: User) -> dict[str, Any]:
    """The upload form and the latest uploads, for the Imports page."""
    from django.conf import settings

    if not can_upload(user):
        return {"can_upload": False}
    return {
        "can_upload": True,
        "profiles": _profile_choices(),
        "upload_max_mb": settings.UPLOAD_MAX_MB,
        "uploads": uploads_for(user).select_related("user")[:10],
    }
