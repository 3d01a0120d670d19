"""The data the permission matrix (tests/test_permission_matrix.py) runs against.

Two teams, North (the users' team) and South (another team), and three scopes of objects:

- ``own``: North's account and deal with its meeting, debrief, plan, note, commitment, report,
  qualification, gap, forecast, stage proposal (by the deal's SE, to its owner), goal, SPIFF,
  quota bucket, import, value mapping, job, topic and the SE's API token;
- ``other``: the same for South on South's account;
- ``shared``: South's deal, with its work, on South's account "Sharedco" on which North also
  has a deal (so North sees the account and its contacts, and nothing of South's deal).

Each role of the matrix is a North user: se, rep, se_manager, sales_manager; product_manager
and admin belong to no team.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from presales.activities.models import Activity
from presales.calendars.models import Subscription
from presales.deals.models import StageProposal
from presales.gaps.models import GapOpportunity
from presales.imports.models import ImportRun, ValueMapping
from presales.incentives.models import QuotaBucket, Spiff
from presales.meetings.models import Debrief, MeetingPlan, RaisedGap, Report, Topic
from presales.people.models import Role, Team, User
from presales.people.services import create_token
from presales.qualification.models import BusinessIssue, Framework
from presales.qualification.services import copy_framework
from presales.texts.models import Text
from presales.texts.sources import sync_saved_now
from presales.uploads.models import Upload
from tests.conftest import (
    make_account,
    make_activity,
    make_commitment,
    make_contact,
    make_forecast,
    make_gap,
    make_goal,
    make_note,
    make_opportunity,
    make_product,
    make_user,
)

ROLES = ("se", "rep", "se_manager", "sales_manager", "product_manager", "admin")
TEAM_ROLES = ("se", "rep", "se_manager", "sales_manager")


def _deal_work(
    account: Any, team: Team, se: User, rep: User, tag: str, admin: User
) -> dict[str, Any]:
    """A deal of ``team`` on ``account`` with everything written about it."""
    from presales.forecasts.models import Line
    from presales.gaps.services import merge_gaps
    from presales.jobs import services as jobs
    from tests import jobtasks
    from tests.matrix_intel import intel_things

    contact = make_contact(account, f"Contact {tag}")
    deal = make_opportunity(account, team=team, owner=rep, name=f"Deal {tag}")
    deal.sales_engineers.add(se)
    held = timezone.now() - timedelta(days=2)
    meeting = make_activity(
        opportunity=deal, participants=[se, rep], subject=f"Meeting {tag}", starts_at=held
    )
    meeting.status = Activity.Status.HELD
    meeting.save()
    meeting.contacts.add(contact)
    debrief = Debrief.objects.create(
        activity=meeting, author=se, went_right=f"Debrief {tag}", feedback_rep_to_se="Fine"
    )
    raised = RaisedGap.objects.create(
        debrief=debrief, text=f"Raised {tag}", account=account, opportunity=deal, raised_by=se
    )
    MeetingPlan.objects.create(activity=meeting, outcomes=f"Plan {tag}", prepared_by=se)
    note = make_note(
        f"Note {tag} on the deal. Feature request: offline mode.",
        author=se,
        account=account,
        opportunity=deal,
    )
    commitment = make_commitment(account, f"Commitment {tag}", opportunity=deal, owner=se)
    report = Report.objects.create(
        kind=Report.Kind.WIN_LOSS,
        title=f"Report {tag}",
        summary="Summary",
        account=account,
        opportunity=deal,
        author=se,
        published_at=timezone.now(),
    )
    issue = BusinessIssue.objects.create(
        opportunity=deal, customer_words=f"Issue {tag}", paraphrase="Audits", recorded_by=se
    )
    gap = make_gap(f"Gap {tag}", account=account, team=team, proposed_by=se)
    GapOpportunity.objects.create(gap=gap, opportunity=deal, impact="important")
    gap2 = make_gap(f"Second gap {tag}", account=account, team=team, proposed_by=se)
    gap3 = make_gap(f"Merged gap {tag}", account=account, team=team, proposed_by=se)
    merge = merge_gaps(actor=admin, source=gap3, target=gap2)
    submission = make_forecast(rep, date.today(), "1000")
    line = Line.objects.create(
        submission=submission,
        opportunity=deal,
        category="commit",
        amount=Decimal(1000),
        stage="discovery",
        se=se,
    )
    job = jobs.enqueue(jobtasks.add, label=f"Job {tag}", user=se, a=1, b=2)
    # The SE works the deal but does not own it: they ask the owner (the rep) to move it.
    proposal = StageProposal.objects.create(
        opportunity=deal,
        from_stage=deal.stage,
        to_stage="poc",
        reason=f"Proposal {tag}",
        proposed_by=se,
        proposed_at=timezone.now(),
    )
    from presales.team.models import SERequest

    # A request for SE help on the deal, asked by its owner and routed to the deal's team.
    help_request = SERequest.objects.create(
        kind="demo",
        summary=f"Help {tag}",
        account=account,
        opportunity=deal,
        requested_by=deal.owner,
        team=team,
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=7),
    )
    from presales.demos.models import Demo
    from presales.lab.models import Environment, Lab, Reservation
    from presales.pocs.services import create_poc

    # A shared demo by the team's SE, a POC on the deal and a lab reservation for the deal.
    demo = Demo.objects.create(title=f"Demo {tag}", owner=se, state=Demo.State.SHARED)
    lab, _ = Lab.objects.get_or_create(name="Matrix lab")
    environment, _ = Environment.objects.get_or_create(
        lab=lab, name="Matrix environment", defaults={"capacity": 5}
    )
    soon = timezone.now() + timedelta(days=3)
    reservation = Reservation.objects.create(
        environment=environment,
        purpose=Reservation.Purpose.DEAL,
        opportunity=deal,
        reserved_by=se,
        team=team,
        starts_at=soon,
        ends_at=soon + timedelta(hours=4),
    )
    poc = create_poc(actor=admin, opportunity=deal, title=f"POC {tag}", se=se)
    from presales.lab.models import Attendance, Evaluation, Training

    # A self-guided evaluation on the deal, and a training lab the SE attends.
    evaluation = Evaluation.objects.create(
        demo=demo, environment=environment, opportunity=deal, registered_by=se, steps_total=3
    )
    training = Training.objects.create(
        name=f"Training {tag}", held_on=date.today(), environment=environment
    )
    attendance = Attendance.objects.create(training=training, user=se)
    return {
        "demo": demo,
        "environment": environment,
        "reservation": reservation,
        "poc": poc,
        "evaluation": evaluation,
        "training": training,
        "attendance": attendance,
        "request": help_request,
        "contact": contact,
        "deal": deal,
        "meeting": meeting,
        "debrief": debrief,
        "raised": raised,
        "note": note,
        "commitment": commitment,
        "report": report,
        "issue": issue,
        "gap": gap,
        "gap2": gap2,
        "merge": merge,
        "submission": submission,
        "line": line,
        "text": _text_of(note),
        "job": job,
        "proposal": proposal,
        **intel_things(account, contact, admin, tag),
    }


def _text_of(note: Any) -> Text:
    """The world is built in a transaction that never commits: write the texts it saved now."""
    sync_saved_now()
    return Text.objects.get(kind="note", object_id=note.pk)


def build() -> dict[str, Any]:
    from presales.people.models import Region

    region = Region.objects.create(name="Matrix")
    north = Team.objects.create(name="North", region=region)
    south = Team.objects.create(name="South", region=region)
    users = {
        "se": make_user("m_se", Role.SE, team=north),
        "rep": make_user("m_rep", Role.REP, team=north),
        "se_manager": make_user("m_sem", Role.SE_MANAGER, team=north),
        "sales_manager": make_user("m_sam", Role.SALES_MANAGER, team=north),
        "product_manager": make_user("m_pm", Role.PRODUCT_MANAGER),
        "admin": make_user("m_admin", Role.ADMIN),
    }
    north.manager = users["sales_manager"]
    north.save()
    carol = make_user("m_carol", Role.SE, team=south)
    sid = make_user("m_sid", Role.REP, team=south)
    sue = make_user("m_sue", Role.REP, team=south)
    erin = make_user("m_erin", Role.SALES_MANAGER, team=south)
    south.manager = erin
    south.save()
    product = make_product()
    shipped = Framework.objects.get(slug="four-and-a-half")
    admin = users["admin"]

    def team_things(team: Team, se: User, tag: str) -> dict[str, Any]:
        framework = copy_framework(actor=admin, framework=shipped, team=team)
        spiff = Spiff.objects.create(
            name=f"Spiff {tag}",
            starts_on=date.today(),
            ends_on=date.today() + timedelta(days=90),
            team=team,
        )
        spiff.products.add(product)
        return {
            "team": team,
            "user": se,
            "framework": framework,
            "criterion": framework.criteria.order_by("position", "pk").first(),
            "topic": Topic.objects.create(team=team, name=f"Topic {tag}", keywords="price"),
            "spiff": spiff,
            "bucket": QuotaBucket.objects.create(
                owner=se, product=product, year=2024, quarter=2, target=Decimal(10)
            ),
            "goal": make_goal(owner=se),
            "run": ImportRun.objects.create(profile="csv", user=se, report="none.csv"),
            "upload": Upload.objects.create(user=se, folder="none", profile="csv"),
            "subscription": Subscription.objects.create(
                user=se, name=f"Calendar {tag}", url=f"https://calendar.example/{tag}.ics"
            ),
            "token": create_token(user=se, name=f"Token {tag}")[0],
            "mapping": ValueMapping.objects.create(
                source="matrix",
                picklist="stage",
                key=f"stage {tag}".lower(),
                label=f"Stage {tag}",
                value="discovery",
            ),
        }

    own_account = make_account(north, "Northco")
    own = {
        "account": own_account,
        **_deal_work(own_account, north, users["se"], users["rep"], "N", admin),
    }
    own.update(team_things(north, users["se"], "N"))
    other_account = make_account(south, "Southco")
    other = {"account": other_account, **_deal_work(other_account, south, carol, sid, "S", admin)}
    other.update(team_things(south, carol, "S"))
    shared_account = make_account(south, "Sharedco")
    make_opportunity(shared_account, team=north, owner=users["rep"], name="North on Sharedco")
    shared = {
        "account": shared_account,
        **_deal_work(shared_account, south, carol, sue, "X", admin),
    }
    tokens = {role: create_token(user=user, name="matrix")[1] for role, user in users.items()}
    return {
        "users": users,
        "tokens": tokens,
        "product": product,
        "shipped": shipped,
        "shipped_criterion": shipped.criteria.order_by("position", "pk").first(),
        "scopes": {"own": own, "other": other, "shared": shared},
    }
