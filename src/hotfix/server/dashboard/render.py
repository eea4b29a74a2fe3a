"""Rendering the dashboard's templates: Jinja2 with autoescaping, one environment."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from hotfix import __version__
from hotfix.domain.record.events import Event
from hotfix.domain.record.timing import format_duration
from hotfix.reports.document import timeline_entry
from hotfix.server.dashboard.session import PREFIX, csrf_token, session_secret


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hotfix.server.dashboard", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["duration"] = format_duration
    env.globals.update(prefix=PREFIX, version=__version__)
    return env


def render(request: Request, name: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    secret = session_secret(request)
    html = environment().get_template(name).render(
        request=request, csrf=csrf_token(secret) if secret else "",
        error=context.pop("error", ""), hint=context.pop("hint", ""), **context)
    return HTMLResponse(html, status_code=status_code,
                        headers={"Cache-Control": "no-store",
                                 "Content-Security-Policy": CSP,
                                 "X-Content-Type-Options": "nosniff",
                                 "Referrer-Policy": "same-origin"})


# scripts only from this server (htmx, vendored); the chart is inline SVG, styles inline
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")


def timeline_row(event: Event) -> Markup:
    """One ``<tr>`` of the timeline (the page's rows and the live ones are the same)."""
    e = timeline_entry(event)
    return Markup(f'<tr id="event-{escape(e["seq"])}"><td>{escape(e["seq"])}</td>'
                  f'<td><time datetime="{escape(e["at"])}">{escape(e["at"])}</time></td>'
                  f'<td>{escape(e["actor"])}</td><td>{escape(e["kind"])} '
                  f'{escape(e["what"])}</td></tr>')
