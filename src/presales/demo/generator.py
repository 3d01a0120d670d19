"""A seeded demo data set that looks like a mid-size SE organisation.

Three regions with two sales teams each, about a dozen SEs and thirty reps, ~400 accounts with
stakeholders, ~3,000 opportunities over two years with stage histories, ~40,000 activities and
~10,000 notes. Everything is anchored on ``today`` so the dashboard always has a "this week".
The same seed and day give the same data. ``scale`` shrinks or grows the customer side (accounts,
deals, activities, notes) for tests and benchmarks; the organisation stays the same size.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from presales.accounts.models import Account, AccountDomain, Contact
from presales.activities.models import Activity
from presales.deals.models import Flavor, Opportunity, Stage, StageChange
from presales.demo import activities as activity_step
from presales.demo import demos as demo_catalog_step
from presales.demo import forecasts, gaps, names, workspace
from presales.demo import intelligence as intelligence_step
from presales.demo import lab_guided as lab_guided_step
from presales.demo import scorecards as scorecard_step
from presales.demo import team as team_step
from presales.demo._common import SOURCE, _at, _bulk
from presales.forecasts.models import quarter_of, week_of
from presales.notes.models import Note
from presales.people.models import Region, Role, Team, User
from presales.products.models import Competitor, Product

Progress = Callable[[str, int, int], None]

# The Maven CRM sample's product line (public sample data), so tests can compare the two.
PRODUCTS = [
    ("GTX Basic", "GTX", 550),
    ("GTX Pro", "GTX", 4821),
    ("MG Special", "MG", 55),
    ("MG Advanced", "MG", 3393),
    ("GTX Plus Pro", "GTX", 5482),
    ("GTX Plus Basic", "GTX", 1096),
    ("GTK 500", "GTK", 26768),
]
# Median sales cycle in days per series: bigger systems take longer to sell.
CYCLE_DAYS = {"GTX": 80, "MG": 50, "GTK": 150}
COMPETITORS = [
    "Northwind Systems",
    "Parallax Devices",
    "Kestrel Computing",
    "Ironbark Labs",
    "Vantage Hardware",
    "Bluefin Technologies",
]
REGIONS = ["Central", "East", "West"]
SEGMENTS = ["Enterprise", "Commercial"]
SECTORS = [
    "technology",
    "medical",
    "retail",
    "software",
    "finance",
    "entertainment",
    "marketing",
    "telecommunications",
    "employment",
    "services",
]
COUNTRIES = {
    "Central": ["United States", "Canada", "Mexico"],
    "East": ["United States", "United Kingdom", "Germany", "Kenya", "Norway"],
    "West": ["United States", "Japan", "Philippines", "Brazil", "Panama"],
}
# (title, deal role, needs) of the people a deal meets, in the order deals usually meet them.
STAKEHOLDERS = [
    ("IT Manager", "champion", "a platform the team can run without weekend work"),
    ("Director of Infrastructure", "technical_decision_maker", "fewer moving parts, clear SLAs"),
    ("CISO", "gatekeeper", "SSO, audit logs and a clean security questionnaire"),
    ("CFO", "economic_buyer", "a payback inside the fiscal year"),
    ("VP Operations", "sponsor", "a visible win before the next board meeting"),
    ("Systems Administrator", "user", "simple upgrades and good documentation"),
    ("Procurement Lead", "gatekeeper", "standard terms and three comparable quotes"),
    ("CTO", "economic_buyer", "an architecture that scales with the next acquisition"),
    ("Head of Data", "technical_decision_maker", "open APIs and exportable data"),
    ("Project Manager", "champion", "a realistic rollout plan with named owners"),
]
STAGE_PATH = [
    Stage.PROSPECTING,
    Stage.DISCOVERY,
    Stage.DEMO,
    Stage.POC,
    Stage.PROPOSAL,
    Stage.NEGOTIATION,
]
# Chance to move on from each stage (others are lost there); POC is skipped on small deals.
ADVANCE = {
    Stage.PROSPECTING: 0.82,
    Stage.DISCOVERY: 0.78,
    Stage.DEMO: 0.74,
    Stage.POC: 0.80,
    Stage.PROPOSAL: 0.84,
    Stage.NEGOTIATION: 0.86,
}


@dataclass
class DemoResult:
    password: str
    se_username: str
    admin_username: str
    counts: dict[str, int] = field(default_factory=dict)
    # The moment the demo was written at: nothing in it happened after this.
    now: datetime | None = None


@dataclass
class _Deal:
    obj: Opportunity
    path: list[tuple[str, datetime]]
    product: Product
    competitor: str | None
    ses: list[User]


def _noop(step: str, done: int, total: int) -> None:
    return None


class _Builder:
    def __init__(self, *, seed: int, scale: float, today: date, password: str, progress: Progress):
        self.rng = random.Random(seed)
        self.scale = scale
        self.today = today
        # Eight in the morning of ``today``, or the present moment if that is earlier: nothing
        # the demo records (notes, meetings held, stage changes, answers) happens after it.
        self.now = min(_at(today, 8), timezone.now())
        self.password = password
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.activity_ids = itertools.count(1)

    # -- organisation -------------------------------------------------------------------------
    def organisation(self) -> None:
        rng = self.rng
        people = names.people(rng, 60)
        self.regions = [Region.objects.create(name=r) for r in REGIONS]
        pw_user = User(username="_")
        pw_user.set_password(self.password)
        hashed = pw_user.password

        def user(username: str, role: str, title: str, **extra: Any) -> User:
            first, last = people.pop()
            return User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@presales.example",
                role=role,
                title=title,
                password=hashed,
                date_joined=self.now - timedelta(days=rng.randint(800, 2000)),
                **extra,
            )

        admin = user("admin", Role.ADMIN, "Operations", is_staff=True, is_superuser=True)
        admin.first_name, admin.last_name = "Ada", "Admin"
        vp = user("vp.sales", Role.SALES_MANAGER, "VP Sales")
        se_director = user("se.director", Role.SE_MANAGER, "Director of Sales Engineering")
        pms = [user(f"pm{i}", Role.PRODUCT_MANAGER, "Product Manager") for i in (1, 2)]
        _bulk(User, [admin, vp, se_director, *pms])
        self.teams: list[Team] = []
        self.reps: dict[int, list[User]] = {}
        self.ses: dict[int, list[User]] = {}
        self.se_managers: list[User] = []
        for region in self.regions:
            slug = region.name.lower()
            sales_mgr = user(f"{slug}.sales", Role.SALES_MANAGER, "Regional Sales Manager")
            se_mgr = user(f"{slug}.se", Role.SE_MANAGER, "SE Manager")
            sales_mgr.manager, se_mgr.manager = vp, se_director
            sales_mgr.save()
            se_mgr.save()
            self.se_managers.append(se_mgr)
            region_ses: list[User] = []
            for segment in SEGMENTS:
                team = Team.objects.create(
                    name=f"{region.name} {segment}", region=region, manager=sales_mgr
                )
                self.teams.append(team)
                reps = [
                    user(f"{slug}.{segment[0].lower()}.rep{i}", Role.REP, "Account Executive")
                    for i in range(1, 6)
                ]
                ses = [
                    user(f"{slug}.{segment[0].lower()}.se{i}", Role.SE, "Sales Engineer")
                    for i in (1, 2)
                ]
                for rep in reps:
                    rep.team, rep.manager = team, sales_mgr
                for se in ses:
                    se.team, se.manager = team, se_mgr
                self.reps[team.pk] = _bulk(User, reps)
                self.ses[team.pk] = _bulk(User, ses)
                region_ses += self.ses[team.pk]
            sales_mgr.team = se_mgr.team = self.teams[-2]
            sales_mgr.save()
            se_mgr.save()
        self.se_username = self.ses[self.teams[0].pk][0].username
        self.all_ses = [se for team in self.teams for se in self.ses[team.pk]]
        self.counts["users"] = User.objects.count()

    # -- catalog and customers ----------------------------------------------------------------
    def catalog(self) -> None:
        self.products = _bulk(
            Product,
            [
                Product(name=n, series=s, list_price=Decimal(p), source=SOURCE, external_id=n)
                for n, s, p in PRODUCTS
            ],
        )
        self.competitors = _bulk(Competitor, [Competitor(name=n) for n in COMPETITORS])

    def accounts(self) -> None:
        rng = self.rng
        n = max(12, round(400 * self.scale))
        company_names = names.companies(rng, n)
        rows = []
        for i, name in enumerate(company_names):
            team = self.teams[i % len(self.teams)]
            region = self.regions[i % len(self.teams) // len(SEGMENTS)]
            enterprise = team.name.endswith("Enterprise")
            employees = int(rng.lognormvariate(math.log(4000 if enterprise else 400), 0.9))
            rows.append(
                Account(
                    name=name,
                    sector=rng.choice(SECTORS),
                    employees=employees,
                    size=Account.size_for(employees),
                    annual_revenue=Decimal(round(employees * rng.uniform(0.08, 0.4), 2)),
                    country=rng.choice(COUNTRIES[region.name]),
                    region=region,
                    team=team,
                    source=SOURCE,
                    external_id=f"ACC-{i + 1:05d}",
                    created_at=self.now - timedelta(days=rng.randint(760, 1500)),
                )
            )
        self.account_list = _bulk(Account, rows)
        # A few subsidiaries, as in any real customer base.
        for child in rng.sample(self.account_list, k=max(1, len(rows) // 25)):
            parent = rng.choice(self.account_list)
            if parent.pk != child.pk and parent.parent_id is None:
                child.parent = parent
                child.save(update_fields=["parent"])
        domains: dict[str, Account] = {}
        for a in self.account_list:
            domains.setdefault(names.domain_for(a.name), a)
        _bulk(AccountDomain, [AccountDomain(account=a, domain=d) for d, a in domains.items()])
        domain_of = {a.pk: d for d, a in domains.items()}
        contacts: list[Contact] = []
        for account in self.account_list:
            for title, role, needs in rng.sample(STAKEHOLDERS, k=rng.randint(3, 7)):
                first, last = names.person(rng)
                roll = rng.random()
                status = (
                    Contact.Status.LEFT_COMPANY
                    if roll < 0.05
                    else Contact.Status.DO_NOT_CONTACT
                    if roll < 0.07
                    else Contact.Status.DECEASED
                    if roll < 0.075
                    else Contact.Status.ACTIVE
                )
                domain = domain_of.get(account.pk, "unknown.example")
                contacts.append(
                    Contact(
                        account=account,
                        first_name=first,
                        last_name=last,
                        email=f"{first}.{last}@{domain}".lower().replace(" ", ""),
                        title=title,
                        deal_role=role,
                        needs=needs,
                        status=status,
                        source=SOURCE,
                        external_id=f"CON-{len(contacts) + 1:06d}",
                        created_at=account.created_at + timedelta(days=rng.randint(0, 700)),
                    )
                )
        contact_rows = _bulk(Contact, contacts)
        self.contacts: dict[int, list[Contact]] = {}
        for c in contact_rows:
            self.contacts.setdefault(c.account_id, []).append(c)
        self.counts["accounts"] = len(self.account_list)
        self.counts["contacts"] = len(contact_rows)

    # -- deals --------------------------------------------------------------------------------
    def deals(self) -> None:
        rng = self.rng
        n = max(30, round(3000 * self.scale))
        deals: list[_Deal] = []
        for i in range(n):
            account = rng.choice(self.account_list)
            team = next(t for t in self.teams if t.pk == account.team_id)
            if rng.random() < 0.08:
                team = rng.choice(self.teams)
            rep = rng.choice(self.reps[team.pk])
            product = rng.choices(self.products, weights=[14, 10, 12, 9, 8, 11, 3])[0]
            with_se = rng.random() < 0.78
            ses = []
            if with_se:
                ses = [rng.choice(self.ses[team.pk])]
                if rng.random() < 0.12:
                    ses.append(rng.choice(self.all_ses))
                    ses = list({s.pk: s for s in ses}.values())
            # A growing business: more deals were engaged recently than two years ago.
            engage = self.today - timedelta(days=5 + int(725 * rng.random() ** 1.25))
            median = CYCLE_DAYS[product.series]
            cycle = max(7, int(rng.lognormvariate(math.log(median), 0.55)))
            path = self._stage_path(engage, cycle, with_se, product)
            path = self._known_before_the_call(path)
            engage = path[0][1].date()
            final_stage, final_at = path[-1]
            closed = final_stage in (Stage.WON, Stage.LOST)
            expected_close = engage + timedelta(days=cycle)
            if not closed and expected_close <= self.today:
                # An open deal past its date has slipped: the rep pushed the close date out.
                expected_close = self.today + timedelta(days=rng.randint(7, 90))
            quantity = rng.choice([1, 1, 2, 3, 5, 8, 10, 20])
            amount = Decimal(round(float(product.list_price) * quantity * rng.uniform(0.8, 1.05)))
            competitor = rng.choice(COMPETITORS) if rng.random() < 0.55 else None
            account_known = not (
                not closed and path[-1][0] == Stage.PROSPECTING and rng.random() < 0.3
            )
            deals.append(
                _Deal(
                    obj=Opportunity(
                        name=f"{account.name} – {product.name}"
                        + (f" ×{quantity}" if quantity > 1 else ""),
                        account=account if account_known else None,
                        team=team,
                        owner=rep,
                        flavor=Flavor.PROBLEM if rng.random() < 0.55 else Flavor.OPPORTUNITY,
                        stage=final_stage,
                        amount=amount,
                        engage_date=engage,
                        close_date=final_at.date() if closed else expected_close,
                        source=SOURCE,
                        external_id=f"OPP-{i + 1:06d}",
                        created_at=_at(engage, 9),
                    ),
                    path=path,
                    product=product,
                    competitor=competitor,
                    ses=ses,
                )
            )
            if i % 250 == 0:
                self.progress("deals", i, n)
        _bulk(Opportunity, [d.obj for d in deals])
        se_link = Opportunity.sales_engineers.through
        product_link = Opportunity.products.through
        competitor_link = Opportunity.competitors.through
        by_name = {c.name: c for c in self.competitors}
        _bulk(
            se_link,
            [se_link(opportunity_id=d.obj.pk, user_id=s.pk) for d in deals for s in d.ses],
        )
        _bulk(
            product_link,
            [product_link(opportunity_id=d.obj.pk, product_id=d.product.pk) for d in deals],
        )
        _bulk(
            competitor_link,
            [
                competitor_link(opportunity_id=d.obj.pk, competitor_id=by_name[d.competitor].pk)
                for d in deals
                if d.competitor
            ],
        )
        changes = []
        for d in deals:
            previous = ""
            for stage, at in d.path:
                changes.append(
                    StageChange(
                        opportunity=d.obj,
                        from_stage=previous,
                        to_stage=stage,
                        changed_at=at,
                        changed_by=d.obj.owner,
                    )
                )
                previous = stage
        _bulk(StageChange, changes)
        self.deal_list = deals
        self.counts["opportunities"] = len(deals)
        self.counts["stage changes"] = len(changes)
        self.progress("deals", n, n)

    def _known_before_the_call(
        self, path: list[tuple[str, datetime]]
    ) -> list[tuple[str, datetime]]:
        """A deal won in the quarter it began in was, in a real pipeline, mostly known when the
        quarter's forecast was called: a win that began after the call began in prospecting a
        little before the quarter, so calls and attainment stay within what teams report."""
        (first_stage, began), (last_stage, ended) = path[0], path[-1]
        start, _ = quarter_of(ended.date())
        if last_stage != Stage.WON or began.date() <= week_of(start) + timedelta(days=7):
            return path
        earlier = _at(start - timedelta(days=self.rng.randint(3, 30)), 9)
        return [(first_stage, earlier), *path[1:]]

    def _stage_path(
        self, engage: date, cycle: int, with_se: bool, product: Product
    ) -> list[tuple[str, datetime]]:
        """Walk the stages from the engage date; stop at today (open) or at won/lost."""
        rng = self.rng
        stages = [
            s
            for s in STAGE_PATH
            if s != Stage.POC or product.series == "GTK" or rng.random() < 0.45
        ]
        # Deals with an SE convert better at the technical stages: the effect the analytics
        # pages will later measure.
        boost = 0.07 if with_se else -0.06
        step_days = cycle / len(stages)
        path: list[tuple[str, datetime]] = []
        at = _at(engage, 9)
        for index, stage in enumerate(stages):
            if at > self.now:
                return path
            path.append((stage, at))
            at = at + timedelta(days=max(1, rng.gauss(step_days, step_days / 3)))
            chance = ADVANCE[stage] + (boost if stage in (Stage.DEMO, Stage.POC) else 0)
            if rng.random() > chance:
                if at <= self.now:
                    path.append((Stage.LOST, at))
                return path
            if index == len(stages) - 1 and at <= self.now:
                path.append((Stage.WON, at))
        return path


def _last_changes_are_the_writes() -> None:
    """A demo row was last changed when it was written, not when the demo was generated."""
    for model in (Account, Contact, Opportunity, Activity, Note):
        model._default_manager.filter(source=SOURCE).update(updated_at=models.F("created_at"))


def demo_exists() -> bool:
    return Opportunity.objects.filter(source=SOURCE).exists()


@transaction.atomic
def generate_demo(
    *,
    password: str,
    seed: int = 7,
    scale: float = 1.0,
    today: date | None = None,
    progress: Progress = _noop,
) -> DemoResult:
    """Fill an empty database with the demo organisation; refuses a database with users."""
    if User.objects.exists():
        raise ValueError("The database already has users; the demo needs an empty database.")
    if not 0 < scale <= 10:
        raise ValueError("scale must be above 0 and at most 10")
    builder = _Builder(
        seed=seed,
        scale=scale,
        today=today or timezone.localdate(),
        password=password,
        progress=progress,
    )
    steps: Iterable[Callable[[], None]] = (
        builder.organisation,
        builder.catalog,
        builder.accounts,
        builder.deals,
        lambda: activity_step.populate(builder),
        lambda: activity_step.write_notes(builder),
        lambda: workspace.populate(builder),
        lambda: gaps.populate(builder),
        lambda: scorecard_step.populate(builder),
        lambda: forecasts.populate(builder),
        lambda: team_step.populate(builder),
        lambda: intelligence_step.populate(builder),
        lambda: demo_catalog_step.populate(builder),
        lambda: lab_guided_step.populate(builder),
        team_step.rebuild_totals,
    )
    for step in steps:
        step()
    _last_changes_are_the_writes()
    return DemoResult(
        password=password,
        se_username=builder.se_username,
        admin_username="admin",
        counts=builder.counts,
        now=builder.now,
    )
