from django.urls import path

from presales.uploads import views

urlpatterns = [
    path("", views.upload_new, name="upload_new"),
    path("<int:upload_id>/", views.upload_detail, name="upload_detail"),
    path("<int:upload_id>/run/", views.upload_run, name="upload_run"),
]
