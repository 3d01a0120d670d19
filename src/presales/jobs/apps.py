from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "presales.jobs"
    verbose_name = "Background jobs"
