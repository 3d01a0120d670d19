"""Skills: the team's matrix (self and manager assessment side by side), one SE's evidence, and
the skills the open work asks for against who has them.

Evidence comes from two places: what an SE or their manager records (certifications, trainings
attended) and what the data already shows for product skills (demos held on deals with that
product, won deals with that product that went through a proof of concept) and industry skills
(won deals on accounts of that sector). Demand counts open requests for SE help that name a
skill, open deals with a product of that name and open deals on accounts of that sector.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from presales.activities.models import Activity, Kind
from presales.deals.models import OPEN_STAGES, Opportunity, Stage
from presales.people.models import Team, User
from presales.team.capacity import team_members
from presales.team.models import SERequest, Skill, SkillEvidence, SkillLevel

# A skill counts as supplied by an SE from this level (3 proficient) on.
SUPPLY_LEVEL = 3
# Self and manager assessments this far apart are flagged.
GAP = 2
OPEN_REQUEST = (SERequest.Status.OPEN, SERequest.Status.ASSIGNED, SERequest.Status.ACCEPTED)
CATEGORY_ORDER = {value: i for i, value in enumerate(Skill.Category.values)}


def _in_order(skills: Any) -> list[Skill]:
    """Products first, then domains, industries, languages and presenting; by name within."""
    return sorted(skills, key=lambda s: (CATEGORY_ORDER.get(s.category, 99), s.name.lower()))


@dataclass
class Cell:
    self_level: int | None
    manager_level: int | None

    @property
    def level(self) -> int:
        return self.manager_level or self.self_level or 0

    @property
    def apart(self) -> bool:
        """Self and manager see the level two or more apart."""
        if self.self_level is None or self.manager_level is None:
            return False
        return abs(self.self_level - self.manager_level) >= GAP


@dataclass
class Matrix:
    team: Team
    people: list[User]
    skills: list[Skill]
    cells: dict[tuple[int, int], Cell]

    def row(self, person: User) -> list[Cell | None]:
        return [self.cells.get((person.pk, s.pk)) for s in self.skills]

    @property
    def rows(self) -> list[tuple[User, list[Cell | None]]]:
        return [(p, self.row(p)) for p in self.people]

    @property
    def by_category(self) -> list[tuple[str, int]]:
        """Column groups: each category's label and how many skills it spans."""
        counts = Counter(s.category for s in self.skills)
        labels = dict(Skill.Category.choices)
        seen: list[str] = []
        for s in self.skills:
            if s.category not in seen:
                seen.append(s.category)
        return [(labels[c], counts[c]) for c in seen]


def team_matrix(team: Team, category: str = "") -> Matrix:
    """Every SE of the team against every skill anyone of them holds (three queries)."""
    people = team_members(team)
    levels = SkillLevel.objects.filter(user__in=[p.pk for p in people])
    if category:
        levels = levels.filter(skill__category=category)
    cells = {
        (lv.user_id, lv.skill_id): Cell(lv.self_level, lv.manager_level)
        for lv in levels.only("user_id", "skill_id", "self_level", "manager_level")
    }
    held = {skill_id for _, skill_id in cells}
    skills = _in_order(Skill.objects.filter(pk__in=held))
    return Matrix(team=team, people=people, skills=skills, cells=cells)


def matrix_json(matrix: Matrix) -> dict[str, Any]:
    return {
        "team": matrix.team.name,
        "skills": [{"id": s.pk, "name": s.name, "category": s.category} for s in matrix.skills],
        "people": [
            {
                "user": person.username,
                "name": str(person),
                "levels": {
                    s.name: {"self": c.self_level, "manager": c.manager_level, "apart": c.apart}
                    for s, c in zip(matrix.skills, row, strict=True)
                    if c is not None
                },
            }
            for person, row in matrix.rows
        ],
    }


@dataclass
class PersonSkill:
    skill: Skill
    level: SkillLevel | None
    recorded: list[SkillEvidence] = field(default_factory=list)
    demos_held: int = 0
    pocs_won: int = 0
    deals_won: int = 0

    @property
    def apart(self) -> bool:
        lv = self.level
        return Cell(lv.self_level, lv.manager_level).apart if lv else False


