"""What the permission matrix (tests/test_permission_matrix.py) expects: the object kind each
path parameter names (``PARAMS``), and the outcome of every API operation (``API``) and page
(``PAGES``) per role and scope. A rule states who may do what, not what the code happens to
answer; the matrix fails when the two disagree or when an operation or page has no rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tests.matrix_world import ROLES, TEAM_ROLES

SCOPES = ("own", "other", "shared")
OK = 0  # the operation's documented success status (the lowest 2xx in its OpenAPI responses)
Expect = Callable[[str, str], int]

# Path parameter name -> the kind of object (a key of a scope in matrix_world) it names.
PARAMS: dict[str, str] = {
    "account_id": "account",
    "contact_id": "contact",
    "opportunity_id": "deal",
    "activity_id": "meeting",
    "note_id": "note",
    "commitment_id": "commitment",
    "report_id": "report",
    "gap_id": "gap",
    "merge_id": "merge",
    "raised_id": "raised",
    "issue_id": "issue",
    "framework_id": "framework",
    "criterion_id": "criterion",
    "team_id": "team",
    "user_id": "user",
    "topic_id": "topic",
    "text_id": "text",
    "submission_id": "submission",
    "line_id": "line",
    "spiff_id": "spiff",
    "bucket_id": "bucket",
    "goal_id": "goal",
    "job_id": "job",
    "request_id": "request",
    "step": "=cancel",
    "run_id": "run",
    "proposal_id": "proposal",
    "token_id": "token",
    "mapping_id": "mapping",
    "label": "=budget_freeze",
    "action": "=nothing",
    "upload_id": "upload",
    "subscription_id": "subscription",
    # Customer intelligence.
    "pair_id": "intel_pair",
    "merge_record_id": "intel_merge",
    "flag_id": "flag",
    "correction_id": "correction",
    "demo_id": "demo",
    "reservation_id": "reservation",
    "poc_id": "poc",
    # Self-guided evaluations and training labs (presales.lab).
    "evaluation_id": "evaluation",
    "training_id": "training",
    "attendance_id": "attendance",
}
# Kinds a team sees on another team's account it shares (everything else of the other team's
# deal answers 404).
SHARED_SEEN = {"account", "contact", "gap"}
MANAGERS = ("se_manager", "sales_manager")


def sees(kind: str, role: str, scope: str) -> bool:
    if role in ("admin", "product_manager"):
        return True
    return scope == "own" or (scope == "shared" and kind in SHARED_SEEN)


def read(kind: str) -> Expect:
    return lambda role, scope: OK if sees(kind, role, scope) else 404


def change(kind: str, who: tuple[str, ...] = TEAM_ROLES, pm: int = 403, ok: int = OK) -> Expect:
    """Admin changes anything; an object the role cannot see is 404; the product manager gets
    ``pm``; the roles in ``who`` change what they see, the others get 403."""

    def rule(role: str, scope: str) -> int:
        if role == "admin":
            return ok
        if not sees(kind, role, scope):
            return 404
        if role == "product_manager":
            return pm
        return ok if role in who else 403

    return rule


def roles(**by_role: int) -> Expect:
    """A fixed outcome per role (``others`` for the rest), the same in every scope."""
    return lambda role, scope: by_role.get(role, by_role.get("others", OK))


EVERYONE = roles()
CREATE = roles(product_manager=403)


def table(own: dict[str, int], other: dict[str, int] | None = None) -> Expect:
    """Outcomes per role for ``own``, and for ``other`` (and shared) objects."""
    return lambda role, scope: (own if scope == "own" or other is None else other)[role]


def gap_rule(own: dict[str, int], shared: dict[str, int]) -> Expect:
    """Gaps: own as given; another team's gap is 404 to team roles; a gap on a shared account
    is seen (it is the account's), so the roles get ``shared``."""

    def rule(role: str, scope: str) -> int:
        if scope == "own":
            return own[role]
        if scope == "shared":
            return shared[role]
        return 404 if role in TEAM_ROLES else own[role]

    return rule


def _r(se: int, rep: int, sem: int, sam: int, pm: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (se, rep, sem, sam, pm, admin), strict=True))


