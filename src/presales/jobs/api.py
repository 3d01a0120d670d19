"""Jobs in the API: follow a job started by an upload or a command, retry a failed one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from presales.core.access import PermissionDenied
from presales.core.api import Paginated, actor
from presales.core.services import MAX_ID
from presales.jobs import services
from presales.jobs.access import jobs_for
from presales.jobs.models import Job

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    label: str
    state: str
    step: str
    done: int
    total: int
    percent: int | None
    message: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str
    result: Any
    outcome_url: str

    @staticmethod
    def resolve_started_at(obj: Job) -> datetime | None:
        return obj.task_result.started_at if obj.task_result else None

    @staticmethod
    def resolve_finished_at(obj: Job) -> datetime | None:
        return obj.task_result.finished_at if obj.task_result else None

    @staticmethod
    def resolve_error(obj: Job) -> str:
        return services.error_of(obj)

    @staticmethod
    def resolve_result(obj: Job) -> Any:
        result = obj.task_result
        return result.return_value if result is not None and result.status == "SUCCESSFUL" else None


def job_or_404(request: HttpRequest, job_id: int) -> Job:
    job = None
    if 0 < job_id <= MAX_ID:
        job = jobs_for(actor(request)).select_related("task_result").filter(pk=job_id).first()
    if job is None:
        raise Http404(f"No job with id {job_id} that you can see.")
    return job


@router.get("/jobs", response=list[JobOut])
@paginate(Paginated)
def list_jobs(request: HttpRequest) -> QuerySet[Job]:
    return jobs_for(actor(request)).select_related("task_result")


@router.get("/jobs/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int) -> Job:
    return job_or_404(request, job_id)


@router.post("/jobs/{job_id}/retry", response=JobOut)
def retry_job(request: HttpRequest, job_id: int) -> Job:
    job = job_or_404(request, job_id)
    if job.state != Job.State.FAILED:
        raise PermissionDenied("Only a failed job can be retried.")
    services.retry(job)
    return job_or_404(request, job_id)
