from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "presales.activities"
    label = "activities"

    def ready(self) -> None:
        from presales.activities import access  # noqa: F401  (registers the access rules)
