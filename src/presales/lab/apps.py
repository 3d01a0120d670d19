from datetime import timedelta

from django.apps import AppConfig

RECLAIM_EVERY = timedelta(minutes=15)


class LabConfig(AppConfig):
    name = "presales.lab"

    def ready(self) -> None:
        from presales.jobs.services import register_schedule
        from presales.lab import access  # noqa: F401  (registers the access rules)

        register_schedule(
            "lab.reclaim",
            "presales.lab.jobs.reclaim",
            every=RECLAIM_EVERY,
            label="Reclaim idle lab environments",
            when="presales.lab.jobs.any_running",
        )
