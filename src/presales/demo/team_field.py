"""The demo's skills evidence and time out of the field: certifications and trainings behind
the stronger skill levels, a plan of hours per SE for each team's quarters, and a year of
requests for training, lab time, trade shows and preparation, decided by each SE's manager.
Nothing dated after the demo's moment claims to be done: later entries are approved or still
waiting, earlier ones approved or declined."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from presales.core.bulk import insert_new
from presales.team.models import (
    OutOfFieldPlan,
    Skill,
    SkillEvidence,
    SkillLevel,
    TimeOutOfField,
)
from presales.team.skill_services import quarter_start

CERTIFICATES: dict[str, str] = {
    Skill.Category.PRODUCT: "{} certified engineer",
    Skill.Category.DOMAIN: "{} professional certificate",
    Skill.Category.LANGUAGE: "{} language certificate (C1)",
}
TRAININGS = {
    TimeOutOfField.Kind.TRAINING: ["Kubernetes administration", "Security fundamentals",
                                   "New release bootcamp", "Negotiation for SEs"],
    TimeOutOfField.Kind.LAB: ["Rebuild the demo lab", "Try the new connector in the lab",
                              "Lab: single sign-on set-up"],
    TimeOutOfField.Kind.TRADE_SHOW: ["Booth duty at the industry fair", "Partner summit"],
    TimeOutOfField.Kind.PREPARATION: ["Prepare the quarterly business review demo",
                                      "Write the reference architecture"],
}  # fmt: skip


def populate(builder: Any) -> None:
    _evidence(builder)
    _plans(builder)
    _time_out(builder)


def _evidence(builder: Any) -> None:
    rng = builder.rng
    today = builder.today
    rows = []
    strong = SkillLevel.objects.filter(user__in=builder.all_ses).select_related("skill")
    for level in strong:
        if level.level < 3 or rng.random() > 0.6:
            continue
        earned = today - timedelta(days=rng.randint(20, 900))
        template = CERTIFICATES.get(level.skill.category)
        if template and rng.random() < 0.6:
            rows.append(
                SkillEvidence(
                    user_id=level.user_id,
                    skill=level.skill,
                    kind=SkillEvidence.Kind.CERTIFICATION,
                    title=template.format(level.skill.name)[:200],
                    earned_on=earned,
                    expires_on=earned + timedelta(days=730) if rng.random() < 0.7 else None,
                )
            )
        else:
            rows.append(
                SkillEvidence(
                    user_id=level.user_id,
                    skill=level.skill,
                    kind=SkillEvidence.Kind.TRAINING,
                    title=f"{level.skill.name} training"[:200],
                    earned_on=earned,
                )
            )
    insert_new(SkillEvidence, rows)
    builder.counts["skill evidence"] = len(rows)


def _plans(builder: Any) -> None:
    quarters = {quarter_start(builder.today - timedelta(days=91 * k)) for k in range(5)}
    OutOfFieldPlan.objects.bulk_create(
        OutOfFieldPlan(team=team, quarter_start=q, hours_per_se=builder.rng.choice([32, 40, 48]))
        for team in builder.teams
        for q in sorted(quarters)
    )


def _time_out(builder: Any) -> None:
    rng = builder.rng
    now = builder.now
    today = builder.today
    rows = []
    for se in builder.all_ses:
        for _ in range(rng.randint(4, 9)):
            kind = rng.choice(list(TRAININGS))
            starts = today + timedelta(days=rng.randint(-365, 60))
            while starts.weekday() > 4:
                starts += timedelta(days=1)
            days = rng.choice([1, 1, 2, 3]) if kind != TimeOutOfField.Kind.PREPARATION else 1
            asked = datetime.combine(
                starts - timedelta(days=rng.randint(7, 40)), time(10), tzinfo=now.tzinfo
            )
            asked = min(asked, now - timedelta(hours=rng.randint(2, 48)))
            decided = asked + timedelta(hours=rng.randint(2, 72))
            status = rng.choice(
                [TimeOutOfField.Status.APPROVED] * 4 + [TimeOutOfField.Status.DECLINED]
            )
            if decided > now:  # not decided yet at the demo's moment
                status, decided_at = TimeOutOfField.Status.REQUESTED, None
            else:
                decided_at = decided
            if starts > today and rng.random() < 0.3:
                status, decided_at = TimeOutOfField.Status.REQUESTED, None
            rows.append(
                TimeOutOfField(
                    user=se,
                    kind=kind,
                    title=rng.choice(TRAININGS[kind]),
                    starts_on=starts,
                    ends_on=starts + timedelta(days=days - 1),
                    hours=min(days * 8, rng.choice([4, 8, 16, 24])),
                    status=status,
                    created_at=asked,
                    decided_by=se.manager if decided_at else None,
                    decided_at=decided_at,
                    decision_note=""
                    if status != TimeOutOfField.Status.DECLINED
                    else "Not this quarter: the POCs need you.",
                )
            )
    insert_new(TimeOutOfField, rows)
    builder.counts["time out of the field"] = len(rows)
