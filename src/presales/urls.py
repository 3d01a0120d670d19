from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from presales.accounts import views as accounts
from presales.activities import views as activities
from presales.api import api
from presales.dashboard import views as dashboard
from presales.deals import views as deals
from presales.texts import views as texts

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("search/", texts.search, name="search"),
    path("texts/", include("presales.texts.urls")),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/<int:account_id>/", accounts.account_detail, name="account_detail"),
    path("opportunities/", deals.opportunity_list, name="opportunity_list"),
    path(
        "opportunities/<int:opportunity_id>/",
        deals.opportunity_detail,
        name="opportunity_detail",
    ),
    path("activities/", activities.activity_list, name="activity_list"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