# A person's scorecard (here the SE's): themselves, their managers and administrators.
SCORECARD = table(_r(OK, 404, OK, OK, 404, OK), _r(404, 404, 404, 404, 404, OK))
# A team's scoreboard: its members and managers, and administrators.
SCOREBOARD = table(_r(OK, OK, OK, OK, 404, OK), _r(404, 404, 404, 404, 404, OK))
# An import is seen by who ran it (the SE), managers and administrators.
IMPORT_RUN = table(_r(OK, 404, OK, OK, 404, OK), _r(404, 404, OK, OK, 404, OK))
# A job is seen by who started it (the SE) and administrators.
JOB = table(_r(OK, 404, 404, 404, 404, OK), _r(404, 404, 404, 404, 404, OK))
# An API token (the SE's) is listed and revoked by its owner and administrators only.
TOKEN = table(_r(OK, 404, 404, 404, 404, OK), _r(404, 404, 404, 404, 404, OK))
# A person's week (the SE's) is opened by their managers and administrators, not by themselves.
# A team's capacity and out-of-band figures: whoever reads the team's figures (its members and
# managers), product management and administrators.
TEAM_FIGURES = table(_r(OK, OK, OK, OK, OK, OK), _r(404, 404, 404, 404, OK, OK))
WEEK = table(_r(404, 404, OK, OK, 404, OK), _r(404, 404, 404, 404, 404, OK))
# Import settings (value mappings, owner ids): managers read them, administrators change them.
IMPORT_SETTINGS_READ = roles(se=403, rep=403, product_manager=403)
IMPORT_SETTINGS_CHANGE = roles(admin=OK, others=403)
# The stage belongs to the deal's owner (the rep), its managers and administrators: they decide
# proposals; anyone else who may change the deal (its SE) proposes, and whoever owns the stage
# is told to change it directly (422).
DECIDE_STAGE = change("deal", who=("rep", *MANAGERS))
PROPOSE_STAGE = table(_r(201, 422, 422, 422, 403, 422), _r(404, 404, 404, 404, 403, 422))
# Uploads for an import: managers and administrators upload and see every upload (the SE's
# own upload, made when they were allowed, stays theirs to read).
UPLOAD = table(_r(OK, 404, OK, OK, 404, OK), _r(404, 404, OK, OK, 404, OK))
# A calendar subscription (the SE's): its owner and administrators.
SUBSCRIPTION = table(_r(OK, 404, 404, 404, 404, OK), _r(404, 404, 404, 404, 404, OK))

# A demo (the SE's, shared): everyone reads it; its owner and managers (who curate the catalog)
# change it; reps and product management do not.
DEMO_CHANGE = table(_r(OK, 403, OK, OK, 403, OK), _r(403, 403, OK, OK, 403, OK))
# The reservation of a lab environment for a deal: its maker (the SE) and managers who see the
# deal release it.
RESERVATION_CHANGE = change("reservation", who=("se", *MANAGERS))
IN_A_WEEK = date.today() + timedelta(days=9)

S = dict[str, Any]
Body = Callable[[S, S], Any] | None  # (scope objects, world) -> JSON body
D = timedelta

