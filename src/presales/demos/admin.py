from django.contrib import admin

from presales.demos.models import Demo


@admin.register(Demo)
class DemoAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "format", "owner", "version")
    list_filter = ("state", "format")
    search_fields = ("title", "summary")
    raw_id_fields = ("owner", "curated_by", "forked_from")
