from django.urls import path

from presales.calendars import views

urlpatterns = [
    path("", views.subscription_list, name="subscription_list"),
    path("<int:subscription_id>/delete/", views.subscription_delete, name="subscription_delete"),
    path("<int:subscription_id>/refresh/", views.subscription_refresh, name="subscription_refresh"),
]