# Operation ("METHOD /path") -> (expectation, body or None, query string).
API: dict[str, tuple[Expect, Body, str]] = {
    # The demo catalog, the lab and proofs of concept (presales.demos, .lab, .pocs).
    "GET /api/demos": (EVERYONE, None, ""),
    "POST /api/demos": (CREATE, lambda o, w: {"title": "New demo"}, ""),
    "GET /api/demos/stats": (EVERYONE, None, ""),
    "GET /api/demos/{demo_id}": (EVERYONE, None, ""),
    "PATCH /api/demos/{demo_id}": (DEMO_CHANGE, lambda o, w: {"summary": "Shorter"}, ""),
    "POST /api/demos/{demo_id}/state": (DEMO_CHANGE, lambda o, w: {"state": "draft"}, ""),
    "POST /api/demos/{demo_id}/fork": (CREATE, None, ""),
    "PUT /api/activities/{activity_id}/demos": (
        change("meeting"),
        lambda o, w: {"demo_ids": [o["demo"].pk]},
        "",
    ),
    "GET /api/lab/environments": (EVERYONE, None, ""),
    "GET /api/lab/reservations": (EVERYONE, None, ""),
    "POST /api/lab/reservations": (
        CREATE,
        lambda o, w: {
            "environment_id": o["environment"].pk,
            "purpose": "training",
            "training": "Onboarding",
            "starts_at": f"{IN_A_WEEK}T09:00:00Z",
            "ends_at": f"{IN_A_WEEK}T12:00:00Z",
        },
        "",
    ),
    "POST /api/lab/reservations/{reservation_id}/release": (RESERVATION_CHANGE, None, ""),
    "GET /api/lab/utilisation": (EVERYONE, None, ""),
    # Self-guided evaluations follow their deal (the list filters); training labs are everyone's.
    "GET /api/lab/evaluations": (EVERYONE, None, ""),
    "GET /api/lab/trainings": (EVERYONE, None, ""),
    "GET /api/pocs": (EVERYONE, None, ""),
    "GET /api/pocs/figures": (EVERYONE, None, ""),
    "POST /api/pocs": (
        CREATE,
        lambda o, w: {"opportunity_id": o["deal"].pk, "title": "Another POC"},
        "",
    ),
    "GET /api/pocs/{poc_id}": (read("poc"), None, ""),
    "POST /api/pocs/{poc_id}/check": (
        change("poc"),
        lambda o, w: {"prerequisite_id": o["poc"].checks.first().prerequisite_id},
        "",
    ),
    # The world's POC has its prerequisites open and is not running: refused with the reason.
    "POST /api/pocs/{poc_id}/start": (change("poc", ok=422), None, ""),
    "POST /api/pocs/{poc_id}/sign-off": (
        change("poc", ok=422),
        lambda o, w: {"role": "champion", "contact_id": o["contact"].pk},
        "",
    ),
    "POST /api/pocs/{poc_id}/grade": (
        change("poc"),
        lambda o, w: {
            "criterion_id": o["poc"].criteria.first().pk,
            "grade": "meets",
            "evidence": "Ran the audit export",
        },
        "",
    ),
    "POST /api/pocs/{poc_id}/close": (change("poc"), lambda o, w: {"result": "cancelled"}, ""),
    # Requests for SE help (presales.team): seen through their deal; the routed team's managers
    # (and administrators) assign them; the requester or those managers cancel them.
    "GET /api/team/capacity/{team_id}": (TEAM_FIGURES, None, ""),
    "GET /api/team/out-of-band/{team_id}": (TEAM_FIGURES, None, ""),
    "GET /api/team/skills/{team_id}": (TEAM_FIGURES, None, ""),
    "GET /api/team/skills/{team_id}/demand": (TEAM_FIGURES, None, ""),
    "GET /api/team/time-out/{team_id}": (TEAM_FIGURES, None, ""),
    "GET /api/team/coverage": (EVERYONE, None, ""),
    "GET /api/requests": (EVERYONE, None, ""),
    "POST /api/requests": (
        CREATE,
        lambda o, w: {
            "kind": "demo",
            "summary": "Help with the demo",
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-08",
            "opportunity_id": o["deal"].pk,
        },
        "",
    ),
    "GET /api/requests/{request_id}": (read("request"), None, ""),
    "POST /api/requests/{request_id}/assign": (
        change("request", who=MANAGERS),
        # The deal's SE, who belongs to the team the request is routed to.
        lambda o, w: {"se_id": o["deal"].sales_engineers.get().pk},
        "",
    ),
    "POST /api/requests/{request_id}/{step}": (
        change("request", who=("rep", *MANAGERS)),
        None,
        "",
    ),
    "GET /api/me": (EVERYONE, None, ""),
    # Everyone lists and makes their own tokens.
    "GET /api/tokens": (EVERYONE, None, ""),
    "POST /api/tokens": (roles(others=201), lambda o, w: {"name": "Laptop"}, ""),
    "POST /api/tokens/{token_id}/revoke": (TOKEN, None, ""),
    "GET /api/users": (EVERYONE, None, ""),
    "GET /api/teams": (EVERYONE, None, ""),
    "GET /api/accounts": (EVERYONE, None, ""),
    "POST /api/accounts": (CREATE, lambda o, w: {"name": "New account"}, ""),
    "GET /api/accounts/{account_id}": (read("account"), None, ""),
    "PATCH /api/accounts/{account_id}": (change("account"), lambda o, w: {"sector": "Retail"}, ""),
    "GET /api/contacts": (EVERYONE, None, ""),
    "POST /api/contacts": (
        CREATE,
        lambda o, w: {"account_id": o["account"].pk, "last_name": "Nakamura"},
        "",
    ),
    "GET /api/contacts/{contact_id}": (read("contact"), None, ""),
    "PATCH /api/contacts/{contact_id}": (change("contact"), lambda o, w: {"title": "CTO"}, ""),
    "GET /api/products": (EVERYONE, None, ""),
    "GET /api/competitors": (EVERYONE, None, ""),
    "GET /api/opportunities": (EVERYONE, None, ""),
    "POST /api/opportunities": (
        CREATE,
        lambda o, w: {"name": "New deal", "account_id": o["account"].pk},
        "",
    ),
    "GET /api/opportunities/{opportunity_id}": (read("deal"), None, ""),
    "PATCH /api/opportunities/{opportunity_id}": (
        change("deal"),
        lambda o, w: {"amount": "2000"},
        "",
    ),
    "GET /api/activities": (EVERYONE, None, ""),
    "POST /api/activities": (
        CREATE,
        lambda o, w: {
            "subject": "New call",
            "starts_at": "2030-01-01T10:00:00Z",
            "ends_at": "2030-01-01T11:00:00Z",
            "account_id": o["account"].pk,
        },
        "",
    ),
    "GET /api/activities/{activity_id}": (read("meeting"), None, ""),
    "PATCH /api/activities/{activity_id}": (
        change("meeting"),
        lambda o, w: {"subject": "Renamed"},
        "",
    ),
    "GET /api/notes": (EVERYONE, None, ""),
    # Anyone may write a note on what they see (product management included).
    "POST /api/notes": (
        EVERYONE,
        lambda o, w: {"body": "Hello", "account_id": o["account"].pk},
        "",
    ),
    "GET /api/notes/{note_id}": (read("note"), None, ""),
    # Notes are personal writing: the author (the SE) or a manager who sees them.
    "PATCH /api/notes/{note_id}": (
        change("note", who=("se", *MANAGERS)),
        lambda o, w: {"body": "Edited"},
        "",
    ),
    "GET /api/qualification/frameworks": (EVERYONE, None, ""),
    "GET /api/qualification/frameworks/{framework_id}": (read("framework"), None, ""),
    "POST /api/qualification/frameworks/{framework_id}/copy": (
        change("framework", who=MANAGERS),
        lambda o, w: {"team_id": w["scopes"]["own"]["team"].pk},
        "",
    ),
    "POST /api/qualification/frameworks/{framework_id}/criteria": (
        change("framework", who=MANAGERS),
        lambda o, w: {"name": "Budget owner named"},
        "",
    ),
    "PATCH /api/qualification/criteria/{criterion_id}": (
        change("criterion", who=MANAGERS),
        lambda o, w: {"guidance": "Ask who signs"},
        "",
    ),
    "DELETE /api/qualification/criteria/{criterion_id}": (
        change("criterion", who=MANAGERS),
        None,
        "",
    ),
    # Teams are the directory everyone reads; only a team's managers choose its framework.
    "PUT /api/teams/{team_id}/framework": (
        table(_r(403, 403, OK, OK, 403, OK), _r(403, 403, 403, 403, 403, OK)),
        lambda o, w: {"framework_id": w["shipped"].pk},
        "",
    ),
    "GET /api/opportunities/{opportunity_id}/stage-proposals": (read("deal"), None, ""),
    "POST /api/opportunities/{opportunity_id}/stage-proposals": (
        PROPOSE_STAGE,
        lambda o, w: {"to_stage": "demo", "reason": "They saw the demo"},
        "",
    ),
    "POST /api/stage-proposals/{proposal_id}/decision": (
        DECIDE_STAGE,
        lambda o, w: {"accept": False},
        "",
    ),
    "GET /api/opportunities/{opportunity_id}/qualification": (read("deal"), None, ""),
    "POST /api/opportunities/{opportunity_id}/evidence": (
        change("deal"),
        lambda o, w: {"criterion_id": w["shipped_criterion"].pk, "text": "They said so"},
        "",
    ),
    "GET /api/opportunities/{opportunity_id}/gate-overrides": (read("deal"), None, ""),
    "GET /api/opportunities/{opportunity_id}/circles": (read("deal"), None, ""),
    "POST /api/opportunities/{opportunity_id}/circles": (
        change("deal"),
        lambda o, w: {"overlap": 2},
        "",
    ),
    "GET /api/qualification/circles-analysis": (EVERYONE, None, ""),
    "GET /api/opportunities/{opportunity_id}/stakeholders": (read("deal"), None, ""),
    "PUT /api/opportunities/{opportunity_id}/stakeholders/{contact_id}": (
        change("deal"),
        lambda o, w: {"comment": "Champion"},
        "",
    ),
    "GET /api/opportunities/{opportunity_id}/business-issues": (read("deal"), None, ""),
    "POST /api/opportunities/{opportunity_id}/business-issues": (
        change("deal"),
        lambda o, w: {"customer_words": "Our audits take weeks"},
        "",
    ),
    "PATCH /api/business-issues/{issue_id}": (
        change("issue"),
        lambda o, w: {"paraphrase": "Audits are slow"},
        "",
    ),
    "POST /api/business-issues/{issue_id}/confirm": (
        change("issue"),
        lambda o, w: {"confirmed_on": str(date.today()), "confirmed_by_id": o["contact"].pk},
        "",
    ),
    "GET /api/activities/{activity_id}/plan": (read("meeting"), None, ""),
    "PUT /api/activities/{activity_id}/plan": (
        change("meeting"),
        lambda o, w: {"outcomes": "Agree the pilot"},
        "",
    ),
    "GET /api/activities/{activity_id}/plan/export": (read("meeting"), None, ""),
    "POST /api/activities/{activity_id}/held": (change("meeting"), None, ""),
    # The matrix meeting was held: those who may change it are told it can no longer be
    # cancelled (422); the others never get that far.
    "POST /api/activities/{activity_id}/cancel": (change("meeting", ok=422), None, ""),
    "GET /api/activities/{activity_id}/debrief": (read("meeting"), None, ""),
    "PUT /api/activities/{activity_id}/debrief": (
        change("meeting"),
        lambda o, w: {"went_right": "All of it"},
        "",
    ),
    # Only its author (the SE) edits a debrief's words, or an administrator; the others who may
    # change the meeting add to it (PUT) instead.
    "PATCH /api/activities/{activity_id}/debrief": (
        change("meeting", who=("se",)),
        lambda o, w: {"went_wrong": "Nothing"},
        "",
    ),
    "GET /api/me/debriefs-due": (EVERYONE, None, ""),
    "GET /api/raised-gaps": (EVERYONE, None, ""),
    "GET /api/commitments": (EVERYONE, None, ""),
    "POST /api/commitments": (
        CREATE,
        lambda o, w: {
            "what": "Send pricing",
            "due_on": "2030-01-01",
            "account_id": o["account"].pk,
        },
        "",
    ),
    "PATCH /api/commitments/{commitment_id}": (
        change("commitment"),
        lambda o, w: {"what": "Send the price list"},
        "",
    ),
    "GET /api/topics": (EVERYONE, None, ""),
    "POST /api/topics": (
        CREATE,
        lambda o, w: {"name": "Pricing", "team_id": w["scopes"]["own"]["team"].pk},
        "",
    ),
    "PATCH /api/topics/{topic_id}": (change("topic"), lambda o, w: {"answer": "Per seat"}, ""),
    "GET /api/reports": (EVERYONE, None, ""),
    "POST /api/reports": (
        CREATE,
        lambda o, w: {
            "kind": "trip",
            "title": "Visit",
            "summary": "Went well",
            "account_id": o["account"].pk,
            "activity_ids": [o["meeting"].pk],
        },
        "",
    ),
    "GET /api/reports/{report_id}": (read("report"), None, ""),
    # Reports are personal writing: the author (the SE) or a manager who sees them.
    "PATCH /api/reports/{report_id}": (
        change("report", who=("se", *MANAGERS)),
        lambda o, w: {"summary": "Edited"},
        "",
    ),
    "POST /api/reports/{report_id}/publish": (
        change("report", who=("se", *MANAGERS)),
        lambda o, w: {"publish": True},
        "",
    ),
    "GET /api/gaps": (EVERYONE, None, ""),
    "POST /api/gaps": (EVERYONE, lambda o, w: {"title": "Offline mode"}, ""),
    "GET /api/gaps/maybes": (EVERYONE, None, ""),
    "GET /api/gaps/similar": (EVERYONE, None, "text=offline"),
    "POST /api/gaps/from-note": (
        EVERYONE,
        lambda o, w: {"note_id": o["note"].pk, "sentence": "Feature request: offline mode"},
        "",
    ),
    "GET /api/gaps/{gap_id}": (read("gap"), None, ""),
    # A gap's words: its author (the SE), a manager who sees it, or product management.
    # A gap on a shared account is seen (an account-level object), so its managers edit it.
    "PATCH /api/gaps/{gap_id}": (
        gap_rule(_r(OK, 403, OK, OK, OK, OK), _r(403, 403, OK, OK, OK, OK)),
        lambda o, w: {"workaround": "Export nightly"},
        "",
    ),
    "POST /api/gaps/{gap_id}/answer": (
        gap_rule(_r(403, 403, 403, 403, OK, OK), _r(403, 403, 403, 403, OK, OK)),
        lambda o, w: {
            "status": "declined",
            "answer_text": "Not this year",
            "declined_reason": "Out of scope",
        },
        "",
    ),
    # The deal of a link must be seen: on a shared account it is refused as unknown (422).
    "PUT /api/gaps/{gap_id}/opportunities/{opportunity_id}": (
        gap_rule(_r(OK, 403, OK, OK, OK, OK), _r(403, 403, 422, 422, OK, OK)),
        lambda o, w: {"impact": "deal_breaker"},
        "",
    ),
    "DELETE /api/gaps/{gap_id}/opportunities/{opportunity_id}": (
        gap_rule(_r(OK, 403, OK, OK, OK, OK), _r(403, 403, 422, 422, OK, OK)),
        None,
        "",
    ),
    "POST /api/gaps/{gap_id}/merge": (
        gap_rule(_r(403, 403, 403, 403, OK, OK), _r(403, 403, 403, 403, OK, OK)),
        lambda o, w: {"into_id": o["gap2"].pk},
        "",
    ),
    "POST /api/gap-merges/{merge_id}/undo": (
        gap_rule(_r(403, 403, 403, 403, OK, OK), _r(403, 403, 403, 403, OK, OK)),
        None,
        "",
    ),
    "POST /api/raised-gaps/{raised_id}/gap": (
        change("meeting", pm=201, ok=201),
        lambda o, w: {},
        "",
    ),
    "GET /api/teams/{team_id}/gap-weights": (EVERYONE, None, ""),
    "PUT /api/teams/{team_id}/gap-weights": (
        table(_r(403, 403, OK, OK, 403, OK), _r(403, 403, 403, 403, 403, OK)),
        lambda o, w: {"deal_breaker": "1.0", "important": "0.6", "nice_to_have": "0.1"},
        "",
    ),
    "POST /api/imports/quick-log": (
        roles(product_manager=403, others=201),
        lambda o, w: {"text": "demo Northco 45m: showed SSO"},
        "",
    ),
    "GET /api/imports": (EVERYONE, None, ""),
    "GET /api/imports/{run_id}": (
        IMPORT_RUN,
        None,
        "",
    ),
    "GET /api/imports/{run_id}/report": (
        table(_r(404, 404, 404, 404, 404, 404)),
        None,
        "",
    ),
    "GET /api/imports/mappings": (IMPORT_SETTINGS_READ, None, ""),
    "PUT /api/imports/mappings/{mapping_id}": (
        IMPORT_SETTINGS_CHANGE,
        lambda o, w: {"value": "proposal"},
        "",
    ),
    "GET /api/imports/owners": (IMPORT_SETTINGS_READ, None, ""),
    "POST /api/imports/owners": (
        IMPORT_SETTINGS_CHANGE,
        lambda o, w: {"source": "matrix", "external_id": "005MATRIX", "user_id": o["user"].pk},
        "",
    ),
    # Managers and administrators upload; the matrix sends no file, which is refused as
    # incomplete (422) once the role may upload.
    "POST /api/imports": (roles(se=403, rep=403, product_manager=403, others=422), None, ""),
    "GET /api/scorecards/metrics": (EVERYONE, None, ""),
    "POST /api/scorecards/metrics": (
        roles(others=403, admin=201),
        lambda o, w: {
            "key": "matrix_demos",
            "name": "Matrix demos",
            "definition": "Demos delivered",
            "source": "activities",
            "aggregate": "count",
        },
        "",
    ),
    # A person's scorecard: themselves, their managers and administrators.
    "GET /api/scorecards/people/{user_id}": (SCORECARD, None, ""),
    "GET /api/scorecards/teams/{team_id}": (
        SCOREBOARD,
        None,
        "",
    ),
    "GET /api/scorecards/goals": (EVERYONE, None, ""),
    "POST /api/scorecards/goals": (
        roles(rep=403, product_manager=403, others=201),
        lambda o, w: {
            "owner_id": w["users"]["se"].pk,
            "period": "2024-Q2",
            "pillar": "business",
            "title": "More demos",
            "metric": "demos_delivered",
            "target": "3",
            "weight": "25",
            "why": "Demos win deals",
        },
        "",
    ),
    "PATCH /api/scorecards/goals/{goal_id}": (SCORECARD, lambda o, w: {"why": "Because"}, ""),
    "DELETE /api/scorecards/goals/{goal_id}": (SCORECARD, None, ""),
    "GET /api/scorecards/lints": (SCORECARD, None, "user_id={user}"),
    "GET /api/scorecards/people/{user_id}/payout": (SCORECARD, None, ""),
    "POST /api/scorecards/people/{user_id}/payout/what-if": (SCORECARD, None, ""),
    # Managers set pay.
    "PUT /api/scorecards/people/{user_id}/bonus-plan": (
        table(_r(403, 404, OK, OK, 404, OK), _r(404, 404, 404, 404, 404, OK)),
        lambda o, w: {"period": "2024-Q2", "target_bonus": "1000"},
        "",
    ),
    "GET /api/incentives/spiffs": (EVERYONE, None, ""),
    # A team's SPIFF is a team setting: its managers (and administrators) make and end it.
    "POST /api/incentives/spiffs": (
        roles(se_manager=201, sales_manager=201, admin=201, others=403),
        lambda o, w: {
            "name": "Q3 push",
            "product_ids": [w["product"].pk],
            "starts_on": str(date.today()),
            "ends_on": str(date.today() + D(days=90)),
            "team_id": w["scopes"]["own"]["team"].pk,
            "se_amount": "100",
            "rep_amount": "100",
        },
        "",
    ),
    "GET /api/incentives/spiffs/{spiff_id}": (read("spiff"), None, ""),
    "DELETE /api/incentives/spiffs/{spiff_id}": (
        table(_r(403, 403, OK, OK, 403, OK), _r(404, 404, 404, 404, 403, OK)),
        None,
        "",
    ),
    "GET /api/incentives/buckets": (EVERYONE, None, ""),
    "POST /api/incentives/buckets": (
        # Naming a person one cannot see is refused as unknown (422).
        roles(se_manager=201, sales_manager=201, admin=201, se=403, others=422),
        lambda o, w: {
            "owner_id": w["users"]["se"].pk,
            "product_id": w["product"].pk,
            "period": "2024-Q3",
            "target": "5",
        },
        "",
    ),
    "DELETE /api/incentives/buckets/{bucket_id}": (
        table(_r(403, 404, OK, OK, 404, OK), _r(404, 404, 404, 404, 404, OK)),
        None,
        "",
    ),
    "GET /api/forecasts/submissions": (EVERYONE, None, ""),
    "POST /api/forecasts/submissions": (
        roles(others=201),
        lambda o, w: {"period_start": str(date.today())},
        "",
    ),
    "GET /api/forecasts/submissions/{submission_id}": (read("submission"), None, ""),
    # A manager adjusts the forecasts of the teams they manage.
    "POST /api/forecasts/submissions/{submission_id}/adjustments": (
        change("submission", who=MANAGERS, ok=201),
        lambda o, w: {"commit": "900", "reason": "Looks high"},
        "",
    ),
    # The deal's SEs rate its technical confidence.
    "PUT /api/forecasts/lines/{line_id}/confidence": (
        change("submission", who=("se",)),
        lambda o, w: {"confidence": 70},
        "",
    ),
    "POST /api/forecasts/snapshots": (roles(se=403, rep=403, product_manager=403), None, ""),
    "GET /api/forecasts/accuracy": (EVERYONE, None, ""),
    "GET /api/analytics/pipeline": (EVERYONE, None, ""),
    "GET /api/analytics/weekly": (EVERYONE, None, "team_id={team}"),
    "GET /api/jobs": (EVERYONE, None, ""),
    "GET /api/jobs/{job_id}": (
        JOB,
        None,
        "",
    ),
    # Only a failed job is retried (this one is queued): refused for those who see it.
    "POST /api/jobs/{job_id}/retry": (
        table(_r(403, 404, 404, 404, 404, 403), _r(404, 404, 404, 404, 404, 403)),
        None,
        "",
    ),
    "GET /api/texts/search": (EVERYONE, None, "q=note"),
    "GET /api/texts/themes": (EVERYONE, None, ""),
    "GET /api/texts/{text_id}": (read("note"), None, ""),
    "PUT /api/texts/{text_id}/labels/{label}": (read("note"), lambda o, w: {"value": "yes"}, ""),
    "GET /api/opportunities/{opportunity_id}/similar": (read("deal"), None, ""),
    # Customer intelligence: pairs and merges follow their records; a steward or a manager
    # starts the finder; merging needs the right to change the records (here: a missing id).
    "GET /api/intelligence/duplicates": (EVERYONE, None, "kind=contact"),
    "POST /api/intelligence/duplicates/run": (
        roles(se=403, rep=403, product_manager=403),
        lambda o, w: {"kind": "account"},
        "",
    ),
    "POST /api/intelligence/merges": (
        change("contact", ok=422),
        lambda o, w: {"kind": "contact", "survivor_id": o["contact"].pk, "other_ids": [999999]},
        "",
    ),
    "GET /api/intelligence/merges": (EVERYONE, None, ""),
    "POST /api/intelligence/merges/{merge_record_id}/undo": (change("contact"), None, ""),
    "GET /api/intelligence/quality": (EVERYONE, None, ""),
    "GET /api/intelligence/accounts/{account_id}/upsell": (read("account"), None, ""),
}

