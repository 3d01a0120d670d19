from django.urls import path

from presales.team import request_views, views

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
    path("requests/", request_views.request_list, name="request_list"),
    path("requests/new/", request_views.request_new, name="request_new"),
    path("requests/<int:request_id>/", request_views.request_detail, name="request_detail"),
    path(
        "requests/<int:request_id>/<slug:action>/",
        request_views.request_action,
        name="request_action",
    ),
]
