from django.apps import AppConfig


class DemosConfig(AppConfig):
    name = "presales.demos"

    def ready(self) -> None:
        from presales.demos import access, signals, texts  # noqa: F401  (registers rules and texts)

        texts.register_demo_texts()
        signals.connect()
