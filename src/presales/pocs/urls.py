from django.urls import path

from presales.pocs import settings_views, views

urlpatterns = [
    path("", views.board, name="poc_board"),
    path("new/", views.poc_new, name="poc_new"),
    path("settings/", settings_views.settings_page, name="poc_settings"),
    path("settings/<slug:action>/", settings_views.settings_action, name="poc_settings_action"),
    path("<int:poc_id>/", views.poc_detail, name="poc_detail"),
    path("<int:poc_id>/<slug:action>/", views.poc_action, name="poc_action"),
]
