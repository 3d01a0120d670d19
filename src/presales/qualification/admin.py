from django.contrib import admin

from presales.qualification.models import (
    BusinessIssue,
    CirclesRating,
    Criterion,
    Evidence,
    Framework,
    GateOverride,
    Stakeholder,
    TeamFramework,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "team", "based_on")
    list_filter = ("team",)
    inlines = [CriterionInline]


@admin.register(TeamFramework)
class TeamFrameworkAdmin(admin.ModelAdmin):
    list_display = ("team", "framework", "chosen_by", "chosen_at")


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "criterion", "supports", "recorded_by", "recorded_at")
    raw_id_fields = ("opportunity", "recorded_by")
    list_select_related = ("opportunity", "criterion", "recorded_by")


@admin.register(GateOverride)
class GateOverrideAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "from_stage", "to_stage", "confirmed_by", "confirmed_at")
    raw_id_fields = ("opportunity", "confirmed_by")


@admin.register(CirclesRating)
class CirclesRatingAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "overlap", "recorded_by", "recorded_at")
    raw_id_fields = ("opportunity", "recorded_by")


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "contact", "deal_role", "sentiment", "updated_at")
    raw_id_fields = ("opportunity", "contact", "updated_by")


@admin.register(BusinessIssue)
class BusinessIssueAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "customer_words", "confirmed_on")
    raw_id_fields = ("opportunity", "confirmed_by", "recorded_by")
