from django.apps import AppConfig


class QualificationConfig(AppConfig):
    name = "presales.qualification"
    label = "qualification"
    verbose_name = "Qualification"
