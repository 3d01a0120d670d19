from django.urls import path

from presales.texts import views

urlpatterns = [
    path("<int:text_id>/", views.text_detail, name="text_detail"),
    path("themes/", views.themes, name="text_themes"),
    path("similar-deals/<int:opportunity_id>/", views.similar_deals, name="similar_deals"),
]
