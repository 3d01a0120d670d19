from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from presales.core.pages import current_user
from presales.incentives.access import quota_buckets_for, spiffs_for
from presales.incentives.analytics import bucket_attainments, spiff_report
from presales.scorecards.views import _periods, _quarter


def incentive_list(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    quarter = _quarter(request)
    spiffs = (
        spiffs_for(me)
        .filter(starts_on__lte=quarter.end, ends_on__gte=quarter.start)
        .prefetch_related("products")
    )
    buckets = (
        quota_buckets_for(me)
        .filter(year=quarter.year, quarter=quarter.quarter)
        .select_related("owner", "product")
        .order_by("owner__first_name", "owner__username", "product__name")
    )
    return render(
        request,
        "incentives/incentive_list.html",
        {
            "quarter": quarter,
            "periods": _periods(quarter),
            "spiffs": [(s, spiff_report(s)) for s in spiffs[:50]],
            "buckets": bucket_attainments(buckets[:500]),
        },
    )
