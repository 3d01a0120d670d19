from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "presales.deals"
    label = "deals"

    def ready(self) -> None:
        from presales.deals import access  # noqa: F401  (registers the access rules)
