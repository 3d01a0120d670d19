"""The REST API: one NinjaAPI with every app's router. OpenAPI lives at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from presales import __version__
from presales.accounts.api import router as accounts_router
from presales.activities.api import router as activities_router
from presales.analytics.api import router as analytics_router
from presales.core.api import StrictJsonParser, install_error_handlers, session_auth
from presales.deals.api import router as deals_router
from presales.demos.api import router as demos_router
from presales.forecasts.api import router as forecasts_router
from presales.gaps.api import router as gaps_router
from presales.imports.api import router as imports_router
from presales.incentives.api import router as incentives_router
from presales.intelligence.api import router as intelligence_router
from presales.jobs.api import router as jobs_router
from presales.lab.api import router as lab_router
from presales.meetings.api import router as meetings_router
from presales.notes.api import router as notes_router
from presales.people.api import bearer_auth, docs_access
from presales.people.api import router as people_router
from presales.pocs.api import router as pocs_router
from presales.products.api import router as products_router
from presales.qualification.api import router as qualification_router
from presales.scorecards.api import router as scorecards_router
from presales.team.api import router as team_router
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
    parser=StrictJsonParser(),
    docs_decorator=docs_access,
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
    qualification_router,
    meetings_router,
    gaps_router,
    imports_router,
    scorecards_router,
    incentives_router,
    forecasts_router,
    analytics_router,
    jobs_router,
    texts_router,
    team_router,
    demos_router,
    lab_router,
    pocs_router,
    intelligence_router,
):
    api.add_router("/", router)
