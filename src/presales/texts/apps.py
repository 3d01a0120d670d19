from django.apps import AppConfig


class TextsConfig(AppConfig):
    name = "presales.texts"
    label = "texts"

    def ready(self) -> None:
        from presales.texts import (
            access,  # noqa: F401  (registers the access rules)
            sources,
            visibility,
        )

        sources.register_builtin_sources()
        sources.connect_signals()
        visibility.connect_signals()
