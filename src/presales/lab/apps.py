from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "presales.lab"

    def ready(self) -> None:
        from presales.lab import access  # noqa: F401  (registers the access rules)
