from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class ImportsConfig(AppConfig):
    name = "presales.imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from presales.imports import access  # noqa: F401  (registers the access rules)
        from presales.jobs.services import register_schedule

        register_schedule(
            "imports.mail_drop",
            "presales.imports.maildrop.import_drop",
            every=timedelta(minutes=settings.MAIL_DROP_MINUTES),
            label="Import the mail drop folder",
            when="presales.imports.maildrop.anything_waiting",
        )
