from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "presales.scorecards"
    label = "scorecards"
    verbose_name = "Scorecards"
