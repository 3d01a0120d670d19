from django.urls import path

from presales.pocs import views

urlpatterns = [
    path("", views.board, name="poc_board"),
    path("new/", views.poc_new, name="poc_new"),
    path("<int:poc_id>/", views.poc_detail, name="poc_detail"),
    path("<int:poc_id>/<slug:action>/", views.poc_action, name="poc_action"),
]
