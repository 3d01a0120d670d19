from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "presales.jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from presales.jobs import access  # noqa: F401  (registers the access rules)
