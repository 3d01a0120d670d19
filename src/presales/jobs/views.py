from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from presales.core.pages import page_of
from presales.core.services import MAX_ID
from presales.jobs import services
from presales.jobs.access import can_retry, jobs_for
from presales.jobs.models import Job


def _job_or_404(request: HttpRequest, job_id: int) -> Job:
    job = None
    if 0 < job_id <= MAX_ID:
        job = jobs_for(request.user).select_related("task_result", "user").filter(pk=job_id).first()
    if job is None:
        raise Http404(f"No job with id {job_id} that you can see.")
    return job


def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_for(request.user).select_related("task_result", "user")
    return render(request, "jobs/job_list.html", {"page": page_of(request, jobs)})


def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    context = {"job": job, "error": services.error_of(job)}
    # htmx polls the progress part while the job runs; a reload shows the same state.
    if request.headers.get("HX-Request"):
        return render(request, "jobs/job_progress.html", context)
    return render(request, "jobs/job_detail.html", context)


@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    if not can_retry(request.user, job):
        messages.error(request, "Only a failed job can be retried.")
    else:
        services.retry(job)
        messages.success(request, "Queued again.")
    return redirect("job_detail", job_id=job.pk)
