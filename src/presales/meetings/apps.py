from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "presales.meetings"
    label = "meetings"
    verbose_name = "Meetings"
