from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class CalendarsConfig(AppConfig):
    name = "presales.calendars"
    verbose_name = "Calendar subscriptions"

    def ready(self) -> None:
        from presales.calendars import access  # noqa: F401  (registers the access rules)
        from presales.jobs.services import register_schedule

        register_schedule(
            "calendars.refresh",
            "presales.calendars.jobs.refresh_all",
            every=timedelta(minutes=settings.CALENDAR_REFRESH_MINUTES),
            label="Refresh subscribed calendars",
            when="presales.calendars.jobs.any_subscriptions",
        )
