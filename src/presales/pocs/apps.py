from django.apps import AppConfig


class PocsConfig(AppConfig):
    name = "presales.pocs"

    def ready(self) -> None:
        from presales.pocs import access  # noqa: F401  (registers the access rules)
