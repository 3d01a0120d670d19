from django.urls import path

from presales.demos import views

urlpatterns = [
    path("", views.catalog, name="demo_catalog"),
    path("new/", views.demo_new, name="demo_new"),
    path("stats/", views.demo_stats, name="demo_stats"),
    path("<int:demo_id>/", views.demo_detail, name="demo_detail"),
    path("<int:demo_id>/edit/", views.demo_edit, name="demo_edit"),
    path("<int:demo_id>/<slug:action>/", views.demo_action, name="demo_action"),
    path("shown/<int:activity_id>/", views.demos_shown, name="demos_shown"),
]
