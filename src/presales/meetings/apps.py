from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "presales.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from presales.meetings import access  # noqa: F401  (registers the access rules)
