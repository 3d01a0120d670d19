"""People, teams and regions are the directory every signed-in user reads (pickers, filters,
``/api/users``); who sees whose figures is the scorecards' and forecasts' rule."""

from __future__ import annotations

from presales.core import access
from presales.people.models import ApiToken, Region, Team, User

access.register(User, visible=access.everyone(User))
access.register(Team, visible=access.everyone(Team))
access.register(Region, visible=access.everyone(Region))
access.internal(ApiToken, "Stored as a digest and printed once when made; never listed.")
