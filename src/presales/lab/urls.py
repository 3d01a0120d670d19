from django.urls import path

from presales.lab import views

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
]
