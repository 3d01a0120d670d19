from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "presales.team"

    def ready(self) -> None:
        from presales.team import access  # noqa: F401  (registers the access rules)
        from presales.team.weekly import connect_signals

        connect_signals()
