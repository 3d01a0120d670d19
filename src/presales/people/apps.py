from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "presales.people"
    label = "people"

    def ready(self) -> None:
        from presales.people import access  # noqa: F401  (registers the access rules)
