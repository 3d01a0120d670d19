from django.contrib import admin

from presales.scorecards.models import (
    BonusPlan,
    CustomMetric,
    CustomMetricCondition,
    Goal,
    ScoreboardSetting,
    SurveyResponse,
)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "team", "year", "quarter", "pillar", "metric", "weight")
    list_filter = ("year", "quarter", "pillar")
    search_fields = ("title", "owner__username", "team__name")
    raw_id_fields = ("owner", "created_by")


@admin.register(BonusPlan)
class BonusPlanAdmin(admin.ModelAdmin):
    list_display = ("owner", "year", "quarter", "target_bonus", "threshold_pct", "cap_pct")
    raw_id_fields = ("owner",)


@admin.register(ScoreboardSetting)
class ScoreboardSettingAdmin(admin.ModelAdmin):
    list_display = ("team", "visibility")


class ConditionInline(admin.TabularInline):
    model = CustomMetricCondition
    extra = 1


@admin.register(CustomMetric)
class CustomMetricAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "source", "aggregate", "unit")
    inlines = [ConditionInline]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("account", "respondent", "score", "scale_max", "responded_on")
    search_fields = ("account__name", "respondent")
    raw_id_fields = ("account", "contact")
