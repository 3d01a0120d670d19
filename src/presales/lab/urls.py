from django.urls import path

from presales.lab import guided_views, views

urlpatterns = [
    path("", views.calendar, name="lab_calendar"),
    path("reserve/", views.reserve, name="lab_reserve"),
    path("reclaim/", views.reclaim, name="lab_reclaim"),
    path("labs/new/", views.lab_new, name="lab_new"),
    path("environments/new/", views.environment_new, name="environment_new"),
    path(
        "reservations/<int:reservation_id>/<slug:action>/",
        views.reservation_action,
        name="reservation_action",
    ),
    path("evaluations/", guided_views.evaluation_list, name="evaluation_list"),
    path("evaluations/new/", guided_views.evaluation_new, name="evaluation_new"),
    path(
        "evaluations/<int:evaluation_id>/",
        guided_views.evaluation_detail,
        name="evaluation_detail",
    ),
    path(
        "evaluations/<int:evaluation_id>/progress/",
        guided_views.evaluation_progress,
        name="evaluation_progress",
    ),
    path("trainings/", guided_views.training_list, name="training_list"),
    path("trainings/new/", guided_views.training_new, name="training_new"),
    path("trainings/<int:training_id>/", guided_views.training_detail, name="training_detail"),
    path(
        "trainings/<int:training_id>/attendees/",
        guided_views.training_attendees,
        name="training_attendees",
    ),
    path(
        "trainings/<int:training_id>/attendees/<int:attendance_id>/completed/",
        guided_views.training_completion,
        name="training_completion",
    ),
]
