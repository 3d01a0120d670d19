from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import HttpBearer

from presales.core.api import Paginated, actor
from presales.core.services import MAX_ID
from presales.people import services
from presales.people.models import ApiToken, Team, User
from presales.people.services import user_for_token

router = Router(tags=["people"])


class BearerToken(HttpBearer):
    """A personal API token (``Authorization: Bearer psk_...``) in place of a session."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


bearer_auth = BearerToken()


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    role: str
    team_id: int | None
    manager_id: int | None


class TeamOut(Schema):
    id: int
    name: str
    region_id: int
    manager_id: int | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user_id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Recorded at most once a minute")
    revoked_at: datetime | None
    status: str = Field(description="active, expired or revoked")

    @staticmethod
    def resolve_status(token: ApiToken) -> str:
        return token.status_at(timezone.now())


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself; shown this once and never stored")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    expires_in_days: int | None = Field(
        services.DEFAULT_TOKEN_DAYS,
        ge=1,
        le=services.MAX_TOKEN_DAYS,
        description="Days until the token is refused (default 90); null for no expiry",
    )


@router.get("/me", response=UserOut)
def me(request: HttpRequest) -> User:
    return actor(request)


@router.get("/users", response=list[UserOut])
@paginate(Paginated)
def list_users(request: HttpRequest) -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("username")


@router.get("/teams", response=list[TeamOut])
@paginate(Paginated)
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    return Team.objects.order_by("name")


@router.get("/tokens", response=list[TokenOut])
@paginate(Paginated)
def list_tokens(request: HttpRequest, user_id: int | None = None) -> QuerySet[ApiToken]:
    """Your personal API tokens (an administrator's: everyone's, or ``user_id``'s)."""
    owner = User.objects.filter(pk=user_id).first() if user_id and 0 < user_id <= MAX_ID else None
    if user_id and owner is None:
        return ApiToken.objects.none()
    return services.tokens_for(actor(request), owner=owner)


@router.post("/tokens", response={201: TokenCreated})
def create_token(request: HttpRequest, payload: TokenIn) -> tuple[int, ApiToken]:
    """Make a personal token for yourself; the response carries it once."""
    token, plain = services.create_token(
        user=actor(request), name=payload.name, expires_in_days=payload.expires_in_days
    )
    token.token = plain  # type: ignore[attr-defined]  # shown in this response only
    return 201, token


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    """Refuse a token from now on (yours, or any as an administrator)."""
    tokens = services.tokens_for(actor(request))
    token = tokens.filter(pk=token_id).first() if 0 < token_id <= MAX_ID else None
    if token is None:
        raise Http404(f"No token with id {token_id} that you can see.")
    return services.revoke_token(token=token, by=actor(request))


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API documentation and its OpenAPI description: for a logged-in session, or for a
    valid bearer token (a client that holds a token reads the description without a browser).
    A wrong token answers 401 in the API's error shape; no credentials go to the log-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is None:
                body = {
                    "error": {
                        "code": "unauthenticated",
                        "message": "This token is unknown, expired or revoked.",
                        "fields": [],
                    }
                }
                return JsonResponse(body, status=401)
            request.user = user
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapped
