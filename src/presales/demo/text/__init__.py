"""Plausible, varied English for the demo data set: notes, activity subjects, win/loss reasons.

Everything is generated from a combinatorial grammar with the caller's ``random.Random``, so
the same seed and contexts always give the same text. Pure standard library, and cheap:
ten thousand notes take a fraction of a second.

Pass the stage the deal was in when the activity happened: "won" and "lost" make a note
explain the outcome, so they belong to notes written at or after the close. A flavor other
than "problem" or "opportunity" (such as "unknown") takes one of the two at random, and a
contact name that does not start with a capital ("the customer") is used whole, never split
into a first name. The grammar itself lives in ``_customer``, ``_deal``, ``_short`` and
``_lexicon``; ``_grammar`` explains its small rule format.
"""

from ._compose import NoteContext, activity_subject, loss_reason, note_body, win_reason

__all__ = ["NoteContext", "activity_subject", "loss_reason", "note_body", "win_reason"]
