from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "presales.notes"
    label = "notes"

    def ready(self) -> None:
        from presales.notes import access  # noqa: F401  (registers the access rules)
