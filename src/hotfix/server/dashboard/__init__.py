"""The dashboard: server-rendered pages under ``/ui`` (Jinja2 + htmx, vendored, no build).

``install(app)`` mounts its pages and static files and makes failures on ``/ui`` pages
HTML (a redirect to sign in, a 403 or 404 page saying what to do) while the API keeps its
problem details."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from hotfix import errors
from hotfix.errors import LoginRequired
from hotfix.server import problems
from hotfix.server.dashboard.content import router as content_router
from hotfix.server.dashboard.pages import login_redirect, router
from hotfix.server.dashboard.render import render
from hotfix.server.dashboard.session import PREFIX

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(content_router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="dashboard-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    for kind in (errors.HotfixError, HTTPException, RequestValidationError):
        _wrap(app, kind)


def _wrap(app: FastAPI, kind: type[Exception]) -> None:
    """Answer ``kind`` on dashboard pages with HTML, elsewhere as before (problem JSON)."""
    api = app.exception_handlers[kind]

    async def handler(request: Request, exc: Exception) -> Any:
        if not request.url.path.startswith(f"{PREFIX}/") or \
                request.url.path.startswith(f"{PREFIX}/static/"):
            answer = api(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        if isinstance(exc, LoginRequired):
            return login_redirect(request)
        return _page(request, exc)

    app.add_exception_handler(kind, handler)


def _page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, errors.HotfixError):
        status, message, hint = problems.status_of(exc), exc.message, exc.hint or ""
    elif isinstance(exc, HTTPException):
        status, message, hint = exc.status_code, str(exc.detail), ""
    else:
        status, message, hint = 422, "the form was not filled in as expected", \
            "go back and check the fields"
    title = {403: "Not allowed", 404: "Not found", 409: "Refused",
             429: "Too many requests"}.get(status, "Something is wrong")
    response = render(request, "error.html", status_code=status, status=status, title=title,
                      error=message, hint=hint)
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response