# Page URL name -> (expectation, query string). Pages answer GET; POST-only ones 405.
POST_ONLY = roles(others=405)
PAGES: dict[str, tuple[Expect, str]] = {
    "demo_catalog": (EVERYONE, "q=single sign-on"),
    "demo_new": (roles(product_manager=403), ""),
    "demo_stats": (EVERYONE, ""),
    "demo_detail": (EVERYONE, ""),
    "demo_edit": (DEMO_CHANGE, ""),
    "demo_action": (POST_ONLY, ""),
    "demos_shown": (change("meeting"), ""),
    "lab_calendar": (EVERYONE, ""),
    "lab_reserve": (POST_ONLY, ""),
    "lab_reclaim": (POST_ONLY, ""),
    "lab_new": (POST_ONLY, ""),
    "environment_new": (POST_ONLY, ""),
    "reservation_action": (POST_ONLY, ""),
    # Self-guided evaluations (through their deal) and training labs (everyone reads them).
    "evaluation_list": (EVERYONE, ""),
    "evaluation_new": (POST_ONLY, ""),
    "evaluation_detail": (read("evaluation"), ""),
    "evaluation_progress": (POST_ONLY, ""),
    "training_list": (EVERYONE, ""),
    "training_new": (POST_ONLY, ""),
    "training_detail": (EVERYONE, ""),
    "training_attendees": (POST_ONLY, ""),
    "training_completion": (POST_ONLY, ""),
    "poc_board": (EVERYONE, ""),
    "poc_new": (POST_ONLY, ""),
    "poc_detail": (read("poc"), ""),
    "poc_action": (POST_ONLY, ""),
    "poc_settings": (EVERYONE, ""),
    "poc_settings_action": (POST_ONLY, ""),
    "team_capacity": (EVERYONE, ""),
    "team_capacity_thresholds": (POST_ONLY, ""),
    "team_oob": (EVERYONE, ""),
    "team_oob_log": (POST_ONLY, ""),
    "team_oob_hand_over": (POST_ONLY, ""),
    # Skills, time out of the field, coverage (presales.team). A person's skills: themselves,
    # their team, their managers, product management and administrators.
    "team_skills": (EVERYONE, ""),
    "team_skills_demand": (EVERYONE, ""),
    "team_skills_person": (TEAM_FIGURES, ""),
    "team_skills_assess": (POST_ONLY, ""),
    "team_skills_evidence": (POST_ONLY, ""),
    "team_time_out": (EVERYONE, ""),
    "team_time_out_new": (POST_ONLY, ""),
    "team_time_out_decide": (POST_ONLY, ""),
    "team_time_out_plan": (POST_ONLY, ""),
    "team_coverage": (EVERYONE, ""),
    # The remote team and one-to-ones: managers (their people) and administrators.
    "team_one_to_ones": (roles(se=403, rep=403, product_manager=403), ""),
    "request_list": (EVERYONE, ""),
    "request_new": (POST_ONLY, ""),
    "request_detail": (read("request"), ""),
    "request_action": (POST_ONLY, ""),
    "dashboard": (EVERYONE, ""),
    "person_week": (WEEK, ""),
    "my_settings": (EVERYONE, ""),
    "token_list": (EVERYONE, ""),
    "token_revoke": (POST_ONLY, ""),
    "search": (EVERYONE, "q=note"),
    "text_detail": (read("note"), ""),
    "text_themes": (EVERYONE, ""),
    "similar_deals": (read("deal"), ""),
    "account_list": (EVERYONE, ""),
    "account_detail": (read("account"), ""),
    "account_new": (EVERYONE, ""),
    "account_edit": (change("account"), ""),
    "contact_new": (change("account"), ""),
    "contact_edit": (change("contact"), ""),
    "opportunity_list": (EVERYONE, ""),
    "opportunity_detail": (read("deal"), ""),
    "opportunity_new": (EVERYONE, ""),
    "opportunity_edit": (change("deal"), ""),
    "opportunity_stage": (POST_ONLY, ""),
    "stage_proposal_decide": (POST_ONLY, ""),
    "activity_list": (EVERYONE, ""),
    "meeting_new": (EVERYONE, ""),
    "meeting_edit": (change("meeting"), ""),
    # A confirmation page for who may change the meeting.
    "meeting_cancel": (change("meeting"), ""),
    "note_create": (POST_ONLY, ""),
    "qualification_workspace": (read("deal"), ""),
    "qualification_action": (POST_ONLY, ""),
    "qualification_frameworks": (EVERYONE, ""),
    "qualification_framework": (read("framework"), ""),
    "circles_analysis": (EVERYONE, ""),
    "meeting_plan": (read("meeting"), ""),
    "meeting_plan_md": (read("meeting"), ""),
    "meeting_plan_pdf": (read("meeting"), ""),
    "meeting_held": (POST_ONLY, ""),
    "meeting_debrief": (read("meeting"), ""),
    "commitment_list": (EVERYONE, ""),
    "commitment_resolve": (POST_ONLY, ""),
    "topic_list": (EVERYONE, ""),
    "report_list": (EVERYONE, ""),
    "report_new": (EVERYONE, ""),
    "report_detail": (read("report"), ""),
    "gap_list": (EVERYONE, ""),
    "gap_export": (EVERYONE, ""),
    "gap_queue": (EVERYONE, ""),
    "gap_new": (EVERYONE, ""),
    "gap_similar": (EVERYONE, "text=offline"),
    "gap_detail": (read("gap"), ""),
    "gap_action": (POST_ONLY, ""),
    "import_list": (EVERYONE, ""),
    "import_detail": (IMPORT_RUN, ""),
    # The run's report file does not exist in the matrix data.
    "import_report": (roles(others=404), ""),
    "quick_log": (POST_ONLY, ""),
    "change_value_mapping": (POST_ONLY, ""),
    "map_owner": (POST_ONLY, ""),
    "scorecard_index": (EVERYONE, ""),
    "person_scorecard": (SCORECARD, ""),
    "team_scoreboard": (SCOREBOARD, ""),
    "team_scoreboard_csv": (SCOREBOARD, ""),
    "incentive_list": (EVERYONE, ""),
    "forecast": (EVERYONE, ""),
    # Forecast forms answer a GET by going back to the forecast (for what the user sees).
    "forecast_submit": (roles(others=302), ""),
    "forecast_adjust": (lambda r, s: 302 if sees("submission", r, s) else 404, ""),
    "forecast_confidence": (lambda r, s: 302 if sees("line", r, s) else 404, ""),
    "forecast_accuracy": (EVERYONE, ""),
    "pipeline_analytics": (EVERYONE, ""),
    "weekly_report": (EVERYONE, ""),
    "weekly_report_md": (EVERYONE, ""),
    "weekly_report_pdf": (EVERYONE, ""),
    "job_list": (EVERYONE, ""),
    "job_detail": (JOB, ""),
    "job_retry": (POST_ONLY, ""),
    "upload_new": (POST_ONLY, ""),
    "upload_detail": (UPLOAD, ""),
    "upload_run": (POST_ONLY, ""),
    # Everyone lists their own calendars (and adds one with a POST).
    "subscription_list": (EVERYONE, ""),
    "subscription_delete": (POST_ONLY, ""),
    "subscription_refresh": (POST_ONLY, ""),
    # Customer intelligence.
    "intel_duplicates": (EVERYONE, "kind=contact"),
    "intel_duplicates_run": (POST_ONLY, ""),
    "intel_pair": (read("contact"), ""),
    "intel_pair_action": (POST_ONLY, ""),
    "intel_merges": (EVERYONE, ""),
    "intel_merge_undo": (POST_ONLY, ""),
    "intel_quality": (EVERYONE, ""),
    "intel_quality_rules": (POST_ONLY, ""),
    "intel_flag_new": (POST_ONLY, ""),
    "intel_flag_action": (POST_ONLY, ""),
    "intel_account": (read("account"), ""),
    "intel_correction_new": (POST_ONLY, ""),
    "intel_correction_action": (POST_ONLY, ""),
}
# Served by Django or by the API (checked above), not Presales pages.
NOT_PAGES = {"login", "logout"}
