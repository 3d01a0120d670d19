"""What the Markdown and PDF exports share. fpdf2's built-in Helvetica covers Latin-1 only,
so typographic characters outside it are written as plain ones."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

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


def write_row(pdf: FPDF, height: float, text: str) -> None:
    """One paragraph across the page width, then back to the left margin."""
    pdf.multi_cell(0, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def markdown(title: str, sections: list[tuple[str, list[str]]]) -> str:
    """A title and sections of bullet points: the Markdown shape every export shares."""
    lines = [f"# {title}", ""]
    for heading, rows in sections:
        lines += [f"## {heading}", "", *(f"- {r}" for r in rows), ""]
    return "\n".join(lines)
