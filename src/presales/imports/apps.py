from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "presales.imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from presales.imports import access  # noqa: F401  (registers the access rules)
