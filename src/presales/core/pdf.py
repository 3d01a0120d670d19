"""What the PDF exports share: fpdf2's built-in Helvetica covers Latin-1 only, so typographic
characters outside it are written as plain ones."""

from __future__ import annotations

_PLAIN = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "−": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "…": "...",
        "→": "->",
        "•": "*",
    }
)


def latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
