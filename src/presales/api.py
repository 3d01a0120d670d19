"""The REST API: one NinjaAPI with every app's router. OpenAPI lives at /api/docs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from presales import __version__
from presales.accounts.api import router as accounts_router
from presales.activities.api import router as activities_router
from presales.core.api import bearer_auth, install_error_handlers, session_auth
from presales.deals.api import router as deals_router
from presales.notes.api import router as notes_router
from presales.people.api import router as people_router
from presales.products.api import router as products_router
from presales.texts.api import router as texts_router

api = NinjaAPI(
    title="Presales API",
    version=__version__,
    description=(
        "Every endpoint needs a login: a session cookie (with the CSRF token for writes) or "
        "a personal token made with `presales token create NAME`, sent as "
        "`Authorization: Bearer TOKEN`. Errors share one shape: "
        '`{"error": {"code", "message", "fields": [{"field", "message"}]}}`.'
    ),
    auth=[bearer_auth, session_auth],
    docs_decorator=login_required,
    urls_namespace="api",
)
install_error_handlers(api)
for router in (
    people_router,
    accounts_router,
    products_router,
    deals_router,
    activities_router,
    notes_router,
    texts_router,
):
    api.add_router("/", router)
