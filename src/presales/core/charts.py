"""Charts drawn on the server as inline SVG, shared by every app.

Why SVG strings written here rather than a JavaScript charting library: the same markup is
shown in the page and drawn into the PDF exports by fpdf2 (which reads SVG), nothing is loaded
from elsewhere, no build step is needed and a Content-Security-Policy without inline scripts
holds. Each chart carries a ``<title>`` naming what it shows and a ``<desc>`` with its sample
size; the page keeps the same numbers in a table beside it.

Every text written into the markup goes through ``escape``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from presales.core.stats import Figure

INK, MUTED, GRID, ACCENT, WARN = "#1d2733", "#5e6b78", "#dde3ea", "#1f6feb", "#b42318"
SERIES = ("#1f6feb", "#b42318", "#1a7f37", "#8250df", "#bf8700", "#0a7ea4", "#6e7781", "#cf222e")
FONT = 'font-family="Helvetica, Arial, sans-serif"'


def nice_ticks(top: float, *, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``, no more than ``count + 1`` of them, so
    axis labels never crowd each other whatever the range (0.9 or 96)."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _open(width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped above


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 11,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "",
) -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{bold}>{escape(text)}</text>'
    )


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def funnel(stages: Sequence[tuple[str, int]], *, title: str, population: int) -> SafeString:
    """One bar per stage, as wide as the deals that reached it, centred like a funnel; each
    labelled with its count and its share of the first stage."""
    width, row, label_w = 640, 30, 150
    height = max(len(stages), 1) * row + 30
    first = max((n for _, n in stages), default=0) or 1
    span = width - label_w - 20
    parts = _open(width, height, title, f"{population} deals in scope")
    for i, (label, n) in enumerate(stages):
        y = 10 + i * row
        w = max(span * n / first, 2)
        x = label_w + (span - w) / 2
        parts.append(_text(label_w - 8, y + 17, label, anchor="end"))
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 6}" rx="3" '
            f'fill="{ACCENT}" fill-opacity="{0.9 - 0.5 * i / max(len(stages), 1):.2f}">'
            f"<title>{escape(label)}: {n} of {population}</title></rect>"
        )
        inside = w > 110
        parts.append(
            _text(
                label_w + span / 2,
                y + 17,
                f"{n} ({n / first * 100:.0f}% of the first stage)" if inside else str(n),
                anchor="middle",
                fill="#ffffff" if inside else INK,
                size=10,
            )
        )
    parts.append(_text(label_w, height - 6, f"n = {population} deals", size=10, fill=MUTED))
    return _close(parts)


def rate_intervals(
    rows: Sequence[Figure], *, title: str, reference: float | None = None
) -> SafeString:
    """Each rate as a dot with its 95% interval as a whisker on a 0 to 100% axis, with its n of
    N written beside it; a rate whose sample is too small is drawn grey and says so."""
    width, row, label_w, right = 640, 26, 190, 110
    height = max(len(rows), 1) * row + 40
    span = width - label_w - right
    largest = max((f.population for f in rows), default=0)
    parts = _open(
        width, height, title, f"{len(rows)} rates, each with its n of N; largest sample {largest}"
    )

    def x(v: float) -> float:
        return label_w + span * v

    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="6" y2="{height - 24}" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_text(x(tick), height - 10, _pct(tick), anchor="middle", size=10, fill=MUTED))
    if reference is not None:
        parts.append(
            f'<line x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="6" y2="{height - 24}" '
            f'stroke="{WARN}" stroke-dasharray="4 3"><title>reference {_pct(reference)}</title>'
            "</line>"
        )
    for i, f in enumerate(rows):
        y = 18 + i * row
        colour = MUTED if f.too_small or f.value is None else ACCENT
        parts.append(_text(label_w - 8, y + 4, _short(f.label, 30), anchor="end", size=10))
        if f.low is not None and f.high is not None:
            parts.append(
                f'<line x1="{x(f.low):.1f}" x2="{x(f.high):.1f}" y1="{y}" y2="{y}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        if f.value is not None:
            parts.append(
                f'<circle cx="{x(f.value):.1f}" cy="{y}" r="4" fill="{colour}">'
                f"<title>{escape(f.label)}: {_pct(f.value)}, {f.n} of {f.population}</title>"
                "</circle>"
            )
        value = _pct(f.value) if f.value is not None else "—"
        note = " too few" if f.too_small else ""
        parts.append(
            _text(width - right + 6, y + 4, f"{value} · {f.n}/{f.population}{note}", size=10)
        )
    return _close(parts)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    dashed: bool = False


def lines(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    unit: str = "",
    band: tuple[float, float] | None = None,
    top: float | None = None,
) -> SafeString:
    """A line per series over the labels (gaps where a value is missing), round y-axis
    ticks, the series named in a legend under the plot. ``unit`` is "%" (values are shares),
    "$" (money) or a word written after the numbers."""
    width, height = 640, 240 + 16 * ((len(series) + 2) // 3)
    left, right, top_pad, plot_h = 64, 16, 12, 180
    plot_w = width - left - right
    found = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max([top or 0, *found, *(band or ())]) if found or top else 1)
    high = ticks[-1] or 1
    parts = _open(width, height, title, desc)

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - v / high)

    if band is not None:
        parts.append(
            f'<rect x="{left}" y="{y(band[1]):.1f}" width="{plot_w}" '
            f'height="{y(band[0]) - y(band[1]):.1f}" fill="#e8f4e8"/>'
        )
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}"/>'
        )
        parts.append(_text(left - 6, y(tick) + 4, _axis(tick, unit), anchor="end", size=10))
    every = max(1, math.ceil(len(labels) / 10))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                _text(x(i), top_pad + plot_h + 16, label, anchor="middle", size=10, fill=MUTED)
            )
    for n, s in enumerate(series):
        colour = SERIES[n % len(SERIES)]
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        run: list[str] = []
        runs: list[list[str]] = [run]
        for i, v in enumerate(s.values):
            if v is None:
                run = []
                runs.append(run)
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(s.name)}, {escape(labels[i])}: {_axis(v, unit)}</title></circle>"
            )
        for points in runs:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>'
                )
        lx = left + (n % 3) * (plot_w / 3)
        ly = top_pad + plot_h + 36 + 16 * (n // 3)
        parts.append(
            f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(_text(lx + 24, ly, _short(s.name, 26), size=10))
    return _close(parts)


def _axis(value: float, unit: str) -> str:
    if unit == "%":
        return _pct(value)
    if unit == "$":
        if abs(value) >= 1_000_000:
            return f"${value / 1_000_000:,.1f}M".replace(".0M", "M")
        if abs(value) >= 10_000:
            return f"${value / 1000:,.0f}k"
        return f"${value:,.0f}"
    number = f"{value:g}"
    return f"{number} {unit}" if unit else number


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def three_circles(overlap: int | None, *, title: str, labels: Sequence[str]) -> SafeString:
    """The prospect's three circles (what they do, what they think we do, what they think is
    possible) drawn closer together as the rated overlap grows from 1 to 5."""
    # Sized for the widest spread: the top circle's label above it, the lower ones' below.
    width, height, r = 360, 270, 56
    parts = _open(width, height, title, f"overlap {overlap} of 5" if overlap else "not rated yet")
    spread = {1: 78, 2: 58, 3: 42, 4: 28, 5: 12}.get(overlap or 0, 78)
    cx, cy = width / 2, 152
    centres = []
    for k in range(3):
        angle = math.radians(-90 + 120 * k)
        centres.append((cx + spread * math.cos(angle), cy + spread * math.sin(angle)))
    for k, ((x, y), label) in enumerate(zip(centres, labels, strict=True)):
        colour = SERIES[k]
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" fill-opacity="0.18" '
            f'stroke="{colour}" stroke-width="1.5"><title>{escape(label)}</title></circle>'
        )
        ly = y - r - 6 if k == 0 else y + r + 14
        parts.append(_text(x, ly, _short(label, 34), anchor="middle", size=10, fill=colour))
    caption = f"Overlap {overlap} of 5" if overlap else "Not rated yet"
    parts.append(_text(cx, cy + 4, caption, anchor="middle", size=11, weight="bold"))
    return _close(parts)


@dataclass(frozen=True)
class MapPerson:
    name: str
    role: str
    sentiment: str
    detail: str = ""


def stakeholder_map(
    people: Sequence[MapPerson],
    *,
    roles: Sequence[tuple[str, str]],
    sentiments: Sequence[tuple[str, str]],
    title: str,
    tints: dict[str, str] | None = None,
) -> SafeString:
    """People placed by their role in the deal (rows) and their sentiment (columns, from
    against to for), so a missing champion or a hostile buyer shows at a glance. ``tints``
    colours a sentiment's column."""
    label_w, col_w, row_h, head = 150, 118, 46, 30
    width = label_w + col_w * len(sentiments) + 8
    height = head + row_h * len(roles) + 8
    parts = _open(width, height, title, f"{len(people)} stakeholders")
    tints = tints or {}
    for c, (key, label) in enumerate(sentiments):
        x = label_w + c * col_w
        parts.append(
            f'<rect x="{x}" y="{head}" width="{col_w - 2}" height="{row_h * len(roles)}" '
            f'fill="{tints.get(key, "#ffffff")}"/>'
        )
        parts.append(_text(x + col_w / 2, head - 10, label, anchor="middle", size=10, fill=MUTED))
    for r, (key, label) in enumerate(roles):
        y = head + r * row_h
        parts.append(
            f'<line x1="0" x2="{width}" y1="{y}" y2="{y}" stroke="{GRID}"/>'
            + _text(label_w - 8, y + row_h / 2 + 4, label, anchor="end", size=10)
        )
        for c, (sentiment, _) in enumerate(sentiments):
            here = [p for p in people if p.role == key and p.sentiment == sentiment]
            for k, person in enumerate(here[:4]):
                px = label_w + c * col_w + 14 + (k % 2) * 56
                py = y + 14 + (k // 2) * 18
                parts.append(
                    f'<circle cx="{px}" cy="{py}" r="6" fill="{ACCENT}"><title>'
                    f"{escape(person.name)}{': ' + escape(person.detail) if person.detail else ''}"
                    "</title></circle>"
                )
                parts.append(_text(px + 9, py + 4, _initials(person.name), size=10))
            if len(here) > 4:
                parts.append(
                    _text(
                        label_w + (c + 1) * col_w - 6,
                        y + row_h - 4,
                        f"+{len(here) - 4}",
                        anchor="end",
                        size=9,
                        fill=MUTED,
                    )
                )
    return _close(parts)


def _initials(name: str) -> str:
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    if len(words) >= 2:
        return f"{words[0]} {words[-1][0]}."[:14]
    return name[:14]


def for_pdf(svg: str) -> bytes:
    """The chart as fpdf2 draws it: without the ``title``/``desc`` elements it ignores."""
    plain = re.sub(r"<(title|desc)>.*?</\1>", "", svg, flags=re.S)
    return plain.encode()
