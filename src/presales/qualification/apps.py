from django.apps import AppConfig


class QualificationConfig(AppConfig):
    name = "presales.qualification"
    label = "qualification"
    verbose_name = "Qualification"

    def ready(self) -> None:
        from presales.qualification import access  # noqa: F401  (registers the access rules)
