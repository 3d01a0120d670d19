from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "presales.incentives"
    label = "incentives"
    verbose_name = "Incentives"

    def ready(self) -> None:
        from presales.incentives import access  # noqa: F401  (registers the access rules)
