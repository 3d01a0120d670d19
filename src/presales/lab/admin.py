from django.contrib import admin

from presales.lab.models import Environment, Lab, Reservation


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "owner")


@admin.register(Environment)
class EnvironmentAdmin(admin.ModelAdmin):
    list_display = ("name", "lab", "capacity", "idle_hours", "active")
    list_filter = ("lab", "active")


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ("environment", "purpose", "starts_at", "ends_at", "status", "reserved_by")
    list_filter = ("status", "purpose")
    raw_id_fields = ("opportunity", "demo", "reserved_by")
