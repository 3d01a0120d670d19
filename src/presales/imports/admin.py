from django.contrib import admin

from presales.imports.models import ImportRun, PendingReference


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["id", "profile", "user", "operator", "started_at", "status", "rejected"]
    list_filter = ["profile", "status", "dry_run"]


@admin.register(PendingReference)
class PendingReferenceAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "external_id", "field", "target_kind", "target_external_id"]
    list_filter = ["source", "kind", "target_kind"]
