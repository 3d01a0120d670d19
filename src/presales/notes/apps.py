from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "presales.notes"
    label = "notes"
