"""Demos logged by meaning and from imports: a paraphrase in the quick log suggests the right
demo and confirming records it; an import whose subjects name demos records them, a near-miss
title waits "to confirm" and counts only once confirmed; nobody outside the deal confirms."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from presales.accounts.models import Account
from presales.activities.models import Activity
from presales.demos import matching
from presales.demos.models import DemoDealFact, DemoShown
from presales.demos.stats import demo_statistics
from presales.imports.services import run_import
from presales.texts import embedding, vectors
from presales.texts.services import index_texts
from tests.conftest import Cast, make_activity
from tests.test_demos_facts import scene  # noqa: F401  (a fixture)

SALESFORCE = Path(__file__).parent / "fixtures" / "imports" / "salesforce"
needs_model = pytest.mark.skipif(
    not embedding.available(), reason="the meaning extra (presales[meaning]) is not installed"
)


@pytest.fixture(autouse=True)
def _fresh_vector_cache() -> None:
    vectors.invalidate()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def catalog(demos: dict[str, Any]) -> None:
    first, second = demos["first"], demos["second"]
    first.summary = "Single sign-on: users log in once through Okta or Azure AD with SAML."
    first.save()
    second.summary = "REST endpoints, webhooks and rate limits for developers."
    second.save()


def suggested(page: str) -> str:
    """The form of the suggestions on the demos-shown page."""
    return page.split('id="confirm-suggested"')[1].split('id="quick-demo"')[0]


def counted(demo: Any, actor: Any) -> int:
    row = next((r for r in demo_statistics(actor=actor).demos if r.id == demo.pk), None)
    return 0 if row is None else row.deals.n


@needs_model
def test_a_paraphrase_in_the_quick_log_suggests_the_demo_and_confirming_counts_it(
    cast: Cast,
    scene: dict[str, Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    catalog(scene)
    index_texts()
    sso = scene["first"]
    alice = client_for(cast.alice)
    about = "walked their admins through logging in once with their identity provider"
    logged = alice.post("/imports/quick-log/", {"text": f"demo Mid Inc 45m: {about}"})
    body = logged.content.decode()
    activity = Activity.objects.get(account=scene["mid"])
    assert activity.opportunity_id == scene["a"].pk
    assert "This sounds like <strong>SSO flow</strong>" in body
    assert f"/demos/shown/{activity.pk}/?about=" in body
    assert not DemoShown.objects.exists()  # nothing recorded until confirmed

    page = alice.get(f"/demos/shown/{activity.pk}/", {"about": about}).content.decode()
    titles = re.findall(r'name="demos" value="\d+" > ([^<]+?) <', suggested(page))
    assert titles[0] == "SSO flow", titles
    assert counted(sso, cast.alice) == 0

    with django_capture_on_commit_callbacks(execute=True):  # the facts follow the commit
        done = alice.post(f"/demos/shown/{activity.pk}/", {"form": "meaning", "demos": [sso.pk]})
    assert done.status_code == 302
    row = DemoShown.objects.get(activity=activity)
    assert (row.demo_id, row.status, row.matched) == (sso.pk, "shown", "meaning")
    assert counted(sso, cast.alice) == 1
    demo_page = alice.get(f"/demos/{sso.pk}/").content.decode()
    assert activity.subject in demo_page


def test_without_the_index_suggestions_fall_back_to_words(
    cast: Cast,
    scene: dict[str, Any],  # noqa: F811
) -> None:
    catalog(scene)
    found = matching.suggest_demos(actor=cast.alice, text="showed the webhooks to developers")
    assert [d.title for d in found.demos][:1] == ["API tour"]
    # The page suggests the same without the index (the text service's words, or the titles').
    meeting = make_activity(opportunity=scene["a"], participants=[cast.alice])
    alice = client_for(cast.alice)
    page = alice.get(f"/demos/shown/{meeting.pk}/", {"about": "showed the webhooks"})
    offered = suggested(page.content.decode())
    assert "API tour" in offered and "SSO flow" not in offered
    # A retired demo is never suggested.
    scene["second"].state = "retired"
    scene["second"].save()
    found = matching.suggest_demos(actor=cast.alice, text="showed the webhooks to developers")
    assert "API tour" not in [d.title for d in found.demos]
    short = alice.get(f"/demos/shown/{meeting.pk}/", {"about": "x"})
    assert short.status_code == 422
    assert "Write what you showed" in short.content.decode()


def imported(tmp_path: Path, subjects: list[str]) -> Path:
    """The Salesforce sample with its events replaced by demos on the Acme deal."""
    folder = tmp_path / "sf"
    shutil.copytree(SALESFORCE, folder)
    rows = ["Id,Subject,StartDateTime,EndDateTime,IsAllDayEvent,ActivityDate,Type,Description,"
            "AccountId,WhatId,WhoId,OwnerId"]  # fmt: skip
    for i, subject in enumerate(subjects):
        rows.append(
            f"00U5e00000DeM{i:02d},{subject},2024-03-0{i + 1}T14:00:00.000Z,"
            f"2024-03-0{i + 1}T14:45:00.000Z,false,2024-03-0{i + 1},Demo,,0015e00000AcMe1AAF,"
            "0065e00000AcMeDAAV,,0055e000001AlIcAAK"
        )
    (folder / "Event.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_an_import_records_named_demos_and_a_near_miss_waits_to_be_confirmed(
    cast: Cast,
    scene: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sso, api = scene["first"], scene["second"]
    folder = imported(tmp_path, ["Demo: SSO flow", "Demo: API tuor", "Quarterly review"])
    result = run_import(kind="salesforce", paths=[folder])
    assert result.run.finished_at is not None
    exact = Activity.objects.get(subject="Demo: SSO flow")
    near = Activity.objects.get(subject="Demo: API tuor")
    plain = Activity.objects.get(subject="Quarterly review")
    shown = DemoShown.objects.get(activity=exact)
    assert (shown.demo_id, shown.status, shown.matched, shown.similarity) == (
        sso.pk, "shown", "title", 100,
    )  # fmt: skip
    waiting = DemoShown.objects.get(activity=near)
    assert (waiting.demo_id, waiting.status, waiting.matched) == (api.pk, "to_confirm", "fuzzy")
    assert 75 <= waiting.similarity < 92
    assert not DemoShown.objects.filter(activity=plain).exists()
    deal = exact.opportunity_id
    assert DemoDealFact.objects.filter(demo=sso, deal_id=deal).exists()
    assert not DemoDealFact.objects.filter(demo=api, deal_id=deal).exists()  # not counted yet

    # The deal is North's: carol (South) cannot reach it, alice confirms on the meeting's page.
    Account.objects.filter(pk=near.account_id).update(team=cast.north)
    carol = client_for(cast.carol)
    refused = carol.post(f"/demos/shown/{near.pk}/", {"form": "confirm", "demo": api.pk})
    assert refused.status_code == 404
    assert DemoShown.objects.get(pk=waiting.pk).status == "to_confirm"

    alice = client_for(cast.alice)
    page = alice.get(f"/demos/shown/{near.pk}/").content.decode()
    assert 'id="to-confirm"' in page and "API tour" in page
    plan = alice.get(f"/meetings/{near.pk}/debrief/").content.decode()
    assert "To confirm (not counted yet): API tour" in plan
    assert counted(api, cast.alice) == 0
    with django_capture_on_commit_callbacks(execute=True):  # the facts follow the commit
        alice.post(f"/demos/shown/{near.pk}/", {"form": "confirm", "demo": api.pk})
    assert DemoShown.objects.get(pk=waiting.pk).status == "shown"
    assert DemoDealFact.objects.filter(demo=api, deal_id=deal).exists()
    assert counted(api, cast.alice) == 1

    # Rejected stays rejected: running the same import again does not suggest it anew.
    DemoShown.objects.filter(pk=waiting.pk).update(status="to_confirm")
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(f"/demos/shown/{near.pk}/", {"form": "reject", "demo": api.pk})
    assert DemoShown.objects.get(pk=waiting.pk).status == "rejected"
    assert not DemoDealFact.objects.filter(demo=api, deal_id=deal).exists()
    Activity.objects.filter(pk=near.pk).update(subject="Demo: API tuor!")
    run_import(kind="salesforce", paths=[folder])
    assert DemoShown.objects.get(pk=waiting.pk).status == "rejected"


def test_subject_matching_rules() -> None:
    titles = {"sso flow": 1, "api tour": 2, "reporting dashboards": 3}
    assert matching.subject_match("SSO flow", titles) == (1, 1.0)
    assert matching.subject_match("[Demo] Reporting dashboards", titles) == (3, 1.0)
    near = matching.subject_match("demo - reportng dashboard", titles)
    assert near is not None and near[0] == 3 and near[1] >= matching.UNSURE
    # Loose matching only for a subject marked as a demo, and never "Demonstration…".
    assert matching.subject_match("Reportng dashboard", titles) is None
    assert matching.subject_match("Demonstration of the API", titles) is None
    assert matching.subject_match("Demo: budget review", titles) is None


def test_the_databases_prefilter_keeps_every_subject_that_may_name_a_demo(
    cast: Cast,
    scene: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    sso, api = scene["first"], scene["second"]
    subjects = ["sso-FLOW!", "(DEMO) Api tuor", "Weekly sync", "Flow review"]
    run_import(kind="salesforce", paths=[imported(tmp_path, subjects)])
    found = {
        s.activity.subject: (s.demo_id, s.status)
        for s in DemoShown.objects.select_related("activity")
    }
    # The exact title in other case and punctuation, a marked near miss; nothing else.
    assert found == {"sso-FLOW!": (sso.pk, "shown"), "(DEMO) Api tuor": (api.pk, "to_confirm")}

    condition = matching._could_match({"sso flow": 1, "api tour": 2})
    assert condition is not None
    assert sorted(str(c[1]) for c in condition.children) == ["demo", "flow", "tour"]
    # A title with no word the database compares without case: every subject is compared.
    assert matching._could_match({"sso flow": 1, "écran": 2}) is None
