"""Product gaps: revenue at stake, answer discipline and its maybes, permissions, duplicates,
merge and undo, the ways a gap is born, the ranking and its export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from presales.core import access
from presales.deals.models import Stage
from presales.deals.services import update_opportunity
from presales.gaps import analytics, services
from presales.gaps.export import safe_cell
from presales.gaps.models import GapMerge, GapOpportunity, Impact, ImpactWeights, Status
from presales.gaps.similarity import suggest_similar
from presales.meetings.services import record_debrief
from tests.conftest import (
    Cast,
    make_account,
    make_activity,
    make_contact,
    make_gap,
    make_note,
    make_opportunity,
)
from tests.test_api import bearer, call

TODAY = timezone.localdate()


def link(gap: Any, deal: Any, impact: str, cited: bool = False) -> None:
    GapOpportunity.objects.create(
        gap=gap, opportunity=deal, impact=impact, cited_as_loss_reason=cited
    )


# -- revenue at stake ------------------------------------------------------------------------


def hand_example(cast: Cast) -> Any:
    """Seven deals on one gap; North uses the default weights, South weighs a deal breaker 0.8.

    open  negotiation 50,000 x 0.80 x 1.0 (deal breaker, North)  = 40,000.00
    open  demo        12,500 x 0.20 x 0.5 (important, North)     =  1,250.00
    open  poc         30,000 x 0.40 x 0.8 (deal breaker, South)  =  9,600.00
    open  discovery   no amount                                  =      0.00
    lost  20,000, cited as a loss reason                         -> lost 20,000
    lost   7,000, not cited                                      -> nothing
    won   15,000, nice to have                                   -> won 15,000
    at stake 50,850.00 over 4 open deals
    """
    ImpactWeights.objects.create(team=cast.south, deal_breaker=Decimal("0.80"))
    north, other, south = (
        make_account(cast.north, "Northwind"),
        make_account(cast.north, "Contoso"),
        make_account(cast.south, "Fabrikam"),
    )
    gap = make_gap("Parquet export", team=cast.north, account=north, proposed_by=cast.alice)
    deals = {
        "negotiation": make_opportunity(north, stage=Stage.NEGOTIATION, amount="50000"),
        "demo": make_opportunity(other, stage=Stage.DEMO, amount="12500"),
        "poc": make_opportunity(south, stage=Stage.POC, amount="30000"),
        "discovery": make_opportunity(north, stage=Stage.DISCOVERY, amount="0", name="empty"),
        "lost cited": make_opportunity(other, stage=Stage.LOST, amount="20000"),
        "lost": make_opportunity(other, stage=Stage.LOST, amount="7000"),
        "won": make_opportunity(north, stage=Stage.WON, amount="15000"),
    }
    deals["discovery"].amount = None
    deals["discovery"].save()
    link(gap, deals["negotiation"], Impact.DEAL_BREAKER)
    link(gap, deals["demo"], Impact.IMPORTANT)
    link(gap, deals["poc"], Impact.DEAL_BREAKER)
    link(gap, deals["discovery"], Impact.DEAL_BREAKER)
    link(gap, deals["lost cited"], Impact.IMPORTANT, cited=True)
    link(gap, deals["lost"], Impact.IMPORTANT)
    link(gap, deals["won"], Impact.NICE_TO_HAVE)
    services.refresh_figures(gap_ids=[gap.pk])
    gap.refresh_from_db()
    gap.deals = deals
    return gap


def test_revenue_at_stake_matches_the_hand_computed_example(cast: Cast) -> None:
    gap = hand_example(cast)
    revenue = analytics.revenue_of_gap(gap)
    assert revenue.at_stake == Decimal("50850.00")
    assert (revenue.open_deals, revenue.lost_deals, revenue.won_deals) == (4, 1, 1)
    assert revenue.lost == Decimal("20000.00")
    assert revenue.won == Decimal("15000.00")
    assert revenue.accounts == 3
    by_deal = {line.opportunity_id: line.at_stake for line in revenue.lines}
    assert by_deal[gap.deals["poc"].pk] == Decimal("9600.00")
    # The stored figures the ranking sorts on agree with the computation.
    assert gap.revenue_at_stake == Decimal("50850.00")
    assert (gap.revenue_lost, gap.revenue_won, gap.account_count) == (
        Decimal("20000.00"),
        Decimal("15000.00"),
        3,
    )


def test_revenue_at_stake_follows_a_deal_that_moves_stage(cast: Cast) -> None:
    gap = hand_example(cast)
    demo = gap.deals["demo"]
    update_opportunity(
        actor=cast.root, opportunity=demo, changes={"stage": Stage.PROPOSAL}, confirm_gate=True
    )
    gap.refresh_from_db()
    # demo 1,250 becomes 12,500 x 0.60 x 0.5 = 3,750: 50,850 - 1,250 + 3,750.
    assert gap.revenue_at_stake == Decimal("53350.00")


def test_team_weights_change_the_revenue_at_stake_of_their_deals(cast: Cast) -> None:
    gap = hand_example(cast)
    services.set_impact_weights(
        actor=cast.dave, team=cast.north, weights={Impact.DEAL_BREAKER: Decimal("0.50")}
    )
    gap.refresh_from_db()
    # negotiation 40,000 halves to 20,000: 50,850 - 20,000.
    assert gap.revenue_at_stake == Decimal("30850.00")
    with pytest.raises(access.PermissionDenied):
        services.set_impact_weights(actor=cast.alice, team=cast.north, weights={})


# -- answer discipline -----------------------------------------------------------------------


def test_under_review_past_its_due_date_is_a_maybe_that_ages(cast: Cast) -> None:
    overdue = make_gap("Overdue", team=cast.north, review_due_on=TODAY - timedelta(days=3))
    due_today = make_gap("Due today", team=cast.north, review_due_on=TODAY)
    assert overdue.days_overdue(TODAY) == 3 and overdue.is_maybe
    assert overdue.days_overdue(TODAY + timedelta(days=4)) == 7
    assert due_today.days_overdue(TODAY) == 0 and not due_today.is_maybe
    answered = services.answer_gap(
        actor=cast.paula,
        gap=overdue,
        status=Status.COMMITTED,
        committed_release="7.2",
        answer_text="It ships in release 7.2 in March.",
    )
    assert answered.days_overdue(TODAY) == 0 and not answered.is_maybe


def test_open_maybes_per_team_are_counted_with_their_sample(cast: Cast) -> None:
    old = TODAY - timedelta(days=10)
    make_gap("A", team=cast.north, review_due_on=old)
    make_gap("B", team=cast.north, review_due_on=TODAY - timedelta(days=2))
    make_gap("C", team=cast.north)
    make_gap("D", team=cast.north, status=Status.DECLINED, declined_reason="no", review_due_on=old)
    merged_away = make_gap("E", team=cast.north, review_due_on=old)
    merged_away.merged_into = make_gap("F", team=cast.north)
    merged_away.save()
    make_gap("G", team=cast.south, review_due_on=old)
    figures = analytics.maybe_figures(cast.dave, today=TODAY)
    # dave manages alice (North) and is on West: North's A and B of A, B, C, F are maybes.
    north = next(t for t in figures.teams if t.team == "North")
    assert (north.maybes, north.open_gaps, north.oldest_days_overdue) == (2, 4, 10)
    assert (figures.maybes, figures.open_gaps) == (2, 4)
    everyone = analytics.maybe_figures(cast.paula, today=TODAY)
    assert (everyone.maybes, everyone.open_gaps) == (3, 5)


def test_the_manager_dashboard_flags_maybes_as_n_of_m(cast: Cast) -> None:
    make_gap("Offline mode", team=cast.north, review_due_on=TODAY - timedelta(days=5))
    make_gap("Dark theme", team=cast.north)
    client = Client()
    client.force_login(cast.dave)
    page = client.get("/").content.decode()
    assert "1 of 2" in page and "Offline mode" in page and "5 days overdue" in page
    client.force_login(cast.alice)
    assert "gap-maybes" not in client.get("/").content.decode()


def test_each_answer_needs_its_detail_and_the_exact_words(cast: Cast) -> None:
    gap = make_gap(team=cast.north)
    cases = [
        ({"status": Status.COMMITTED, "answer_text": "Soon"}, "committed_release"),
        ({"status": Status.DECLINED, "answer_text": "No"}, "declined_reason"),
        (
            {"status": Status.CUSTOMER_RANKED, "answer_text": "Ok", "customer_rank": 2},
            "ranked_against",
        ),
        ({"status": Status.UNDER_REVIEW}, "review_due_on"),
        ({"status": Status.DECLINED, "declined_reason": "Out of scope"}, "answer_text"),
        (
            {"status": Status.UNDER_REVIEW, "review_due_on": TODAY - timedelta(days=1)},
            "review_due_on",
        ),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.answer_gap(actor=cast.paula, gap=gap, **kwargs)
        assert field in caught.value.message_dict, kwargs
    ranked = services.answer_gap(
        actor=cast.paula,
        gap=gap,
        status=Status.CUSTOMER_RANKED,
        customer_rank=2,
        ranked_against="SSO, audit log export",
        answer_text="You ranked it second after SSO; we plan in that order.",
    )
    assert (ranked.customer_rank, ranked.review_due_on) == (2, None)
    assert [a.detail for a in ranked.answers.all()] == ["#2 against SSO, audit log export"]


# -- permissions -----------------------------------------------------------------------------


def test_an_se_proposes_but_only_a_pm_answers(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), amount="10000", stage=Stage.DEMO)
    made = call(
        "post",
        "/api/gaps",
        bearer(cast.alice),
        {
            "title": "Single sign-on with Okta",
            "product_area": "Security",
            "links": [{"opportunity_id": deal.pk, "impact": "deal_breaker"}],
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    # 10,000 x 0.20 x 1.0
    assert Decimal(body["revenue_at_stake"]) == Decimal("2000.00")
    assert body["status"] == "under_review"
    assert body["review_due_on"] == (TODAY + timedelta(days=14)).isoformat()
    gap_id = body["id"]
    answer = {"status": "declined", "declined_reason": "Not our market", "answer_text": "No."}
    refused = call("post", f"/api/gaps/{gap_id}/answer", bearer(cast.alice), answer)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    done = call("post", f"/api/gaps/{gap_id}/answer", bearer(cast.paula), answer)
    assert done.status_code == 200 and done.json()["status"] == "declined"
    assert done.json()["answered_by_id"] == cast.paula.pk
    edited = call("patch", f"/api/gaps/{gap_id}", bearer(cast.alice), {"workaround": "SAML"})
    assert edited.status_code == 200 and edited.json()["workaround"] == "SAML"
    assert call("patch", f"/api/gaps/{gap_id}", bearer(cast.bob), {"title": "x"}).status_code == 403


def test_managers_see_their_teams_gaps_and_others_get_404(cast: Cast) -> None:
    gap = make_gap(team=cast.north, proposed_by=cast.alice)
    assert call("get", f"/api/gaps/{gap.pk}", bearer(cast.dave)).status_code == 200
    assert call("get", f"/api/gaps/{gap.pk}", bearer(cast.paula)).status_code == 200
    for outsider in (cast.carol, cast.erin):
        response = call("get", f"/api/gaps/{gap.pk}", bearer(outsider))
        assert response.status_code == 404
    listed = call("get", "/api/gaps", bearer(cast.erin)).json()
    assert listed["count"] == 0


# -- duplicates, merge and undo --------------------------------------------------------------


def test_similar_gaps_are_suggested_by_their_words(cast: Cast) -> None:
    parquet = make_gap("Export usage reports as Parquet files", team=cast.north)
    make_gap("Dark theme for the console", team=cast.north)
    make_gap("Reports scheduled by email", team=cast.north)
    make_gap("Parquet export of reports", team=cast.south)  # carol's team: alice cannot see it
    found = suggest_similar(actor=cast.alice, text="Parquet report export for usage data")
    assert [s.gap.title for s in found][:1] == [parquet.title]
    assert "parquet" in found[0].reason
    assert all(s.gap.team_id == cast.north.pk for s in found)
    response = call("get", "/api/gaps/similar?text=dark%20console%20theme", bearer(cast.alice))
    assert [s["title"] for s in response.json()] == ["Dark theme for the console"]


def test_merge_keeps_links_and_answers_and_undo_puts_everything_back(cast: Cast) -> None:
    account = make_account(cast.north)
    shared = make_opportunity(account, stage=Stage.NEGOTIATION, amount="10000")
    only_source = make_opportunity(account, stage=Stage.DEMO, amount="5000")
    contact = make_contact(account)
    source = make_gap("Parquet export", team=cast.north, account=account)
    target = make_gap("Export to Parquet", team=cast.north, account=account)
    link(source, shared, Impact.DEAL_BREAKER)
    link(source, only_source, Impact.IMPORTANT)
    link(target, shared, Impact.NICE_TO_HAVE)
    source.contacts.add(contact)
    services.answer_gap(
        actor=cast.paula,
        gap=source,
        status=Status.UNDER_REVIEW,
        review_due_on=TODAY + timedelta(days=3),
    )
    services.refresh_figures(gap_ids=[source.pk, target.pk])
    with pytest.raises(access.PermissionDenied):
        services.merge_gaps(actor=cast.alice, source=source, target=target)

    merge = services.merge_gaps(actor=cast.paula, source=source, target=target)
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    impacts = dict(target.links.values_list("opportunity_id", "impact"))
    assert impacts == {shared.pk: Impact.DEAL_BREAKER, only_source.pk: Impact.IMPORTANT}
    assert list(target.contacts.all()) == [contact]
    # 10,000 x 0.8 x 1.0 + 5,000 x 0.2 x 0.5
    assert target.revenue_at_stake == Decimal("8500.00")
    assert source.answers.count() == 1  # the answer stays, readable from the target's page
    assert merge.merged_by == cast.paula and merge.moved["links"]
    page = Client()
    page.force_login(cast.paula)
    assert "Merged in" in page.get(f"/gaps/{target.pk}/").content.decode()
    assert call("get", "/api/gaps", bearer(cast.paula)).json()["count"] == 1

    undone = call("post", f"/api/gap-merges/{merge.pk}/undo", bearer(cast.paula))
    assert undone.status_code == 200 and undone.json()["undone_by_id"] == cast.paula.pk
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id is None
    assert dict(target.links.values_list("opportunity_id", "impact")) == {
        shared.pk: Impact.NICE_TO_HAVE
    }
    assert set(source.links.values_list("opportunity_id", flat=True)) == {
        shared.pk,
        only_source.pk,
    }
    assert list(target.contacts.all()) == []
    assert target.revenue_at_stake == Decimal("800.00")  # 10,000 x 0.8 x 0.1
    again = call("post", f"/api/gap-merges/{merge.pk}/undo", bearer(cast.paula))
    assert again.status_code == 422
    assert GapMerge.objects.get(pk=merge.pk).undone_at is not None


# -- where gaps come from --------------------------------------------------------------------


def test_a_raised_gap_from_a_debrief_becomes_a_product_gap_once(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), stage=Stage.POC, amount="25000")
    meeting = make_activity(
        opportunity=deal, participants=[cast.alice], starts_at=timezone.now() - timedelta(days=1)
    )
    debrief = record_debrief(
        actor=cast.alice,
        activity=meeting,
        fields={"went_right": "Good demo"},
        gaps=["They need audit logs exported to Splunk."],
    )
    raised = debrief.gaps.get()
    first = call("post", f"/api/raised-gaps/{raised.pk}/gap", bearer(cast.alice), {})
    assert first.status_code == 201
    body = first.json()
    assert body["title"] == "They need audit logs exported to Splunk"
    assert body["origin"] == "debrief" and body["account_id"] == deal.account_id
    assert Decimal(body["revenue_at_stake"]) == Decimal("5000.00")  # 25,000 x 0.4 x 0.5
    raised.refresh_from_db()
    assert raised.converted_to == f"gaps.ProductGap:{body['id']}"
    second = call("post", f"/api/raised-gaps/{raised.pk}/gap", bearer(cast.alice), {})
    assert second.status_code == 200 and second.json()["id"] == body["id"]
    assert (
        call("post", f"/api/raised-gaps/{raised.pk}/gap", bearer(cast.carol), {}).status_code == 404
    )


def test_a_feature_request_sentence_of_a_note_becomes_a_gap(cast: Cast) -> None:
    deal = make_opportunity(make_account(cast.north), stage=Stage.DEMO, amount="1000")
    note = make_note(
        "Good call. Feature request: offline mode for the field app. They also liked the UI.",
        author=cast.bob,
        opportunity=deal,
        account=deal.account,
    )
    assert services.feature_requests(note.body) == ["offline mode for the field app."]
    made = call(
        "post",
        "/api/gaps/from-note",
        bearer(cast.alice),
        {"note_id": note.pk, "sentence": "offline mode for the field app."},
    )
    assert made.status_code == 201
    assert made.json()["title"] == "offline mode for the field app"
    assert made.json()["links"][0]["opportunity_id"] == deal.pk
    wrong = call(
        "post", "/api/gaps/from-note", bearer(cast.alice), {"note_id": note.pk, "sentence": "x y"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"][0]["field"] == "sentence"
    client = Client()
    client.force_login(cast.alice)
    assert f"/gaps/new/?note={note.pk}" in client.get(f"/opportunities/{deal.pk}/").content.decode()


def test_a_gap_written_on_the_page_shows_look_alikes_first(cast: Cast) -> None:
    make_gap("Parquet export of usage reports", team=cast.north)
    client = Client()
    client.force_login(cast.alice)
    hint = client.get("/gaps/similar/", {"title": "usage reports in Parquet"}).content.decode()
    assert "Parquet export of usage reports" in hint
    response = client.post("/gaps/new/", {"title": "", "description": "x"})
    assert response.status_code == 422 and "title" in response.content.decode()
    response = client.post(
        "/gaps/new/", {"title": "Usage reports in Parquet", "impact": "important"}
    )
    assert response.status_code == 302


# -- the ranking and its export --------------------------------------------------------------


def test_the_ranking_orders_by_revenue_accounts_or_lost_and_filters(cast: Cast) -> None:
    a = make_gap("Alpha", team=cast.north, product_area="Storage")
    b = make_gap("Beta", team=cast.north, product_area="Security")
    c = make_gap("Gamma", team=cast.north, product_area="Storage")
    for gap, stake, lost, accounts in ((a, 100, 0, 3), (b, 300, 50, 1), (c, 200, 900, 2)):
        gap.revenue_at_stake, gap.revenue_lost, gap.account_count = stake, lost, accounts
        gap.save()
    c.created_at = timezone.now() - timedelta(days=90)
    c.save()

    def titles(**params: str) -> list[str]:
        rows = call(
            "get",
            "/api/gaps?" + "&".join(f"{k}={v}" for k, v in params.items()),
            bearer(cast.paula),
        )
        return [g["title"] for g in rows.json()["items"]]

    assert titles() == ["Beta", "Gamma", "Alpha"]
    assert titles(order="accounts") == ["Alpha", "Gamma", "Beta"]
    assert titles(order="lost") == ["Gamma", "Beta", "Alpha"]
    assert titles(product_area="Storage") == ["Gamma", "Alpha"]
    since = (TODAY - timedelta(days=30)).isoformat()
    assert titles(since=since) == ["Beta", "Alpha"]
    client = Client()
    client.force_login(cast.paula)
    page = client.get("/gaps/", {"area": "Storage", "order": "lost"}).content.decode()
    assert page.index("Gamma") < page.index("Alpha") and "Beta" not in page


def test_csv_export_neutralises_formulas(cast: Cast) -> None:
    make_gap('=HYPERLINK("http://evil")', team=cast.north, product_area="+area")
    make_gap("Plain title", team=cast.north, product_area="-x")
    client = Client()
    client.force_login(cast.paula)
    response = client.get("/gaps/export.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "title", "product area"]
    cells = {row[1]: row[2] for row in rows[1:]}
    assert cells == {'\'=HYPERLINK("http://evil")': "'+area", "Plain title": "'-x"}
    assert [safe_cell(v) for v in ("@x", "\tx", "\rx", "ok", -5)] == [
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        "'-5",
    ]


def test_the_product_manager_queue_lists_maybes_oldest_first(cast: Cast) -> None:
    make_gap("Newer maybe", team=cast.north, review_due_on=TODAY - timedelta(days=1))
    make_gap("Older maybe", team=cast.south, review_due_on=TODAY - timedelta(days=9))
    make_gap("Not yet due", team=cast.north)
    client = Client()
    client.force_login(cast.paula)
    page = client.get("/gaps/queue/").content.decode()
    maybes = page[page.index('id="queue-maybes"') : page.index('id="queue-due"')]
    assert maybes.index("Older maybe") < maybes.index("Newer maybe")
    assert "9 days" in maybes and "Not yet due" not in maybes
    assert "2 of 3 open gaps" in maybes
