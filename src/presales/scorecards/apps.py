from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "presales.scorecards"
    label = "scorecards"
    verbose_name = "Scorecards"

    def ready(self) -> None:
        from presales.scorecards import access  # noqa: F401  (registers the access rules)
