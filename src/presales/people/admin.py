from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from presales.people.models import ApiToken, Region, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "manager", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Presales", {"fields": ("role", "title", "team", "manager")}),
    )
    list_select_related = ("team", "manager")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "manager")
    list_select_related = ("region", "manager")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request: object) -> bool:  # tokens are made by `presales token`
        return False
