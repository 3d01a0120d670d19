from django.contrib import admin

from presales.incentives.models import QuotaBucket, Spiff


@admin.register(Spiff)
class SpiffAdmin(admin.ModelAdmin):
    list_display = ("name", "basis", "starts_on", "ends_on", "rep_amount", "se_amount", "team")
    filter_horizontal = ("products",)


@admin.register(QuotaBucket)
class QuotaBucketAdmin(admin.ModelAdmin):
    list_display = ("owner", "product", "year", "quarter", "target")
    list_filter = ("year", "quarter", "product")
    raw_id_fields = ("owner",)
