from datetime import timedelta

from django.apps import AppConfig


class DemosConfig(AppConfig):
    name = "presales.demos"

    def ready(self) -> None:
        from presales.demos import access, signals, texts  # noqa: F401  (registers rules and texts)
        from presales.jobs.services import register_schedule

        texts.register_demo_texts()
        signals.connect()
        register_schedule(
            "demos.facts",
            "presales.demos.jobs.rebuild_facts",
            every=timedelta(minutes=5),
            label="Recompute the demo statistics",
            when="presales.demos.facts.facts_due",
        )
