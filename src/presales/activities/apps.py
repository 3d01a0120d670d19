from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "presales.activities"
    label = "activities"
