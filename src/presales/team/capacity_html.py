"""The capacity page's two big tables (heat map and per SE), written in one pass.

Fifty SEs with a dozen figures each cost more through the template language than everything
else on the page, the database included; plain string building is an order of magnitude
faster. Only names and reasons are text from people: they are escaped, numbers are formatted.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _slug(state: str) -> str:
    return state.replace(" ", "-")


def heat_rows(report: Any) -> SafeString:
    out = []
    for r in report.rows:
        cells = [f"<tr><td>{escape(str(r.user))}</td>"]
        for hours, word in [(h, "recorded") for h in r.past_weeks] + [
            (h, "booked") for h in r.next_weeks
        ]:
            css = _slug(report.heat(hours))
            cells.append(f'<td class="heat {css}" title="{hours} h {word}">{hours:.1f}</td>')
        cells.append("</tr>")
        out.append("".join(cells))
    return mark_safe("\n".join(out))  # noqa: S308 - names escaped above, the rest is numbers


def _with_median(fig: Any) -> str:
    return f'{_hours(fig.value)}<div class="small muted">median {_hours(fig.reference)}</div>'


def capacity_rows(report: Any) -> SafeString:
    out = []
    for r in report.rows:
        f = r.figures
        state = escape(r.state)
        reasons = ""
        if r.reasons:
            items = "".join(f"<li>{escape(x)}</li>" for x in r.reasons)
            reasons = f'<ul class="reasons small muted">{items}</ul>'
        share = f["customer_facing_share"]
        stages = "".join(
            f'<span class="badge">{escape(stage)} {n}</span> '
            for stage, n in r.deals_by_stage.items()
            if n
        )
        if not f["deals_supported"].value:
            stages += '<span class="muted">none</span>'
        out.append(
            f'<tr id="se-{r.user.pk}" data-state="{state}">'
            f"<td><strong>{escape(str(r.user))}</strong></td>"
            f'<td><span class="state {_slug(state)}">{state}</span>{reasons}</td>'
            f'<td class="num">{_with_median(f["hours_per_week"])}</td>'
            f'<td class="num">{_hours(f["customer_facing_hours"].value)}'
            f'<div class="small muted">{_share(share.value)} of {_hours(share.population)}; '
            f"median {_share(share.reference)}</div></td>"
            f'<td class="num">{_with_median(f["preparation_hours"])}</td>'
            f'<td class="num">{_with_median(f["travel_hours"])}</td>'
            f'<td class="num">{_with_median(f["out_of_band_hours"])}</td>'
            f'<td class="num">{_with_median(f["time_out_hours"])}</td>'
            f'<td class="num">{f["pocs_running"].value}</td>'
            f'<td class="small">{stages}</td>'
            f'<td class="num">{f["requests_open"].value}</td>'
            f'<td class="num">{_hours(f["booked_next_four_weeks"].value)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - text escaped above, the rest is numbers
