from typing import Any

from django.apps import AppConfig
from django.core.signals import request_finished


def _record_token_uses(**kwargs: Any) -> None:
    from presales.people.services import record_token_uses

    record_token_uses()


class PeopleConfig(AppConfig):
    name = "presales.people"
    label = "people"

    def ready(self) -> None:
        from presales.people import access  # noqa: F401  (registers the access rules)

        # API token uses are written after the response, outside the request's transaction.
        request_finished.connect(_record_token_uses, dispatch_uid="presales-record-token-uses")
