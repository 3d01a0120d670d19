from django.contrib import admin

from presales.meetings.models import Commitment, Debrief, MeetingPlan, RaisedGap, Report, Topic


@admin.register(MeetingPlan)
class MeetingPlanAdmin(admin.ModelAdmin):
    list_display = ("activity", "prepared_by", "updated_at")
    raw_id_fields = ("activity", "prepared_by")


class RaisedGapInline(admin.TabularInline):
    model = RaisedGap
    extra = 0
    raw_id_fields = ("account", "opportunity", "raised_by")


@admin.register(Debrief)
class DebriefAdmin(admin.ModelAdmin):
    list_display = ("activity", "author", "same_page", "created_at")
    list_filter = ("same_page",)
    raw_id_fields = ("activity", "author")
    inlines = [RaisedGapInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("what", "account", "promised_by", "promised_to", "due_on", "status", "owner")
    list_filter = ("status", "direction")
    search_fields = ("what", "promised_by", "promised_to", "account__name")
    raw_id_fields = ("account", "opportunity", "activity", "owner", "created_by")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "keywords")
    list_filter = ("team",)
    filter_horizontal = ("leads_to",)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "author", "published_at")
    list_filter = ("kind",)
    raw_id_fields = ("account", "opportunity", "author")
    filter_horizontal = ("activities",)
