from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "presales.uploads"
    verbose_name = "Uploaded imports"

    def ready(self) -> None:
        from presales.uploads import access  # noqa: F401  (registers the access rules)
