from django.contrib import admin

from presales.gaps.models import GapAnswer, GapMerge, GapOpportunity, ImpactWeights, ProductGap


class GapOpportunityInline(admin.TabularInline):
    model = GapOpportunity
    extra = 0
    raw_id_fields = ("opportunity", "linked_by")


@admin.register(ProductGap)
class ProductGapAdmin(admin.ModelAdmin):
    list_display = ("title", "product_area", "status", "review_due_on", "revenue_at_stake", "team")
    list_filter = ("status", "product_area", "team")
    search_fields = ("title", "description")
    raw_id_fields = ("account", "proposed_by", "answered_by", "merged_into")
    filter_horizontal = ("contacts", "competitors")
    readonly_fields = (
        "revenue_at_stake",
        "revenue_lost",
        "revenue_won",
        "account_count",
        "open_deal_count",
        "word_count",
    )
    inlines = [GapOpportunityInline]


@admin.register(ImpactWeights)
class ImpactWeightsAdmin(admin.ModelAdmin):
    list_display = ("team", "deal_breaker", "important", "nice_to_have", "updated_at")


@admin.register(GapMerge)
class GapMergeAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "merged_by", "merged_at", "undone_at")
    raw_id_fields = ("source", "target")


@admin.register(GapAnswer)
class GapAnswerAdmin(admin.ModelAdmin):
    list_display = ("gap", "status", "detail", "answered_by", "answered_at")
    raw_id_fields = ("gap",)
