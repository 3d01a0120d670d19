from django.contrib import admin

from presales.texts.models import LabelCorrection, Text


@admin.register(Text)
class TextAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "author", "account", "written_at")
    list_filter = ("kind",)
    search_fields = ("body",)
    raw_id_fields = ("author", "account", "opportunity")
    date_hierarchy = "written_at"


@admin.register(LabelCorrection)
class LabelCorrectionAdmin(admin.ModelAdmin):
    list_display = ("text", "label", "value", "corrected_by", "corrected_at")
    list_filter = ("label",)
    raw_id_fields = ("text", "corrected_by")
