"""The demo page's chart: the deals it was shown in against comparable deals without it, each
share drawn with its 95% interval (server-side SVG, the figures also in the page's text)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from presales.core.stats import Figure

WIDTH, ROW, LABEL, PAD = 320, 22, 130, 10


def interval_chart(figures: Sequence[Figure], *, title: str) -> SafeString:
    """Per figure two rows: with the demo (value and interval) and its reference (a tick)."""
    span = WIDTH - LABEL - PAD
    height = len(figures) * 2 * ROW + 2 * PAD

    def x(share: float) -> float:
        return LABEL + share * span

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in (0, 0.5, 1):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{PAD / 2}" y2="{height - PAD}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{x(tick):.1f}" y="{height - 1}" font-size="8" text-anchor="middle" '
            f'fill="#5e6b78">{tick:.0%}</text>'
        )
    for i, figure in enumerate(figures):
        top = PAD + i * 2 * ROW
        label = f"{figure.label[:24]}"
        parts.append(
            f'<text x="2" y="{top + 13}" font-size="9" fill="#1f2328">{escape(label)}</text>'
        )
        if figure.value is not None and figure.low is not None and figure.high is not None:
            y = top + 9
            parts.append(
                f'<line x1="{x(figure.low):.1f}" x2="{x(figure.high):.1f}" y1="{y}" y2="{y}" '
                'stroke="#1f6feb" stroke-width="2"/>'
                f'<circle cx="{x(figure.value):.1f}" cy="{y}" r="4" fill="#1f6feb">'
                f"<title>With the demo: {figure.value:.0%} ({figure.n} of {figure.population}), "
                f"95% {figure.low:.0%}–{figure.high:.0%}</title></circle>"
            )
        if figure.reference is not None:
            y = top + ROW + 4
            parts.append(
                f'<text x="2" y="{y + 3}" font-size="8" fill="#5e6b78">without it</text>'
                f'<rect x="{x(figure.reference) - 1.5:.1f}" y="{y - 5}" width="3" height="10" '
                f'fill="#b42318"><title>Comparable deals without it: {figure.reference:.0%}'
                "</title></rect>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part above is escaped
