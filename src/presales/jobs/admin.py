from django.contrib import admin

from presales.jobs.models import Job, WorkerBeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("label", "user", "created_at", "attempts", "done", "total")
    search_fields = ("label",)
    raw_id_fields = ("user", "task_result")


@admin.register(WorkerBeat)
class WorkerBeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "host", "pid", "started_at", "seen_at")
