from django.apps import AppConfig


class TextsConfig(AppConfig):
    name = "presales.texts"
    label = "texts"

    def ready(self) -> None:
        from presales.texts import sources

        sources.register_builtin_sources()
        sources.connect_signals()
