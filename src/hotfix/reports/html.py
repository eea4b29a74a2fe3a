"""The report as one HTML page (styles inline, the canary chart as inline SVG), and as PDF
through WeasyPrint. Jinja2 autoescapes every value; only the chart, which escapes its own
text, is inserted as markup."""

from __future__ import annotations

from functools import cache

from hotfix.domain.record.timing import format_duration
from hotfix.reports.chart import canary_svg, describe
from hotfix.reports.document import Report


@cache
def _template():  # type: ignore[no-untyped-def]
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("hotfix.reports", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["duration"] = format_duration
    return env.get_template("report.html.j2")


def render(report: Report) -> str:
    from markupsafe import Markup

    chart = Markup(canary_svg(report.rollout, chart_id=f"canary-{report.key}")) \
        if report.rollout else None
    return str(_template().render(r=report, chart=chart,
                                  chart_text=describe(report.rollout) if report.rollout else ""))


def render_pdf(report: Report) -> bytes:
    """The HTML page printed to PDF (A4)."""
    import logging

    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: the system's Pango is not there
        from hotfix.errors import UsageError

        raise UsageError(f"PDF reports need WeasyPrint and the Pango library: {exc}",
                         hint="apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                              "libharfbuzz-subset0 (or use --format html)") from None
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting chatter
    pdf: bytes = HTML(string=render(report)).write_pdf()
    return pdf
