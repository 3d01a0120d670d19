"""The weekly team report as Markdown, a printable PDF (fpdf2, as the meeting plan) and JSON."""

from __future__ import annotations

import io
import json
from datetime import date

from django.utils import timezone
from fpdf import FPDF

from presales.analytics.report import WeeklyReport, weekly_report
from presales.core.charts import for_pdf
from presales.core.pdf import latin1, markdown, write_row
from presales.people.models import Team, User


def title(report: WeeklyReport) -> str:
    return f"Weekly report: {report.team}, week of {report.week_start:%d %b %Y}"


def sections(report: WeeklyReport) -> list[tuple[str, list[str]]]:
    generated = timezone.localtime(report.generated_at)
    return [
        (
            "The week",
            [
                f"{report.week_start:%a %d %b %Y} to {report.week_end:%a %d %b %Y}; "
                f"generated {generated:%d %b %Y %H:%M} from recorded data."
            ],
        ),
        ("Figures", [line.sentence for line in report.lines]),
        ("Forecast accuracy, last 4 quarters", report.accuracy),
    ]


def to_markdown(report: WeeklyReport) -> str:
    return markdown(title(report), sections(report))


def to_json(report: WeeklyReport) -> str:
    return json.dumps(report.as_dict(), indent=2)


def to_pdf(report: WeeklyReport) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_title(latin1(title(report)))
    pdf.set_creator("Presales")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    write_row(pdf, 7, title(report))
    for heading, rows in sections(report):
        pdf.ln(2)
        pdf.set_font("Helvetica", style="B", size=11)
        write_row(pdf, 6, heading)
        pdf.set_font("Helvetica", size=9.5)
        for row in rows:
            write_row(pdf, 4.8, f"- {row}")
    _draw_trends(pdf, report)
    return bytes(pdf.output())


def _draw_trends(pdf: FPDF, report: WeeklyReport) -> None:
    """The page's trend charts, two to a row, under a heading of their own."""
    from presales.analytics.charts import weekly_trend_charts

    drawn = weekly_trend_charts(report)
    if not drawn:
        return
    pdf.ln(2)
    pdf.set_font("Helvetica", style="B", size=11)
    write_row(pdf, 6, "Trend against last period (dashed: the same weeks a year before)")
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 4) / 2
    for i, (_, svg) in enumerate(drawn):
        if i % 2 == 0 and pdf.get_y() + width * 0.45 > pdf.h - pdf.b_margin:
            pdf.add_page()
        x = pdf.l_margin + (i % 2) * (width + 4)
        y = pdf.get_y()
        pdf.image(io.BytesIO(for_pdf(svg)), x=x, y=y, w=width)
        if i % 2 == 1 or i == len(drawn) - 1:
            pdf.set_y(y + width * 0.42 + 2)


def render_weekly(report: WeeklyReport, fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "json":
        return to_json(report).encode()
    if fmt == "md":
        return to_markdown(report).encode()
    raise ValueError(f"Unknown format {fmt!r}: use md, pdf or json.")


def render_team_report(*, team: str, fmt: str, week: date | None, viewer: User | None) -> bytes:
    """The weekly report of the team named (or numbered) ``team``, for the CLI and scripts.

    Without a viewer the report reads as the first active administrator does (everything).
    Raises LookupError for an unknown team or when there is nobody to read as.
    """
    if fmt not in ("md", "pdf", "json"):
        raise ValueError(f"Unknown format {fmt!r}: use md, pdf or json.")
    reader = viewer or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if reader is None:
        raise LookupError("No active administrator to read the data as; pass --user NAME.")
    found = Team.objects.filter(name__iexact=team.strip()).first()
    if found is None and team.strip().isdigit():
        found = Team.objects.filter(pk=int(team)).first()
    if found is None:
        names = ", ".join(Team.objects.order_by("name").values_list("name", flat=True)[:20])
        raise LookupError(f"No team named {team!r}. Teams: {names or 'none yet'}.")
    return render_weekly(weekly_report(viewer=reader, team=found, week=week), fmt)
