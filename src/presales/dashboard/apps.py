from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "presales.dashboard"
    label = "dashboard"
