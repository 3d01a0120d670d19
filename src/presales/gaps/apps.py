from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "presales.gaps"
    label = "gaps"
    verbose_name = "Product gaps"

    def ready(self) -> None:
        from presales.gaps import (
            access,  # noqa: F401  (registers the access rules)
            signals,
        )

        signals.connect()
