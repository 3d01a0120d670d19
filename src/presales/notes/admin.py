from django.contrib import admin

from presales.notes.models import Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "account", "opportunity", "created_at")
    list_filter = ("source",)
    search_fields = ("body",)
    list_select_related = ("author", "account", "opportunity")
    raw_id_fields = ("author", "account", "opportunity", "activity")
    date_hierarchy = "created_at"
