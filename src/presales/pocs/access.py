"""Who sees and changes proofs of concept: a POC belongs to a deal and follows the deal's rule,
and so do its checklist, criteria and tasks. The prerequisite checklist and the teams' limits
are settings: everyone reads them, managers change them."""

from __future__ import annotations

from typing import Any

from presales.core import access
from presales.people.models import User
from presales.pocs.models import Criterion, Poc, PocLimit, Prerequisite, PrerequisiteCheck, Task


def _managers_only(user: User, obj: Any) -> bool:
    return user.is_manager_role


def _team_manager(user: User, obj: PocLimit) -> bool:
    return access.can_manage_team(user, obj.team)


access.reached_through(Poc, "opportunity", "A proof of concept is seen through its deal.")
access.reached_through(PrerequisiteCheck, "poc", "A POC's checklist, shown on the POC.")
access.reached_through(Criterion, "poc", "A POC's success criteria, shown on the POC.")
access.reached_through(Task, "poc", "A POC's tasks, shown on the POC.")
access.register(Prerequisite, visible=access.everyone(Prerequisite), change=_managers_only)
access.register(PocLimit, visible=access.everyone(PocLimit), change=_team_manager)
