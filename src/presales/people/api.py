from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.security import HttpBearer

from presales.core.api import Paginated, actor
from presales.people.models import Team, User
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
