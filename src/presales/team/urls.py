from django.urls import path

from presales.team import field_views, remote_views, request_views, skill_views, views

urlpatterns = [
    path("capacity/", views.capacity, name="team_capacity"),
    path(
        "capacity/<int:team_id>/thresholds/",
        views.capacity_thresholds,
        name="team_capacity_thresholds",
    ),
    path("out-of-band/", views.out_of_band, name="team_oob"),
    path("out-of-band/<int:team_id>/log/", views.out_of_band_log, name="team_oob_log"),
    path(
        "out-of-band/<int:team_id>/hand-over/",
        views.out_of_band_hand_over,
        name="team_oob_hand_over",
    ),
    path("skills/", skill_views.skills, name="team_skills"),
    path("skills/demand/", skill_views.demand, name="team_skills_demand"),
    path("skills/people/<int:user_id>/", skill_views.person, name="team_skills_person"),
    path("skills/people/<int:user_id>/assess/", skill_views.assess, name="team_skills_assess"),
    path(
        "skills/people/<int:user_id>/evidence/",
        skill_views.evidence,
        name="team_skills_evidence",
    ),
    path("time-out/", field_views.time_out, name="team_time_out"),
    path("time-out/new/", field_views.time_out_new, name="team_time_out_new"),
    path("time-out/decide/", field_views.time_out_decide, name="team_time_out_decide"),
    path("time-out/<int:team_id>/plan/", field_views.time_out_plan, name="team_time_out_plan"),
    path("coverage/", field_views.coverage, name="team_coverage"),
    path("one-to-ones/", remote_views.one_to_ones, name="team_one_to_ones"),
    path("requests/", request_views.request_list, name="request_list"),
    path("requests/new/", request_views.request_new, name="request_new"),
    path("requests/<int:request_id>/", request_views.request_detail, name="request_detail"),
    path(
        "requests/<int:request_id>/<slug:action>/",
        request_views.request_action,
        name="request_action",
    ),
]
