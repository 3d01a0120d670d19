from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "presales.imports"
    verbose_name = "Imports"
