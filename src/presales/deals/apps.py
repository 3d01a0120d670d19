from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "presales.deals"
    label = "deals"
