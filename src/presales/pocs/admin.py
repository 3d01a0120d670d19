from django.contrib import admin

from presales.pocs.models import Poc, PocLimit, Prerequisite


@admin.register(Prerequisite)
class PrerequisiteAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "active")
    list_editable = ("position", "active")


@admin.register(PocLimit)
class PocLimitAdmin(admin.ModelAdmin):
    list_display = ("team", "running_per_se")


@admin.register(Poc)
class PocAdmin(admin.ModelAdmin):
    list_display = ("title", "opportunity", "se", "status", "result")
    list_filter = ("status", "result")
    raw_id_fields = ("opportunity", "se", "champion", "economic_buyer", "created_by")