def person_skills(person: User) -> list[PersonSkill]:
    """One SE's skills with levels and evidence, recorded and from the data."""
    levels = {lv.skill_id: lv for lv in SkillLevel.objects.filter(user=person)}
    evidence: dict[int, list[SkillEvidence]] = defaultdict(list)
    for ev in SkillEvidence.objects.filter(user=person):
        evidence[ev.skill_id].append(ev)
    skills = _in_order(Skill.objects.filter(pk__in=set(levels) | set(evidence)))
    product_names = {s.name.lower() for s in skills if s.category == Skill.Category.PRODUCT}
    industries = {s.name.lower() for s in skills if s.category == Skill.Category.INDUSTRY}

    demos: Counter[str] = Counter()
    held = Activity.objects.filter(
        participants=person, kind=Kind.DEMO, status=Activity.Status.HELD
    ).exclude(opportunity=None)
    for name in held.values_list("opportunity__products__name", flat=True):
        if name and name.lower() in product_names:
            demos[name.lower()] += 1
    won = Opportunity.objects.filter(sales_engineers=person, stage=Stage.WON)
    with_poc = won.filter(
        Q(stage_changes__to_stage=Stage.POC) | Q(activities__kind=Kind.POC)
    ).distinct()
    pocs: Counter[str] = Counter()
    for name in Opportunity.objects.filter(pk__in=with_poc.values("pk")).values_list(
        "products__name", flat=True
    ):
        if name and name.lower() in product_names:
            pocs[name.lower()] += 1
    sectors: Counter[str] = Counter()
    for sector in won.values_list("account__sector", flat=True):
        if sector and sector.lower() in industries:
            sectors[sector.lower()] += 1

    rows = []
    for skill in skills:
        key = skill.name.lower()
        rows.append(
            PersonSkill(
                skill=skill,
                level=levels.get(skill.pk),
                recorded=evidence.get(skill.pk, []),
                demos_held=demos[key] if skill.category == Skill.Category.PRODUCT else 0,
                pocs_won=pocs[key] if skill.category == Skill.Category.PRODUCT else 0,
                deals_won=sectors[key] if skill.category == Skill.Category.INDUSTRY else 0,
            )
        )
    return rows


@dataclass
class DemandRow:
    skill: Skill
    requests: int
    deals: int
    supply: list[User]
    some: list[User]

    @property
    def demand(self) -> int:
        return self.requests + self.deals

    @property
    def short(self) -> bool:
        """Asked for, and nobody on the team is proficient."""
        return self.demand > 0 and not self.supply


def demand_and_supply(team: Team) -> list[DemandRow]:
    """Per skill: open requests routed to the team that name it, the team's open deals with a
    product of its name or an account of its sector, and who is proficient (or has some of it).
    Skills nobody asks for and nobody has are left out; the shortest supply comes first."""
    asked = SERequest.skills.through.objects.filter(
        serequest__team=team, serequest__status__in=OPEN_REQUEST
    )
    requests = {
        row["skill_id"]: row["n"]
        for row in asked.values("skill_id").annotate(n=Count("serequest_id")).order_by()
    }
    open_deals = Opportunity.objects.filter(team=team, stage__in=OPEN_STAGES)
    products = Opportunity.products.through.objects.filter(opportunity__in=open_deals)
    by_product = {
        row["product__name"]: row["n"]
        for row in products.values("product__name")
        .annotate(n=Count("opportunity_id", distinct=True))
        .order_by()
    }
    by_sector = {
        row["account__sector"]: row["n"]
        for row in open_deals.filter(account__isnull=False)
        .exclude(account__sector="")
        .values("account__sector")
        .annotate(n=Count("pk"))
        .order_by()
    }
    lower_product = {k.lower(): v for k, v in by_product.items() if k}
    lower_sector = {k.lower(): v for k, v in by_sector.items() if k}
    people = {p.pk: p for p in team_members(team)}
    supply: dict[int, list[User]] = defaultdict(list)
    some: dict[int, list[User]] = defaultdict(list)
    for lv in SkillLevel.objects.filter(user__in=list(people)).order_by("user__first_name"):
        if lv.level >= SUPPLY_LEVEL:
            supply[lv.skill_id].append(people[lv.user_id])
        elif lv.level:
            some[lv.skill_id].append(people[lv.user_id])

    rows = []
    for skill in Skill.objects.all():
        deals = 0
        if skill.category == Skill.Category.PRODUCT:
            deals = lower_product.get(skill.name.lower(), 0)
        elif skill.category == Skill.Category.INDUSTRY:
            deals = lower_sector.get(skill.name.lower(), 0)
        row = DemandRow(
            skill=skill,
            requests=requests.get(skill.pk, 0),
            deals=deals,
            supply=supply.get(skill.pk, []),
            some=some.get(skill.pk, []),
        )
        if row.demand or row.supply or row.some:
            rows.append(row)
    rows.sort(key=lambda r: (not r.short, len(r.supply) - r.demand, r.skill.name))
    return rows


def demand_json(team: Team, rows: list[DemandRow]) -> dict[str, Any]:
    return {
        "team": team.name,
        "supply_level": SUPPLY_LEVEL,
        "skills": [
            {
                "skill": r.skill.name,
                "category": r.skill.category,
                "requests": r.requests,
                "deals": r.deals,
                "demand": r.demand,
                "supply": [p.username for p in r.supply],
                "some": [p.username for p in r.some],
                "short": r.short,
            }
            for r in rows
        ],
    }
