"""Writing product gaps: propose, edit, link deals, answer, merge and undo, convert raised gaps
and feature-request sentences, set a team's impact weights, keep the figures current.

Every write goes through here; pages, the API and the CLI only parse and call.
"""

from presales.gaps.services.answers import answer_gap
from presales.gaps.services.conversion import (
    converted_key,
    feature_requests,
    gap_from_note,
    gap_from_raised,
    gap_of_raised,
    title_of,
)
from presales.gaps.services.figures import (
    refresh_all_figures,
    refresh_figures,
    refresh_for_opportunities,
    set_impact_weights,
)
from presales.gaps.services.merging import merge_gaps, undo_merge
from presales.gaps.services.proposals import (
    PROPOSAL_FIELDS,
    REVIEW_DAYS,
    link_opportunity,
    propose_gap,
    unlink_opportunity,
    update_gap,
)

__all__ = [
    "PROPOSAL_FIELDS",
    "REVIEW_DAYS",
    "answer_gap",
    "converted_key",
    "feature_requests",
    "gap_from_note",
    "gap_from_raised",
    "gap_of_raised",
    "link_opportunity",
    "merge_gaps",
    "propose_gap",
    "refresh_all_figures",
    "refresh_figures",
    "refresh_for_opportunities",
    "set_impact_weights",
    "title_of",
    "undo_merge",
    "unlink_opportunity",
    "update_gap",
]
