"""``hotfix report``: a hotfix's record as a document, with what is wrong with it said."""

from __future__ import annotations

from hotfix.domain.record.timing import time_report
from hotfix.reports.document import Report, build
from hotfix.services.context import Context
from hotfix.services.record import anchor

FORMATS = ("md", "html", "pdf")


def report(ctx: Context, key: str) -> Report:
    """The report of ``key`` as its record says now (a broken chain is said, up front)."""
    rec = ctx.records.get(key)
    return build(rec, time_report(rec, ctx.now()), ctx.now(), anchor.record_problems(ctx, rec))


def render(report_: Report, fmt: str) -> bytes:
    """``report_`` as a file of format ``fmt`` (one of ``FORMATS``)."""
    if fmt == "md":
        from hotfix.reports.markdown import render as markdown

        return markdown(report_).encode("utf-8")
    from hotfix.reports import html

    return html.render(report_).encode("utf-8") if fmt == "html" else html.render_pdf(report_)
