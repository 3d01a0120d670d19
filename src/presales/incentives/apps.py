from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "presales.incentives"
    label = "incentives"
    verbose_name = "Incentives"
