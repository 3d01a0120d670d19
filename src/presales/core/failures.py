"""Failures that are the client's or the moment's, never a 500: a number beyond any id, a body
over the size limit, a database busy past its timeout. The API answers them in its error shape
(``core/api.py``), pages through ``FailureMiddleware``."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from presales.core.services import MAX_ID

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
_INTEGER = re.compile(r"-?\d+")


def is_out_of_range(exc: BaseException) -> bool:
    """A query carried an integer no 64-bit column holds (SQLite raises OverflowError,
    PostgreSQL a DataError)."""
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError) and "out of range" in str(exc):
        return True
    # A lazy query evaluated while the API serialises its answer arrives wrapped by pydantic.
    return type(exc).__name__ == "ValidationError" and "OverflowError" in str(exc)


def is_busy(exc: BaseException) -> bool:
    """The database stayed locked by another writer past the busy timeout."""
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


# Free-text parameters: a long number there is words to search for, not an id.
TEXT_PARAMETERS = frozenset({"q", "text", "query"})


def _beyond_any_id(value: str) -> bool:
    value = value.strip()
    return bool(_INTEGER.fullmatch(value)) and len(value) < 4300 and abs(int(value)) > MAX_ID


def out_of_range_fields(request: HttpRequest) -> list[dict[str, str]]:
    """The query parameters and path segments that hold an integer beyond any id."""
    message = f"must be between {-MAX_ID - 1} and {MAX_ID}"
    fields = [
        {"field": name, "message": message}
        for name, values in request.GET.lists()
        if name not in TEXT_PARAMETERS
        for value in values
        if _beyond_any_id(value) or (_INTEGER.fullmatch(value.strip()) and len(value) >= 4300)
    ]
    fields += [
        {"field": "path", "message": message}
        for part in request.path.split("/")
        if _INTEGER.fullmatch(part) and (len(part) >= 4300 or _beyond_any_id(part))
    ]
    return fields


def out_of_range_answer(request: HttpRequest) -> HttpResponse | None:
    """Checked before any view, so SQLite and PostgreSQL answer alike (one raises, the other
    finds nothing): the API answers 422 naming a query parameter, 404 for an id in the path (like
    any unknown id); a page 404."""
    fields = out_of_range_fields(request)
    if not fields:
        return None
    if request.path.startswith("/api/"):
        if all(f["field"] == "path" for f in fields):
            # An id in the address that no row can have names nothing: 404, as any unknown id.
            missing: dict[str, object] = {
                "error": {
                    "code": "not_found",
                    "message": "No such object: a number in the address is out of range.",
                    "fields": [],
                }
            }
            return JsonResponse(missing, status=404)
        body = {
            "error": {"code": "validation_error", "message": "Invalid input.", "fields": fields}
        }
        return JsonResponse(body, status=422)
    raise Http404("No such page: a number in the address is out of range.")


def busy_message() -> str:
    return (
        "The database is busy with a long write (an import, perhaps); nothing was changed. "
        f"Try again in {RETRY_AFTER_SECONDS} seconds."
    )


def too_large_message() -> str:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is larger than the {limit // 1024**2} MB this server accepts."


class FailureMiddleware:
    """Pages: an out-of-range number is a page that does not exist (404); a busy database is
    503 with Retry-After, saying that nothing was changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return out_of_range_answer(request) or self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if is_out_of_range(exc):
            raise Http404("No such page: a number in the address is out of range.")
        if is_busy(exc):
            log.warning("Database busy on %s %s: answered 503", request.method, request.path)
            response = HttpResponse(busy_message(), status=503, content_type="text/plain")
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if isinstance(exc, RequestDataTooBig):
            return HttpResponse(too_large_message(), status=413, content_type="text/plain")
        return None
