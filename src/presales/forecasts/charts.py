"""Server-rendered inline SVG for the accuracy trend: attainment per quarter, one line per
subject, with the ±10% band around 100% shaded. No JavaScript, no build step."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from presales.core.charts import nice_ticks
from presales.forecasts.accuracy import AccuracyTable

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 32
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


def trend_svg(table: AccuracyTable, *, limit: int = 8) -> SafeString:
    labels = table.period_labels
    subjects = table.subjects[:limit]
    values = [p.attainment for s in subjects for p in s.periods if p.attainment is not None]
    # Round ticks up to the largest value: with a fixed 0-300% scale an attainment of 9,642%
    # squeezed every label into the bottom few pixels.
    ticks = nice_ticks(max([1.5, *values]) if values else 1.5, count=5)
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / max(1, len(labels) - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart" aria-label="Attainment of forecast per quarter">',
        f"<title>Attainment of forecast per quarter, {escape(table.level)} level</title>"
        f"<desc>{len(subjects)} of {len(table.subjects)} subjects drawn over "
        f"{len(labels)} quarters</desc>",
        f'<rect x="{LEFT}" y="{y(1.1):.1f}" width="{plot_w}" height="{y(0.9) - y(1.1):.1f}" '
        'fill="#e8f4e8"><title>within ±10% of forecast</title></rect>',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{"#888" if tick == 1 else "#ddd"}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{tick * 100:.0f}%</text>"
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11">'
            f"{escape(label)}</text>"
        )
    for n, subject in enumerate(subjects):
        colour = COLOURS[n % len(COLOURS)]
        points = [
            (x(i), y(p.attainment))
            for i, p in enumerate(subject.periods)
            if p.attainment is not None
        ]
        if not points:
            continue
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(subject.name)}</title></polyline>"
        )
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points
        ]
        parts.append(
            f'<text x="{LEFT + plot_w + 10}" y="{TOP + 14 + 16 * n}" font-size="11" '
            f'fill="{colour}">{escape(subject.name[:22])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
