from django.apps import AppConfig


class ForecastsConfig(AppConfig):
    name = "presales.forecasts"

    def ready(self) -> None:
        from presales.forecasts import access  # noqa: F401  (registers the access rules)
