from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from presales.accounts import pages as account_pages
from presales.accounts import views as accounts
from presales.activities import views as activities
from presales.analytics import views as analytics
from presales.api import api
from presales.dashboard import views as dashboard
from presales.deals import pages as deal_pages
from presales.deals import views as deals
from presales.forecasts import views as forecasts
from presales.gaps import views as gaps
from presales.imports import views as imports
from presales.incentives import views as incentives
from presales.jobs import views as jobs
from presales.meetings import views as meetings
from presales.notes import views as notes
from presales.people import views as people
from presales.qualification import views as qualification
from presales.scorecards import views as scorecards
from presales.texts import views as texts

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("people/<int:user_id>/week/", dashboard.person_week, name="person_week"),
    path("search/", texts.search, name="search"),
    path("texts/", include("presales.texts.urls")),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/<int:account_id>/", accounts.account_detail, name="account_detail"),
    path("opportunities/", deals.opportunity_list, name="opportunity_list"),
    path(
        "opportunities/<int:opportunity_id>/",
        deals.opportunity_detail,
        name="opportunity_detail",
    ),
    path("activities/", activities.activity_list, name="activity_list"),
    path("notes/", notes.note_create, name="note_create"),
    # Writing in the browser: meetings, accounts, contacts, deals and their stage.
    path("me/", people.my_settings, name="my_settings"),
    path("activities/new/", activities.meeting_new, name="meeting_new"),
    path("activities/<int:activity_id>/edit/", activities.meeting_edit, name="meeting_edit"),
    path("activities/<int:activity_id>/cancel/", activities.meeting_cancel, name="meeting_cancel"),
    path("accounts/new/", account_pages.account_new, name="account_new"),
    path("accounts/<int:account_id>/edit/", account_pages.account_edit, name="account_edit"),
    path("accounts/<int:account_id>/contacts/new/", account_pages.contact_new, name="contact_new"),
    path("contacts/<int:contact_id>/edit/", account_pages.contact_edit, name="contact_edit"),
    path("opportunities/new/", deal_pages.opportunity_new, name="opportunity_new"),
    path(
        "opportunities/<int:opportunity_id>/edit/",
        deal_pages.opportunity_edit,
        name="opportunity_edit",
    ),
    path("opportunities/<int:opportunity_id>/stage/", deal_pages.stage, name="opportunity_stage"),
    path(
        "stage-proposals/<int:proposal_id>/decide/",
        deal_pages.decide_proposal,
        name="stage_proposal_decide",
    ),
    path(
        "opportunities/<int:opportunity_id>/workspace/",
        qualification.workspace,
        name="qualification_workspace",
    ),
    path(
        "opportunities/<int:opportunity_id>/workspace/<slug:action>/",
        qualification.workspace_action,
        name="qualification_action",
    ),
    path("qualification/", qualification.framework_list, name="qualification_frameworks"),
    path(
        "qualification/<int:framework_id>/",
        qualification.framework_detail,
        name="qualification_framework",
    ),
    path("qualification/circles/", qualification.circles_analysis, name="circles_analysis"),
    path("meetings/<int:activity_id>/plan/", meetings.plan, name="meeting_plan"),
    path("meetings/<int:activity_id>/plan.md", meetings.plan_markdown, name="meeting_plan_md"),
    path("meetings/<int:activity_id>/plan.pdf", meetings.plan_pdf, name="meeting_plan_pdf"),
    path("meetings/<int:activity_id>/held/", meetings.mark_held, name="meeting_held"),
    path("meetings/<int:activity_id>/debrief/", meetings.debrief, name="meeting_debrief"),
    path("commitments/", meetings.commitment_list, name="commitment_list"),
    path(
        "commitments/<int:commitment_id>/resolve/",
        meetings.resolve_commitment,
        name="commitment_resolve",
    ),
    path("topics/", meetings.topic_list, name="topic_list"),
    path("reports/", meetings.report_list, name="report_list"),
    path("reports/new/", meetings.report_new, name="report_new"),
    path("reports/<int:report_id>/", meetings.report_detail, name="report_detail"),
    path("gaps/", gaps.gap_list, name="gap_list"),
    path("gaps/export.csv", gaps.gap_export, name="gap_export"),
    path("gaps/queue/", gaps.gap_queue, name="gap_queue"),
    path("gaps/new/", gaps.gap_new, name="gap_new"),
    path("gaps/similar/", gaps.gap_similar, name="gap_similar"),
    path("gaps/<int:gap_id>/", gaps.gap_detail, name="gap_detail"),
    path("gaps/<int:gap_id>/<slug:action>/", gaps.gap_action, name="gap_action"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:run_id>/", imports.import_detail, name="import_detail"),
    path("imports/<int:run_id>/report/", imports.import_report, name="import_report"),
    path("imports/quick-log/", imports.quick_log, name="quick_log"),
    path(
        "imports/mappings/<int:mapping_id>/",
        imports.change_value_mapping,
        name="change_value_mapping",
    ),
    path("imports/owners/", imports.map_owner, name="map_owner"),
    path("scorecards/", scorecards.scorecard_index, name="scorecard_index"),
    path(
        "scorecards/people/<int:user_id>/",
        scorecards.person_scorecard,
        name="person_scorecard",
    ),
    path("scorecards/teams/<int:team_id>/", scorecards.team_scoreboard, name="team_scoreboard"),
    path(
        "scorecards/teams/<int:team_id>/export.csv",
        scorecards.team_scoreboard_csv,
        name="team_scoreboard_csv",
    ),
    path("incentives/", incentives.incentive_list, name="incentive_list"),
    path("forecasts/", forecasts.forecast, name="forecast"),
    path("forecasts/submit/", forecasts.submit, name="forecast_submit"),
    path("forecasts/<int:submission_id>/adjust/", forecasts.adjust, name="forecast_adjust"),
    path(
        "forecasts/lines/<int:line_id>/confidence/",
        forecasts.confidence,
        name="forecast_confidence",
    ),
    path("forecasts/accuracy/", forecasts.accuracy_page, name="forecast_accuracy"),
    path("analytics/pipeline/", analytics.pipeline_page, name="pipeline_analytics"),
    path("analytics/weekly/", analytics.weekly, name="weekly_report"),
    path("analytics/weekly.md", analytics.weekly_markdown, name="weekly_report_md"),
    path("analytics/weekly.pdf", analytics.weekly_pdf, name="weekly_report_pdf"),
    path("team/", include("presales.team.urls")),
    path("imports/uploads/", include("presales.uploads.urls")),
    path("me/calendars/", include("presales.calendars.urls")),
    path("intelligence/", include("presales.intelligence.urls")),
    path("demos/", include("presales.demos.urls")),
    path("lab/", include("presales.lab.urls")),
    path("pocs/", include("presales.pocs.urls")),
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:job_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/retry/", jobs.job_retry, name="job_retry"),
    path("tokens/", people.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", people.token_revoke, name="token_revoke"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
