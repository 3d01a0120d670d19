from django.contrib import admin

from presales.activities.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "starts_at", "status", "account", "customer_facing")
    list_filter = ("kind", "status", "customer_facing", "source")
    search_fields = ("subject", "account__name")
    list_select_related = ("account",)
    raw_id_fields = ("account", "opportunity", "participants", "contacts")
    date_hierarchy = "starts_at"
