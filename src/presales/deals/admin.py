from django.contrib import admin

from presales.deals.models import Opportunity, StageChange


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    raw_id_fields = ("changed_by",)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "stage", "flavor", "amount", "close_date", "owner", "team")
    list_filter = ("stage", "flavor", "team", "source")
    search_fields = ("name", "account__name", "external_id")
    list_select_related = ("account", "owner", "team")
    raw_id_fields = ("account", "owner")
    filter_horizontal = ("sales_engineers", "products", "competitors")
    date_hierarchy = "close_date"
    inlines = [StageChangeInline]
