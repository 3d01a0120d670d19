"""Small charts drawn on the server as inline SVG: no JavaScript build, readable without it
(each chart has a title and the figures are also in the page's text)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 260, 80, 14


def trend_line(
    points: Sequence[tuple[str, float | None]], *, target: float | None = None, title: str = ""
) -> SafeString:
    """A line through the values by period (gaps where a period has no data), with the
    target as a dashed line."""
    values = [v for _, v in points if v is not None]
    top = max([*values, target or 0, 1])
    n = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return PAD + i * (WIDTH - 2 * PAD) / n

    def y(v: float) -> float:
        return HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{ty:.1f}" y2="{ty:.1f}" '
            'stroke="#b42318" stroke-dasharray="4 3" stroke-width="1"/>'
        )
    path: list[str] = []
    for i, (_, v) in enumerate(points):
        if v is None:
            path.append("")
            continue
        path.append(f"{x(i):.1f},{y(v):.1f}")
    segments: list[list[str]] = [[]]
    for p in path:
        if p:
            segments[-1].append(p)
        elif segments[-1]:
            segments.append([])
    for seg in segments:
        if len(seg) > 1:
            joined = " ".join(seg)
            parts.append(
                f'<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="{joined}"/>'
            )
    for i, (label, v) in enumerate(points):
        if v is not None:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1f6feb">'
                f"<title>{escape(label)}: {v:g}</title></circle>"
            )
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 2}" font-size="8" text-anchor="middle" '
            f'fill="#5e6b78">{escape(label[-2:])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part above is escaped


def bars(
    rows: Sequence[tuple[str, float | None]], *, reference: float | None = None, title: str = ""
) -> SafeString:
    """Horizontal bars per person, with the reference (team median) as a vertical line."""
    bar_h, gap, label_w = 14, 4, 90
    height = max(len(rows), 1) * (bar_h + gap) + gap
    values = [v for _, v in rows if v is not None]
    top = max([*values, reference or 0, 1])
    span = WIDTH - label_w - PAD

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, v) in enumerate(rows):
        top_y = gap + i * (bar_h + gap)
        parts.append(
            f'<text x="0" y="{top_y + bar_h - 3}" font-size="9" fill="#1d2733">'
            f"{escape(label[:16])}</text>"
        )
        if v is not None:
            w = max(v / top * span, 1)
            parts.append(
                f'<rect x="{label_w}" y="{top_y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="#1f6feb" rx="2"><title>{escape(label)}: {v:g}</title></rect>'
            )
    if reference is not None:
        rx = label_w + reference / top * span
        parts.append(
            f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="0" y2="{height}" stroke="#b42318" '
            'stroke-dasharray="3 2"><title>team median</title></line>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part above is escaped
