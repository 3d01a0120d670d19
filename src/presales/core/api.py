"""What every API router shares: session authentication (tokens are the people app's), the
one error format, pagination, and the lookup that turns an id the caller may not see into a
404."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from ninja.security import SessionAuth

from presales.core import access, failures
from presales.core.services import MAX_ID

if TYPE_CHECKING:
    from django.contrib.auth.models import _User as User

log = logging.getLogger(__name__)
MAX_PAGE = 1_000_000
M = TypeVar("M", bound=Model)


class FieldError(Schema):
    field: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    fields: list[FieldError] = []


class ErrorOut(Schema):
    error: ErrorBody


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or []}}
    return api.create_response(request, body, status=status)


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path", "payload", "filters"}]
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = [
            {"field": _location(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
            for err in exc.errors
        ]
        return error_response(api, request, 422, "validation_error", "Invalid input.", fields)

    @api.exception_handler(DjangoValidationError)
    def invalid_object(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = [
                {"field": name, "message": " ".join(str(m) for m in messages)}
                for name, messages in exc.message_dict.items()
            ]
        else:
            fields = [{"field": "body", "message": " ".join(exc.messages)}]
        return error_response(api, request, 422, "validation_error", "Invalid input.", fields)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", str(exc) or "Not found.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api, request, 401, "unauthenticated", "Log in or send 'Authorization: Bearer TOKEN'."
        )

    @api.exception_handler(access.PermissionDenied)
    def forbidden(request: HttpRequest, exc: access.PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", str(exc))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return error_response(api, request, exc.status_code, code, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, 413, "too_large", failures.too_large_message())

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if failures.is_out_of_range(exc):
            fields = failures.out_of_range_fields(request) or [
                {"field": "query", "message": "a number is out of range"}
            ]
            return error_response(api, request, 422, "validation_error", "Invalid input.", fields)
        if failures.is_busy(exc):
            log.warning("Database busy on %s %s: answered 503", request.method, request.path)
            response = error_response(api, request, 503, "busy", failures.busy_message())
            response["Retry-After"] = str(failures.RETRY_AFTER_SECONDS)
            return response
        log.exception("Unhandled API error on %s %s", request.method, request.path)
        return error_response(api, request, 500, "server_error", "Unexpected server error.")


class Paginated(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 200) with the total ``count`` beside the ``items``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=200)


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class StrictJsonParser(Parser):
    """JSON bodies whose strings are valid Unicode: a lone surrogate cannot be stored."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _has_lone_surrogate(data):
            # django-ninja turns a parser error into "400 Cannot parse request body".
            raise ValueError("Text contains invalid Unicode (a lone surrogate).")
        return data


def actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, get_user_model())
    return user


def get_visible(request: HttpRequest, model: type[M], pk: int) -> M:
    """The object the caller may see, or 404: an id the caller may not see does not exist."""
    obj: M | None = None
    if 0 < pk <= MAX_ID:
        obj = access.visible(actor(request), model).filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {model._meta.verbose_name} with id {pk}.")
    return obj


session_auth = SessionAuth(csrf=True)
