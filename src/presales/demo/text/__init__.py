"""Plausible, varied English for the demo data set: notes, activity subjects, win/loss reasons.

Everything is generated from a combinatorial grammar with the caller's ``random.Random``, so
the same seed and contexts always give the same text. Pure standard library, and cheap:
ten thousand notes take a fraction of a second.
"""

from ._compose import NoteContext, activity_subject, loss_reason, note_body, win_reason

__all__ = ["NoteContext", "activity_subject", "loss_reason", "note_body", "win_reason"]
